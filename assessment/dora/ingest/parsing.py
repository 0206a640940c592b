"""Convert a file's text column by column into typed canonical columns, collecting every problem.

Each problem names the file, the spreadsheet line, the column and the value.
Timestamps become whole seconds since the Unix epoch, in UTC. Checks are
vectorised (pyarrow) so a million rows convert in about a second; only rows
that fail are turned into Python objects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assessment.dora.bounds import EARLIEST_S, latest_allowed_s, range_text
from assessment.dora.formats import FORMATS, MAX_TEXT, ColumnType, Kind
from assessment.dora.ingest.jsonfile import NESTED
from assessment.dora.ingest.lists import SEPARATOR_KEY, SEPARATORS, split_lists, too_long_ids
from assessment.dora.ingest.mapping import (
    DURATION_KEY,
    PRODUCTION_KEY,
    SERVICE_KEY,
    SUCCESS_KEY,
    KindMapping,
    list_separator,
    resolve,
    words,
)
from assessment.dora.ingest.problems import DoraImportError, Problem
from assessment.dora.ingest.sources import DEFAULT_MAX_BYTES, TextTable, raise_if_empty, read_text_table

MAX_KEPT_PROBLEMS = 1000
_OFFSET = r"(?:[Zz]|[+-]\d\d(?::?\d\d)?)$"
_DATE_FIRST = r"^\d{4}-\d\d-\d\d"
_NOT_A_DATE = "is not a date and time in ISO 8601 form (such as 2024-05-31T14:03:00Z)"
_LOWER = ("status", "environment")


@dataclass(frozen=True)
class ParsedFile:
    """A valid file in canonical columns; timestamps are int64 seconds (UTC), absent values are null."""

    kind: Kind
    source: str
    table: pa.Table
    lines: np.ndarray
    skipped: tuple[Problem, ...] = ()
    skipped_rows: int = 0
    warnings: tuple[Problem, ...] = ()  # shown before anything is saved; they do not stop the import

    @property
    def rows(self) -> int:
        rows: int = self.table.num_rows
        return rows


@dataclass
class _Collector:
    """Gathers problems and the mask of rows they touch."""

    text: TextTable
    bad: np.ndarray
    headers: KindMapping = field(default_factory=dict)  # canonical column -> the file's header
    separator: str | None = None  # of change id lists, as the mapping names it (None: detect)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    total: int = 0

    def add(self, mask: np.ndarray, column: str, message: str, values: pa.ChunkedArray | None) -> None:
        self.add_rows(np.flatnonzero(mask), column, lambda _row: message, values)

    def add_rows(
        self, rows: np.ndarray, column: str, message: Callable[[int], str], values: pa.ChunkedArray | None
    ) -> None:
        if not len(rows):
            return
        self.bad[rows] = True
        self.total += len(rows)
        room = max(MAX_KEPT_PROBLEMS - len(self.problems), 0)
        for row in rows[:room]:
            value = None if values is None else str(values[int(row)].as_py())
            self.problems.append(
                Problem(
                    self.text.source,
                    message(int(row)),
                    line=int(self.text.lines[row]),
                    column=column,
                    value=value,
                    record=self.text.record_based,
                    header=self.headers.get(column),
                )
            )


def parse_file(
    data: bytes,
    *,
    source: str,
    kind: Kind,
    mapping: KindMapping | None = None,
    tz: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    skip_invalid: bool = False,
) -> ParsedFile:
    """Read and convert one file; raise DoraImportError unless every row is valid (or skipping was asked)."""
    zone = _zone(tz, source)
    text = read_text_table(data, source=source, max_bytes=max_bytes)
    raise_if_empty(text)
    resolved = resolve(kind, text.table.column_names, mapping, source)
    found = _Collector(text, np.zeros(text.table.num_rows, dtype=bool), resolved, list_separator(mapping, source))
    for name, header in resolved.items():  # a nested JSON value matters only in a column that is read
        if header in text.nested:
            nested = np.zeros(text.table.num_rows, dtype=bool)
            nested[np.asarray(text.nested[header], dtype=np.int64) - 1] = True
            found.add(nested, name, NESTED, text.table.column(header))
    typed = {
        column.name: _convert(
            found,
            column.name,
            column.type,
            column.required,
            text.table.column(resolved[column.name]) if column.name in resolved else None,
            zone,
            text.table.num_rows,
        )
        for column in FORMATS[kind]
    }
    typed.update(_settings(mapping or {}, typed, resolved))
    if DURATION_KEY in resolved:
        typed["resolved_at"] = _resolved_after(found, typed["started_at"], text.table.column(resolved[DURATION_KEY]))
    _check_rows(found, kind, typed, text, resolved)
    problems = list(text.broken_rows) + found.problems
    total = len(text.broken_rows) + found.total
    if problems and not skip_invalid:
        raise DoraImportError(_ordered(problems), total, skip_helps=bool((~found.bad).any()))
    table = pa.table(typed)
    keep = ~found.bad
    if not keep.all():
        table = table.filter(pa.array(keep))
    if table.num_rows == 0:
        raise DoraImportError([Problem(source, "no valid rows are left after skipping the invalid ones")])
    return ParsedFile(
        kind,
        source,
        table,
        text.lines[keep],
        tuple(_ordered(problems)),
        len(text.broken_rows) + int(found.bad.sum()),
        tuple(found.warnings),
    )


def _settings(mapping: KindMapping, typed: dict[str, pa.Array], resolved: KindMapping) -> dict[str, pa.Array]:
    """The mapping's settings applied: the file's own success and production words stored as the canonical
    ones, and the service of an export that names none."""
    changed: dict[str, pa.Array] = {}
    for key, column, canonical in ((SUCCESS_KEY, "status", "success"), (PRODUCTION_KEY, "environment", "production")):
        listed = words(mapping.get(key))
        if listed and column in typed:
            hit = pc.fill_null(pc.is_in(typed[column], pa.array(sorted(listed), pa.string())), False)
            changed[column] = pc.if_else(hit, pa.scalar(canonical), typed[column])
    if mapping.get(SERVICE_KEY) and "service" in typed and "service" not in resolved:
        changed["service"] = pa.array([mapping[SERVICE_KEY]] * len(typed["service"]), pa.string())
    return changed


def _resolved_after(found: _Collector, started: pa.Array, raw: pa.ChunkedArray) -> pa.Array:
    """Start plus a whole number of milliseconds (Opsgenie's `report.closeTime`); empty: not resolved."""
    values = pc.utf8_trim_whitespace(raw)
    empty = _mask(pc.equal(values, ""))
    whole = _mask(pc.match_substring_regex(values, r"^\d{1,15}$"))
    found.add(~empty & ~whole, DURATION_KEY, "is not a whole number of milliseconds (0 or more)", values)
    millis = np.zeros(len(values), dtype=np.int64)
    if whole.any():
        millis[whole] = np.asarray(pc.cast(values.filter(pa.array(whole)), pa.int64()).to_numpy(), dtype=np.int64)
    resolved = pc.add(started, pa.array(millis // 1000, pa.int64()))
    return pc.if_else(pa.array(empty | ~whole), pa.scalar(None, pa.int64()), resolved)


def _ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.column or ""))


def _zone(tz: str | None, source: str) -> ZoneInfo | None:
    if not tz:
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise DoraImportError(
            [Problem(source, f"unknown time zone {tz!r} (use a name such as Europe/Amsterdam or UTC)")]
        ) from None


def _convert(
    found: _Collector,
    name: str,
    kind: ColumnType,
    required: bool,
    raw: pa.ChunkedArray | None,
    zone: ZoneInfo | None,
    rows: int,
) -> pa.Array:
    if raw is None:
        return pa.nulls(rows, pa.int64() if kind is ColumnType.TIMESTAMP else pa.string())
    values = pc.utf8_trim_whitespace(raw)
    empty = _mask(pc.equal(values, ""))
    if required:
        found.add(empty, name, "a value is required here", None)
    if kind is ColumnType.TIMESTAMP:
        return _timestamps(found, name, values, empty, zone)
    if kind is ColumnType.ID_LIST:
        return _id_list(found, name, values, empty)
    found.add(
        _mask(pc.greater(pc.utf8_length(values), MAX_TEXT)),
        name,
        f"longer than {MAX_TEXT} characters",
        values,
    )
    if name in _LOWER:  # compared case-blind, so stored lower-case; an empty one is defaulted when stored (merge.py)
        return pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), pc.utf8_lower(values)).combine_chunks()
    return pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), values).combine_chunks()


def _mask(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)


def _id_list(found: _Collector, name: str, values: pa.ChunkedArray, empty: np.ndarray) -> pa.Array:
    """`a; b` (or `a, b`, `a b`, `["a", "b"]`) becomes `a;b`; an empty list becomes null."""
    lists = split_lists(values, empty, found.separator)
    found.add(
        too_long_ids(lists.joined, MAX_TEXT) & ~empty,
        name,
        f"an id in the list is longer than {MAX_TEXT} characters",
        values,
    )
    count = int(lists.suspicious.sum())
    if count and lists.other is not None:
        first = lists.first_other
        chosen = SEPARATORS[lists.separator] + ("" if found.separator else " (as in most cells)")
        found.warnings.append(
            Problem(
                found.text.source,
                f"{count:,} cell{'s' if count != 1 else ''} look{'s' if count == 1 else ''} like "
                f"{'a list' if count == 1 else 'lists'} with another separator than {chosen}; this one looks "
                f"separated by {SEPARATORS[lists.other]}: if that is the separator, name it "
                f'("{SEPARATOR_KEY}": "{lists.other}" in the mapping, or --list-separator {lists.other})',
                line=int(found.text.lines[first]),
                column=name,
                value=str(values[first].as_py()),
                record=found.text.record_based,
                header=found.headers.get(name),
            )
        )
    return lists.joined


def _timestamps(
    found: _Collector, name: str, values: pa.ChunkedArray, empty: np.ndarray, zone: ZoneInfo | None
) -> pa.Array:
    """ISO 8601 text to epoch seconds; an offset is needed unless a time zone was given."""
    aware = _mask(pc.match_substring_regex(values, _OFFSET))
    dated = _mask(pc.match_substring_regex(values, _DATE_FIRST))  # only these can be naive timestamps
    naive = ~aware & ~empty & dated
    found.add(~aware & ~empty & ~dated, name, _NOT_A_DATE, values)
    if zone is None:
        found.add(
            naive,
            name,
            "has no UTC offset (such as Z or +02:00): add one, or give the time zone the times were recorded in (--tz)",
            values,
        )
    seconds = np.zeros(len(values), dtype=np.int64)
    unparsed = np.zeros(len(values), dtype=bool)
    if aware.any():
        _fill(seconds, unparsed, aware, values, None)
    if zone is not None and naive.any():
        _fill_local(found, name, seconds, unparsed, naive, values, zone)
    found.add(unparsed, name, _NOT_A_DATE, values)
    missing = empty | unparsed | ~(aware | naive) | (naive if zone is None else np.zeros_like(empty))
    outside = ~missing & ((seconds < EARLIEST_S) | (seconds > latest_allowed_s()))
    found.add(outside, name, f"is outside the accepted range, {range_text()}", values)
    return pa.array(seconds, mask=missing | outside)


def _fill(
    seconds: np.ndarray, unparsed: np.ndarray, rows: np.ndarray, values: pa.ChunkedArray, local: str | None
) -> None:
    """Parse the selected rows (fast path: one Arrow cast; slow path finds the failing values)."""
    subset = values.filter(pa.array(rows))
    target = pa.timestamp("us") if local else pa.timestamp("us", tz="UTC")
    try:
        parsed = pc.cast(subset, target)
        bad = np.zeros(len(subset), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        series = pd.to_datetime(subset.to_pandas(), utc=local is None, format="ISO8601", errors="coerce")
        bad = series.isna().to_numpy()
        parsed = pa.array(series.dt.tz_localize(None) if local is None else series, type=pa.timestamp("us"))
        parsed = parsed.cast(target) if local is None else parsed
    micros = np.asarray(pc.fill_null(parsed.cast(pa.int64()), 0).to_numpy(zero_copy_only=False))
    index = np.flatnonzero(rows)
    seconds[index] = np.floor_divide(micros, 1_000_000)
    unparsed[index[bad]] = True


def _fill_local(
    found: _Collector,
    name: str,
    seconds: np.ndarray,
    unparsed: np.ndarray,
    rows: np.ndarray,
    values: pa.ChunkedArray,
    zone: ZoneInfo,
) -> None:
    """Local wall-clock times in `zone`; times that occur twice or never (clock changes) are refused."""
    local = np.zeros(len(values), dtype=np.int64)
    _fill(local, unparsed, rows, values, local=zone.key)
    index = np.flatnonzero(rows & ~unparsed)
    wall = pa.array(local[index] * 1_000_000, type=pa.timestamp("us"))
    early = pc.assume_timezone(wall, zone.key, ambiguous="earliest", nonexistent="earliest")
    late = pc.assume_timezone(wall, zone.key, ambiguous="latest", nonexistent="latest")
    early_s = np.asarray(early.cast(pa.int64()).to_numpy()) // 1_000_000
    late_s = np.asarray(late.cast(pa.int64()).to_numpy()) // 1_000_000
    seconds[index] = early_s
    unclear = np.zeros(len(values), dtype=bool)
    unclear[index[early_s != late_s]] = True
    found.add(
        unclear,
        name,
        f"this local time is ambiguous or does not exist in {zone.key} (the clocks "
        "changed): give it with its UTC offset",
        values,
    )


def _check_rows(
    found: _Collector, kind: Kind, typed: dict[str, pa.Array], text: TextTable, resolved: KindMapping
) -> None:
    """Checks across columns: durations that run backwards, and ids given twice."""
    if kind is Kind.DEPLOYMENTS:
        _before(
            found,
            typed,
            ("first_commit_at", "deployed_at"),
            "first_commit_at",
            text,
            resolved,
            "the first commit is after the deployment (a negative lead time)",
        )
    if kind is Kind.INCIDENTS:
        _before(
            found,
            typed,
            ("started_at", "resolved_at"),
            "resolved_at",
            text,
            resolved,
            "resolved_at is before started_at (a negative time to restore)",
        )
    _duplicates(found, typed, text, resolved)


def _before(
    found: _Collector,
    typed: dict[str, pa.Array],
    pair: tuple[str, str],
    blamed: str,
    text: TextTable,
    resolved: KindMapping,
    message: str,
) -> None:
    first, second = pair
    if first not in resolved or second not in resolved:
        return
    backwards = _mask(pc.fill_null(pc.less(typed[second], typed[first]), False)) & ~found.bad
    found.add(backwards, blamed, message, text.table.column(resolved[blamed]))


def _duplicates(found: _Collector, typed: dict[str, pa.Array], text: TextTable, resolved: KindMapping) -> None:
    """Every repeat of an id (per team) is a problem that points at the line where it first appeared."""
    ids = typed["id"]
    key = (
        ids
        if typed["team"].null_count == len(ids)
        else pc.binary_join_element_wise(pc.fill_null(typed["team"], ""), pc.fill_null(ids, ""), "\x1f")
    )
    if len(pc.unique(key)) == len(key):
        return
    series = pd.Series(key.to_numpy(zero_copy_only=False))
    repeated = series.duplicated(keep="first").to_numpy() & ~found.bad
    firsts = series[series.isin(set(series[repeated])) & ~series.duplicated(keep="first")]
    first_line = {value: int(text.lines[row]) for row, value in zip(firsts.index, firsts, strict=True)}
    where = "record" if text.record_based else "line"
    found.add_rows(
        np.flatnonzero(repeated),
        "id",
        lambda row: f"duplicate id: the same id is on {where} {first_line[series.iloc[row]]}",
        text.table.column(resolved["id"]),
    )
