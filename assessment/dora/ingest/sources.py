"""Read an uploaded file into a table of text: size, encoding, CSV or JSON, and spreadsheet line numbers.

Nothing is converted here: every value stays the text the file holds, so `007`,
`NA` and `None` arrive as those strings. Conversion happens column by column in
`parsing`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from assessment.dora.ingest.problems import DoraImportError, Problem

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"
_NOT_BLANK = re.compile(rb"\S")


@dataclass(frozen=True)
class TextTable:
    """The file's values as text, with the line (or JSON record number) each row came from."""

    source: str
    table: pa.Table
    lines: np.ndarray
    record_based: bool
    broken_rows: tuple[Problem, ...] = ()  # CSV rows with the wrong number of values


def read_text_table(data: bytes, *, source: str, max_bytes: int | None = DEFAULT_MAX_BYTES) -> TextTable:
    """Check size and encoding, then read CSV or JSON (chosen by name, else by the first character)."""
    if max_bytes is not None and len(data) > max_bytes:
        raise DoraImportError(
            [
                Problem(
                    source,
                    f"the file is {_mb(len(data))}, over the limit of {_mb(max_bytes)}; split it or raise the limit",
                )
            ]
        )
    data = data.removeprefix(_BOM)
    _check_utf8(data, source)
    if _NOT_BLANK.search(data) is None:
        raise DoraImportError([Problem(source, "the file is empty")])
    if _looks_like_json(data, source):
        return _read_json(data, source)
    return _read_csv(data, source)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _check_utf8(data: bytes, source: str) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise DoraImportError(
            [
                Problem(
                    source,
                    f"the file is not UTF-8 text (byte 0x{byte} cannot be read); save it as UTF-8 "
                    "(in a spreadsheet: 'CSV UTF-8')",
                    line=line,
                )
            ]
        ) from None


def _looks_like_json(data: bytes, source: str) -> bool:
    if source.lower().endswith(".json"):
        return True
    first = _NOT_BLANK.search(data)
    return first is not None and first.group() in (b"[", b"{")


# --- CSV -------------------------------------------------------------------------------------------


def _read_csv(data: bytes, source: str) -> TextTable:
    header = _header(data, source)
    if data.find(b"\n") < 0 or not data[data.find(b"\n") :].strip():
        raise DoraImportError([Problem(source, "the file has column names but no rows")])
    broken: list[str] = []

    def on_invalid(row: Any) -> str:
        broken.append(row.text)
        return "skip"

    try:
        table = _arrow_csv(data, header, on_invalid)
    except pa.ArrowInvalid as exc:
        raise DoraImportError([Problem(source, f"cannot be read as CSV: {exc}")]) from None
    if not broken:
        lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
        return _drop_blank_rows(TextTable(source, table, lines, record_based=False))
    lines, problems = _locate_broken_rows(data, source, len(header))
    return _drop_blank_rows(TextTable(source, table, lines, record_based=False, broken_rows=problems))


def _arrow_csv(data: bytes, header: list[str], on_invalid: Callable[[Any], str]) -> pa.Table:
    return pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=8 << 20),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _header(data: bytes, source: str) -> list[str]:
    end = data.find(b"\n")
    first = (data if end < 0 else data[:end]).decode("utf-8").rstrip("\r")
    names = [name.strip() for name in next(csv.reader([first]), [])]
    if not any(names):
        raise DoraImportError([Problem(source, "the first line holds no column names", line=1)])
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise DoraImportError([Problem(source, "two columns have the same name", line=1, value=name)])
        seen.add(name)
    return [name or f"(column {i})" for i, name in enumerate(names, start=1)]


def _locate_broken_rows(data: bytes, source: str, width: int) -> tuple[np.ndarray, tuple[Problem, ...]]:
    """Slow path, only for files with malformed rows: find their lines with the csv module."""
    good: list[int] = []
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    next(reader, None)
    for line, row in enumerate(reader, start=2):
        if len(row) == width or not row:
            good.append(line)
        else:
            problems.append(
                Problem(source, f"expected {width} values, found {len(row)}", line=line, value=",".join(row))
            )
    return np.asarray(good, dtype=np.int64), tuple(problems)


def _drop_blank_rows(text: TextTable) -> TextTable:
    """Rows with no value at all (blank lines) are ignored, as a spreadsheet user would expect."""
    table = text.table
    if table.num_rows == 0:
        return text
    blank = pc.equal(pc.utf8_length(table.column(0)), 0)
    for column in table.columns[1:]:
        blank = pc.and_(blank, pc.equal(pc.utf8_length(column), 0))
    empty = np.asarray(blank.to_numpy(zero_copy_only=False), dtype=bool)
    if not empty.any():
        return text
    keep = ~empty
    return TextTable(text.source, table.filter(pa.array(keep)), text.lines[keep], text.record_based, text.broken_rows)


# --- JSON ------------------------------------------------------------------------------------------


def _read_json(data: bytes, source: str) -> TextTable:
    try:
        doc = json.loads(data)
    except json.JSONDecodeError as exc:
        raise DoraImportError([Problem(source, f"not valid JSON: {exc.msg}", line=exc.lineno)]) from None
    if isinstance(doc, dict) and len(doc) == 1 and isinstance(next(iter(doc.values())), list):
        doc = next(iter(doc.values()))  # {"deployments": [...]} is accepted as the list it wraps
    if not isinstance(doc, list):
        raise DoraImportError(
            [Problem(source, f"JSON must be a list of records (objects), found {type(doc).__name__}")]
        )
    columns: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for number, record in enumerate(doc, start=1):
        if not isinstance(record, dict):
            problems.append(
                Problem(
                    source,
                    "is not a record (an object with named values)",
                    line=number,
                    record=True,
                    value=_short_json(record),
                )
            )
            continue
        for key in record:
            columns.setdefault(str(key), [""] * (number - 1))
        for key, values in columns.items():
            values.append(_json_text(record.get(key), source, number, key, problems))
    if problems:
        raise DoraImportError(problems)
    if not doc:
        raise DoraImportError([Problem(source, "the file holds no records")])
    table = pa.table({k: pa.array(v, type=pa.string()) for k, v in columns.items()})
    return TextTable(source, table, np.arange(1, len(doc) + 1, dtype=np.int64), record_based=True)


def _json_text(value: Any, source: str, number: int, key: str, problems: list[Problem]) -> str:
    """JSON values as the text a CSV would hold; lists become ';'-separated ids."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        if any(";" in str(v) for v in value):
            problems.append(
                Problem(
                    source,
                    "an id in the list contains ';'",
                    line=number,
                    column=key,
                    record=True,
                    value=_short_json(value),
                )
            )
        return ";".join(str(v) for v in value)
    problems.append(
        Problem(
            source,
            "expected text, a number or a list of ids",
            line=number,
            column=key,
            record=True,
            value=_short_json(value),
        )
    )
    return ""


def _short_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)[:80]


def read_header(data: bytes, *, source: str, max_bytes: int | None = DEFAULT_MAX_BYTES) -> list[str]:
    """Just the column names of a file, for proposing a mapping before the real import."""
    if _looks_like_json(data, source) or (max_bytes is not None and len(data) > max_bytes):
        names: list[str] = read_text_table(data, source=source, max_bytes=max_bytes).table.column_names
        return names
    data = data.removeprefix(_BOM)
    end = data.find(b"\n")
    head = data if end < 0 else data[:end]
    _check_utf8(head, source)
    if not head.strip():
        raise DoraImportError([Problem(source, "the file is empty")])
    return _header(head, source)


def raise_if_empty(text: TextTable) -> None:
    if text.table.num_rows == 0 and not text.broken_rows:
        raise DoraImportError([Problem(text.source, "the file has column names but no rows")])
