"""Read an uploaded file into a table of text: size, encoding, CSV or JSON, and spreadsheet line numbers.

Nothing is converted here: every value stays the text the file holds, so `007`,
`NA` and `None` arrive as those strings. Conversion happens column by column in
`parsing`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from assessment.dora.ingest.encoding import delimiter_of, normalise_bytes
from assessment.dora.ingest.jsonfile import read_json_columns
from assessment.dora.ingest.problems import DoraImportError, Problem

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_NOT_BLANK = re.compile(rb"\S")


@dataclass(frozen=True)
class TextTable:
    """The file's values as text, with the line (or JSON record number) each row came from."""

    source: str
    table: pa.Table
    lines: np.ndarray
    record_based: bool
    broken_rows: tuple[Problem, ...] = ()  # CSV rows with the wrong number of values
    nested: dict[str, list[int]] = field(default_factory=dict)  # JSON key -> records with a nested value


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
    data = normalise_bytes(data, source)
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
    delimiter = delimiter_of(_first_line(data))
    header = _header(data, source, delimiter)
    if data.find(b"\n") < 0 or not data[data.find(b"\n") :].strip():
        raise DoraImportError([Problem(source, "the file has column names but no rows")])
    broken: list[str] = []

    def on_invalid(row: Any) -> str:
        broken.append(row.text)
        return "skip"

    try:
        table = _arrow_csv(data, header, on_invalid, delimiter)
    except pa.ArrowInvalid as exc:
        raise DoraImportError([Problem(source, f"cannot be read as CSV: {exc}")]) from None
    if not broken:
        lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
        return _drop_blank_rows(TextTable(source, table, lines, record_based=False))
    lines, problems = _locate_broken_rows(data, source, len(header), delimiter)
    return _drop_blank_rows(TextTable(source, table, lines, record_based=False, broken_rows=problems))


def _arrow_csv(data: bytes, header: list[str], on_invalid: Callable[[Any], str], delimiter: str) -> pa.Table:
    return pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=8 << 20),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _first_line(data: bytes) -> str:
    end = data.find(b"\n")
    return (data if end < 0 else data[:end]).decode("utf-8").rstrip("\r")


def _header(data: bytes, source: str, delimiter: str = ",") -> list[str]:
    names = [name.strip() for name in next(csv.reader([_first_line(data)], delimiter=delimiter), [])]
    if not any(names):
        raise DoraImportError([Problem(source, "the first line holds no column names", line=1)])
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise DoraImportError([Problem(source, "two columns have the same name", line=1, value=name)])
        seen.add(name)
    return [name or f"(column {i})" for i, name in enumerate(names, start=1)]


def _locate_broken_rows(data: bytes, source: str, width: int, delimiter: str) -> tuple[np.ndarray, tuple[Problem, ...]]:
    """Slow path, only for files with malformed rows: find their lines with the csv module."""
    good: list[int] = []
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=delimiter)
    next(reader, None)
    for line, row in enumerate(reader, start=2):
        if len(row) == width or not row:
            good.append(line)
        else:
            problems.append(
                Problem(source, f"expected {width} values, found {len(row)}", line=line, value=delimiter.join(row))
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
    return TextTable(
        text.source, table.filter(pa.array(keep)), text.lines[keep], text.record_based, text.broken_rows, text.nested
    )


# --- JSON ------------------------------------------------------------------------------------------


def _read_json(data: bytes, source: str) -> TextTable:
    table, records, nested = read_json_columns(data, source)
    return TextTable(source, table, records, record_based=True, nested=nested)


def read_header(data: bytes, *, source: str, max_bytes: int | None = DEFAULT_MAX_BYTES) -> list[str]:
    """Just the column names of a file, for proposing a mapping before the real import."""
    if _looks_like_json(data, source) or (max_bytes is not None and len(data) > max_bytes):
        names: list[str] = read_text_table(data, source=source, max_bytes=max_bytes).table.column_names
        return names
    data = normalise_bytes(data, source)
    end = data.find(b"\n")
    head = data if end < 0 else data[:end]
    _check_utf8(head, source)
    if not head.strip():
        raise DoraImportError([Problem(source, "the file is empty")])
    return _header(head, source, delimiter_of(_first_line(head)))


def raise_if_empty(text: TextTable) -> None:
    if text.table.num_rows == 0 and not text.broken_rows:
        raise DoraImportError([Problem(text.source, "the file has column names but no rows")])
