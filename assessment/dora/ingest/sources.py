"""Read an uploaded file into a table of text: size, encoding, CSV or JSON, and spreadsheet line numbers.

Nothing is converted here: every value stays the text the file holds, so `007`,
`NA` and `None` arrive as those strings. Conversion happens column by column in
`parsing`.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass, field

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
    """Arrow reads the file whole, on its own threads, with no Python code called back from them.

    When Arrow refuses the file (a row with the wrong number of values, a quote that never
    closes) or reads fewer rows than the file has lines (a quoted value spans lines, so line
    numbers shift, or a quote swallowed the rest of the file), the file is read again row by
    row. Arrow's invalid-row callback is not used: called from its reader threads, it left
    callbacks queued when another block failed, and the process hung or aborted at exit.
    """
    delimiter = delimiter_of(_first_line(data))
    header = _header(data, source, delimiter)
    if data.find(b"\n") < 0 or not data[data.find(b"\n") :].strip():
        raise DoraImportError([Problem(source, "the file has column names but no rows")])
    try:
        table: pa.Table | None = _arrow_csv(data, header, delimiter)
    except pa.ArrowInvalid:
        table = None
    if table is None or table.num_rows != _line_count(data) - 1:
        return _drop_blank_rows(_read_csv_rows(data, source, header, delimiter))
    lines = np.arange(2, table.num_rows + 2, dtype=np.int64)
    return _drop_blank_rows(TextTable(source, table, lines, record_based=False))


def _arrow_csv(data: bytes, header: list[str], delimiter: str) -> pa.Table:
    return pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(column_names=header, skip_rows=1, block_size=8 << 20),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )


def _line_count(data: bytes) -> int:
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


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


def _read_csv_rows(data: bytes, source: str, header: list[str], delimiter: str) -> TextTable:
    """Row by row with the csv module: the line each row starts on, rows with the wrong number of values, and a
    quote that never closes (a whole-file problem: it swallows every row after it)."""
    text = data.decode("utf-8")
    width = len(header)
    rows: list[list[str]] = []
    good: list[int] = []
    broken: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader, None)
    start = last = reader.line_num + 1
    try:
        for row in reader:
            if len(row) == width:
                rows.append(row)
                good.append(start)
            elif row:
                broken.append(_broken_row(source, row, width, delimiter, start, reader.line_num))
            last, start = start, reader.line_num + 1
    except csv.Error:  # a value over the csv module's limit (128 KB): a quote that closes far later, or never
        raise DoraImportError([_long_value(source, start, text)], skip_helps=False) from None
    if reader.line_num > last and _ends_quoted(text, last, delimiter):
        raise DoraImportError([Problem(source, _UNCLOSED, line=last)], skip_helps=False)  # nothing after it is a row
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    table = pa.table({name: pa.array(column, pa.string()) for name, column in zip(header, columns, strict=True)})
    return TextTable(source, table, np.asarray(good, dtype=np.int64), record_based=False, broken_rows=tuple(broken))


def _broken_row(source: str, row: list[str], width: int, delimiter: str, start: int, end: int) -> Problem:
    message = f"expected {width} values, found {len(row)}"
    if end > start:
        message += f"; the row runs on to line {end} because a quoted value spans lines (is a closing quote missing?)"
    return Problem(source, message, line=start, value=delimiter.join(row))


_UNCLOSED = (
    "a quoted value starts in this row and never ends (its closing quote is missing), so the rest of the file "
    "would be read as one value; add the closing quote or remove the opening one"
)
_END = "end of file"


def _ends_quoted(text: str, line: int, delimiter: str) -> bool:
    """Whether the file ends inside a quoted value of the row starting at `line` (its last row).

    A line after the file's end is read with it: a reader outside quotes gives it back as a row of its own.
    """
    tail = "".join(itertools.islice(io.StringIO(text, newline=""), line - 1, None))
    try:
        rows = list(csv.reader(io.StringIO(f"{tail}\n{_END}", newline=""), delimiter=delimiter))
    except csv.Error:
        return True  # the line after the end made the value too long: it was still open
    return not rows or rows[-1] != [_END]


def _long_value(source: str, line: int, text: str) -> Problem:
    first = next(itertools.islice(io.StringIO(text, newline=""), line - 1, None), "")
    limit = f"{csv.field_size_limit() // 1024} KB"
    if '"' not in first:
        return Problem(source, f"a value in this row is longer than {limit}; is this a CSV export?", line=line)
    message = (
        f"a quoted value starts in this row and runs on for more than {limit}, over many lines: its closing "
        "quote is probably missing; add it where the value should end, or remove the opening one"
    )
    return Problem(source, message, line=line)


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
