"""Read one table's rows as a few joined strings, and split them back into Arrow columns.

Each query aggregates every column into one string (`group_concat` on SQLite,
`string_agg` on PostgreSQL): numbers joined by commas, text joined by the unit
separator (U+001F), and the nulls of the table's nullable columns as one digit per
row. A million rows thus cross from the database as a few strings that numpy and
Arrow split in C, instead of a million Python tuples or JSON values (about half the
time of `json_group_array` plus `json.loads`). A text value that holds the separator
itself is found by counting the pieces, and then that query is read again as JSON
arrays, which keep any character intact. The aggregates of one query all see the
rows in the same order, so the columns line up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assessment.dora.metrics.pool import POOL
from assessment.dora.metrics.snapshot import Run

SEPARATOR = "\x1f"  # the unit separator: between the text values of one column


class _SeparatorInValue(Exception):
    """A text value holds SEPARATOR, so splitting the joined column would not give one piece per row."""


@dataclass(frozen=True)
class Field:
    """One column to read: its name in the frame, its Arrow type (int64 or string), its stored column."""

    name: str
    kind: pa.DataType
    column: str
    nullable: bool = False


@dataclass(frozen=True)
class Read:
    fields: tuple[Field, ...]  # at most three nullable ones: their null bits make one digit per row

    def fetch(self, run: Run, pg: bool, source: str, params: dict[str, Any]) -> tuple[Any, ...]:
        """The one row of joined columns (the database's share of the work).

        The nulls of all nullable columns come as one digit per row, bit i set when the i-th
        nullable column is null: one aggregate instead of one per column.
        """
        exprs = ["count(*)", *(_joined(f, pg) for f in self.fields)]
        nullable = [f.column for f in self.fields if f.nullable]
        if nullable:
            bits = " + ".join(f"{1 << i} * ({c} IS NULL){'::int' if pg else ''}" for i, c in enumerate(nullable))
            exprs.append(f"string_agg(({bits})::text, '')" if pg else f"group_concat({bits}, '')")
        return run(f"SELECT {', '.join(exprs)} FROM {source}", {**params, "sep": SEPARATOR})[0]

    def decode(self, row: tuple[Any, ...]) -> pa.Table | None:
        """The Arrow table of a fetched row; None when a text value holds the separator (read it as JSON)."""
        try:
            return self._decode(row)
        except _SeparatorInValue:
            return None

    def _decode(self, row: tuple[Any, ...]) -> pa.Table:
        rows = int(row[0])
        marks = _null_bits(row[-1], rows) if any(f.nullable for f in self.fields) else None
        columns: dict[str, pa.Array] = {}
        bit = 0
        for f, text in zip(self.fields, row[1:], strict=False):
            valid = None
            if f.nullable and marks is not None:
                valid = (marks & (1 << bit)) == 0
                bit += 1
            present = rows if valid is None else int(valid.sum())
            columns[f.name] = (
                _strings(text, present, valid) if f.kind == pa.string() else _integers(text, present, valid)
            )
        return pa.table(columns)

    def json_table(self, run: Run, pg: bool, source: str, params: dict[str, Any]) -> pa.Table:
        """The slow, exact way: every column as a JSON array."""
        aggregate = "json_agg({})::text" if pg else "json_group_array({})"
        exprs = ", ".join(aggregate.format(f.column) for f in self.fields)
        row = run(f"SELECT {exprs} FROM {source}", params)[0]
        return pa.table(
            {
                f.name: pa.array(json.loads(text) if text else [], type=f.kind)
                for text, f in zip(row, self.fields, strict=True)
            }
        )


def _joined(f: Field, pg: bool) -> str:
    """The aggregate joining one column's non-null values (both backends skip nulls)."""
    if pg:
        return f"string_agg({f.column}, :sep)" if f.kind == pa.string() else f"string_agg({f.column}::text, ',')"
    # the separator written into the SQL, not bound: with a bound one, SQLite copies it for every row
    # (a malloc each, behind SQLite's global memory mutex), a third slower alone and no faster on two threads
    return f"group_concat({f.column}, '{SEPARATOR}')" if f.kind == pa.string() else f"group_concat({f.column}, ',')"


def _null_bits(marks: str | None, rows: int) -> np.ndarray:
    """One digit per row (bit i: the i-th nullable column is null) as small integers."""
    if not marks:
        return np.zeros(rows, dtype=np.uint8)
    return np.frombuffer(marks.encode("ascii"), dtype=np.uint8) - ord("0")


def _integers(text: str | None, present: int, valid: np.ndarray | None) -> pa.Array:
    values = np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, dtype=np.int64)
    if len(values) != present:
        raise ValueError(f"read {len(values)} numbers where {present} were stored")
    if valid is None or present == len(valid):
        return pa.array(values)
    full = np.zeros(len(valid), dtype=np.int64)
    full[valid] = values
    return pa.array(full, mask=~valid)


def _strings(text: str | None, present: int, valid: np.ndarray | None) -> pa.Array:
    """Split the joined text; nulls are spliced in by repeating offsets (no copy of the characters)."""
    if present == 0:
        return pa.nulls(0 if valid is None else len(valid), pa.string())
    small = len(text or "") * 4 < 2**31  # 32-bit offsets hold it whatever its characters: no cast afterwards
    joined = pa.array([text or ""], pa.string() if small else pa.large_string(), memory_pool=POOL)
    values = pc.list_flatten(pc.split_pattern(joined, SEPARATOR, memory_pool=POOL))
    if len(values) != present:
        raise _SeparatorInValue
    values = values if small else values.cast(pa.string(), memory_pool=POOL)
    if valid is None or present == len(valid):
        return values
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[values.offset : values.offset + present + 1]
    spread = offsets[np.concatenate([[0], np.cumsum(valid)])]
    return pa.StringArray.from_buffers(
        len(valid),
        pa.py_buffer(spread),
        values.buffers()[2],
        pa.py_buffer(np.packbits(valid, bitorder="little")),
        int((~valid).sum()),
    )
