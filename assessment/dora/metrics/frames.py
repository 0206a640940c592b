"""Read stored DORA rows for a set of teams and a window into Arrow tables, one query per table.

Each query aggregates every column into one string (`group_concat` on SQLite,
`string_agg` on PostgreSQL): numbers joined by commas, text joined by the unit
separator (U+001F), and the nulls of the table's nullable columns as one digit per
row. A million rows thus cross from the database as a few strings that numpy and
Arrow split in C, instead of a million Python tuples or JSON values (about half the
time of `json_group_array` plus `json.loads`). A text value that holds the separator
itself is found by counting the pieces, and then that query is read again as JSON
arrays, which keep any character intact. The aggregates of one query all see the
rows in the same order, so the columns line up.

When a second connection can see exactly the session's rows (`snapshot_readers`), the
two read halves of the teams at once: the work is the database's, on two cores.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import NullPool, Pool, QueuePool
from sqlmodel import Session

from assessment.dora.formats import PRODUCTION_ENVIRONMENTS, SUCCESS_STATUSES
from assessment.dora.metrics.window import Window

_NAMED = re.compile(r"(?<!:):(\w+)")  # :name, but not a ::cast


@dataclass(frozen=True)
class Frames:
    """What the metrics need: counted deployments (window plus look-back), changes, incidents in the window."""

    deployments: pa.Table  # team_id, external_id, service, deployed_s, change_ids, first_commit_s; window rows first
    changes: pa.Table  # team_id, external_id, committed_s
    incidents: pa.Table  # team_id, external_id, service, started_s, resolved_s, deployment_id, change_id
    not_counted: pa.Table  # team_id, external_id, status, environment (in the window, not counted)
    outside: dict[tuple[int, str], int]  # (team_id, kind) -> rows outside the window


Run = Callable[[str, dict[str, Any]], list[tuple[Any, ...]]]  # SQL with :name parameters -> rows


def _runner(dbapi_connection: Any, pg: bool) -> Run:
    """Run SQL with :name parameters on a raw DB-API connection (its cursor, no ORM)."""

    def run(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(_NAMED.sub(r"%(\1)s", sql) if pg else sql, params)
            return list(cursor.fetchall()) if cursor.description is not None else []
        finally:
            cursor.close()

    return run


def _session_runner(session: Session) -> tuple[Run, bool]:
    """The runner of the session's own connection, and whether it is PostgreSQL."""
    connection = session.connection()
    pg = connection.dialect.name == "postgresql"
    return _runner(connection.connection.dbapi_connection, pg), pg


def _driver_connection(session: Session) -> DBAPIConnection:
    """The driver's connection under the session's (SQLAlchemy types it optional: it is None once detached)."""
    dbapi_connection = session.connection().connection.dbapi_connection
    if dbapi_connection is None:
        raise RuntimeError("the session's database connection is detached")
    return dbapi_connection


def _query(session: Session, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run SQL with :name parameters on the raw cursor of the session's connection."""
    run, _ = _session_runner(session)
    return run(sql, params)


# Changes with every write of DORA rows: each import (store.py, and an organisation's import in
# interchange/bundle.py) adds a dora_import row in the transaction that writes its rows, and rows go only with
# their team, organisation or import. Typed figures are not in it: the metrics do not read them.
FINGERPRINT = (
    "SELECT (SELECT max(id) FROM dora_import), (SELECT count(*) FROM dora_import), (SELECT count(*) FROM team)"
)


@contextmanager
def snapshot_readers(session: Session) -> Iterator[tuple[Run, Run, bool] | None]:
    """Two connections that see exactly the DORA rows the session sees, or None (read on the session's alone).

    SQLite (a file in WAL mode): a second connection from the engine's pool opens its read
    transaction, then the fingerprint of both snapshots must agree, the session's taken first
    so a write committed between the two shows. An uncommitted DORA write of the session (the
    import's cross-check runs inside its write transaction) shows the same way.
    PostgreSQL: the session exports its snapshot and the other connection(s) import it; in
    READ COMMITTED, where each statement of the session sees newer commits, both readers are
    new connections, so all reads share that one snapshot. A session that has written
    anything keeps the single connection (an imported snapshot does not see its writes).
    A memory or rollback-journal database, a session outside a transaction (each of its reads
    would see the newest rows), or a pool with no connection to spare gives None.
    """
    engine = session.connection().engine
    mine, pg = _session_runner(session)
    if pg:
        written, isolation = mine(
            "SELECT pg_current_xact_id_if_assigned() IS NOT NULL, current_setting('transaction_isolation')",
            {},
        )[0]
        shared = isolation in ("repeatable read", "serializable")
        # in autocommit the exported snapshot would end with its own statement, before anyone imports it
        autocommit = _driver_connection(session).autocommit
        if written or autocommit or not _spare_connections(engine.pool, 1 if shared else 2):
            yield None
            return
        snapshot = mine("SELECT pg_export_snapshot()", {})[0][0]
        with ExitStack() as stack:
            try:
                readers: tuple[Run, Run, bool] | None = (
                    mine if shared else stack.enter_context(_imported(engine, snapshot)),
                    stack.enter_context(_imported(engine, snapshot)),
                    True,
                )
            except sa.exc.OperationalError:  # the server has no connection to give: read on the session's
                stack.close()
                readers = None
            yield readers
        return
    if (
        engine.url.database in (None, "", ":memory:")
        or "memory" in str(engine.url.query.get("mode", ""))
        or not _spare_connections(engine.pool, 1)
        or str(mine("PRAGMA journal_mode", {})[0][0]).lower() != "wal"
        # without BEGIN (the driver's own transaction handling) each read takes the newest snapshot
        or not _driver_connection(session).in_transaction
    ):
        yield None
        return
    seen = mine(FINGERPRINT, {})  # starts the session's snapshot if nothing has yet
    raw = engine.raw_connection()
    try:
        other = _runner(raw.dbapi_connection, False)
        other("BEGIN", {})
        try:
            yield (mine, other, False) if other(FINGERPRINT, {}) == seen else None
        finally:
            other("ROLLBACK", {})
    finally:
        raw.close()


@contextmanager
def _imported(engine: Engine, snapshot: str) -> Iterator[Run]:
    """A pooled PostgreSQL connection in a read-only REPEATABLE READ transaction on `snapshot`."""
    raw = engine.raw_connection()
    dbapi = raw.dbapi_connection
    try:
        dbapi.autocommit = True  # type: ignore[union-attr]  # the transaction below is begun by hand
        run = _runner(dbapi, True)
        run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", {})
        try:
            run(f"SET TRANSACTION SNAPSHOT '{snapshot}'", {})  # pg_export_snapshot's id: hex digits and dashes
            yield run
        finally:
            run("ROLLBACK", {})
    finally:
        dbapi.autocommit = False  # type: ignore[union-attr]
        raw.close()


def _spare_connections(pool: Pool, wanted: int) -> bool:
    """Whether the pool can hand out `wanted` more connections now, without waiting for one to come back."""
    if isinstance(pool, NullPool):
        return True
    if not isinstance(pool, QueuePool):  # a static or per-thread pool: one connection only
        return False
    limit = getattr(pool, "_max_overflow", 0)
    room = wanted if limit < 0 else max(0, limit - pool.overflow())
    return pool.checkedin() + room >= wanted


SEPARATOR = "\x1f"  # the unit separator: between the text values of one column
# Arrow's default allocator (mimalloc) asks the kernel for huge pages, and the first touch of
# them costs more system time than the whole computation (0.4 to 0.6 s of CPU for a million
# rows on the development machine); the C library's allocator does not. The large buffers of
# reading and computing the metrics come from this pool; the rest of the app keeps the default.
POOL = pa.system_memory_pool()


class _SeparatorInValue(Exception):
    """A text value holds SEPARATOR, so splitting the joined column would not give one piece per row."""


@dataclass(frozen=True)
class _Field:
    """One column to read: its name in the frame, its Arrow type (int64 or string), its stored column."""

    name: str
    kind: pa.DataType
    column: str
    nullable: bool = False


@dataclass(frozen=True)
class _Read:
    fields: tuple[_Field, ...]  # at most three nullable ones: their null bits make one digit per row

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


def _joined(f: _Field, pg: bool) -> str:
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


def _teams(team_ids: list[int]) -> str:
    return ", ".join(str(int(t)) for t in team_ids) or "NULL"


_TEAM_ID = (_Field("team_id", pa.int64(), "team_id"), _Field("external_id", pa.string(), "external_id"))
# every deployment of the window and look-back; status and environment sort them into counted or not in Arrow,
# which is cheaper than a second scan of the table for the ones not counted
DEPLOYMENTS = _Read(
    (
        *_TEAM_ID,
        _Field("service", pa.string(), "service"),
        _Field("deployed_s", pa.int64(), "deployed_epoch_s"),
        _Field("change_ids", pa.string(), "change_ids", nullable=True),
        _Field("first_commit_s", pa.int64(), "first_commit_epoch_s", nullable=True),
        _Field("status", pa.string(), "status"),
        _Field("environment", pa.string(), "environment"),
    )
)
CHANGES = _Read((*_TEAM_ID, _Field("committed_s", pa.int64(), "committed_epoch_s")))
INCIDENTS = _Read(
    (
        *_TEAM_ID,
        _Field("service", pa.string(), "service"),
        _Field("started_s", pa.int64(), "started_epoch_s"),
        _Field("resolved_s", pa.int64(), "resolved_epoch_s", nullable=True),
        _Field("deployment_id", pa.string(), "deployment_external_id", nullable=True),
        _Field("change_id", pa.string(), "change_external_id", nullable=True),
    )
)


def _sources(teams: str) -> dict[_Read, str]:
    """What each read takes of its table: these teams' rows of the window (and look-back)."""
    return {
        DEPLOYMENTS: f"""dora_deployment WHERE team_id IN ({teams})
                AND deployed_epoch_s >= :from AND deployed_epoch_s < :until""",
        CHANGES: f"dora_change WHERE team_id IN ({teams}) AND committed_epoch_s < :until",
        INCIDENTS: f"""dora_incident WHERE team_id IN ({teams})
                AND started_epoch_s >= :since AND started_epoch_s < :until""",
    }


def load_frames(session: Session, *, team_ids: list[int], window: Window, lookback_s: int) -> Frames:
    """Every row the metrics of these teams over this window can use.

    With a second connection that sees exactly the session's data (`snapshot_readers`),
    the teams are cut in two halves of about equal rows and each connection reads one
    half, on two cores; otherwise the queries run one after the other on the session's
    connection. Either way each result is split into columns on another thread while the
    database works on the next query (both drivers let go of the GIL while they wait).
    """
    span = {"since": window.since_s, "until": window.until_s, "from": window.since_s - lookback_s}
    with snapshot_readers(session) as readers:
        if readers is None:
            run, pg = _session_runner(session)
            everything, changes, incidents, totals = _read_one(run, pg, team_ids, span)
        else:
            everything, changes, incidents, totals = _read_two(readers, team_ids, span)
    counted = _mask(pc.is_in(everything["status"], pa.array(sorted(SUCCESS_STATUSES)), memory_pool=POOL)) & _mask(
        pc.is_in(everything["environment"], pa.array(sorted(PRODUCTION_ENVIRONMENTS)), memory_pool=POOL)
    )
    deployed = np.asarray(everything["deployed_s"].to_numpy(), dtype=np.int64)
    inside_window = deployed >= window.since_s
    # counted rows of the window first, then those of the look-back: the metrics take the window as a slice
    order = np.concatenate([np.flatnonzero(counted & inside_window), np.flatnonzero(counted & ~inside_window)])
    deployments = pc.take(everything.drop_columns(["status", "environment"]), pa.array(order), memory_pool=POOL)
    not_counted = pc.filter(
        everything.select(["team_id", "external_id", "status", "environment"]),
        pa.array(~counted & inside_window),
        memory_pool=POOL,
    )
    teams_in_window = np.asarray(everything["team_id"].to_numpy(), dtype=np.int64)[inside_window]
    inside = {"deployments": _per_team(teams_in_window), "incidents": _per_team(incidents["team_id"])}
    return Frames(deployments, changes, incidents, not_counted, _outside(totals, inside))


Tables = tuple[
    pa.Table, pa.Table, pa.Table, dict[str, list[tuple[Any, ...]]]
]  # deployments, changes, incidents, totals


def _read_one(run: Run, pg: bool, team_ids: list[int], span: dict[str, int]) -> Tables:
    """Every table on one connection, one query after the other."""
    teams = _teams(team_ids)
    sources = _sources(teams)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = [
            (read, source, pool.submit(read.decode, read.fetch(run, pg, source, span)))
            for read, source in sources.items()
        ]
        totals = _totals(run, teams)
        tables = [future.result() for _, _, future in pending]
    everything, changes, incidents = (
        table if table is not None else read.json_table(run, pg, source, span)
        for table, (read, source, _) in zip(tables, pending, strict=True)
    )
    return everything, changes, incidents, totals


def _read_two(readers: tuple[Run, Run, bool], team_ids: list[int], span: dict[str, int]) -> Tables:
    """Deployments and changes of the lower half of the teams on the first connection, the upper half's on the second.

    The first connection counts each team's rows first (`_totals`, needed anyway), which
    cuts the teams into two halves of about equal deployments; the second reads the
    incidents meanwhile. The halves are joined lower half first: each team's rows keep
    their order, the same order the single query gives.
    """
    first, second, pg = readers
    teams = _teams(team_ids)
    cut: Future[tuple[str, str]] = Future()

    def read(run: Run, what: _Read, source: str) -> tuple[Run, _Read, str, Future[pa.Table | None]]:
        return run, what, source, decoder.submit(what.decode, what.fetch(run, pg, source, span))

    def upper_half() -> list[tuple[Run, _Read, str, Future[pa.Table | None]]]:
        done = [read(second, INCIDENTS, _sources(teams)[INCIDENTS])]
        upper = _sources(cut.result()[1])
        return [*done, read(second, DEPLOYMENTS, upper[DEPLOYMENTS]), read(second, CHANGES, upper[CHANGES])]

    with ThreadPoolExecutor(max_workers=1) as decoder, ThreadPoolExecutor(max_workers=1) as lane:
        other = lane.submit(upper_half)
        try:
            totals = _totals(first, teams)
            lower_ids, upper_ids = _halves(team_ids, totals["deployments"])
            cut.set_result((_teams(lower_ids), _teams(upper_ids)))
        except BaseException:
            cut.set_result(("NULL", "NULL"))  # let the second connection finish before raising
            other.result()
            raise
        lower = _sources(cut.result()[0])
        mine = [read(first, DEPLOYMENTS, lower[DEPLOYMENTS]), read(first, CHANGES, lower[CHANGES])]
        theirs = other.result()
        tables = [(future.result(), run, what, source) for run, what, source, future in mine + theirs]
    # a part whose text holds the separator is read again as JSON, on its own connection (same snapshot)
    incidents, dep_low, chg_low, dep_high, chg_high = (
        table if table is not None else what.json_table(run, pg, source, span)
        for table, run, what, source in [tables[2], tables[0], tables[1], tables[3], tables[4]]
    )
    return (
        pa.concat_tables([dep_low, dep_high]),
        pa.concat_tables([chg_low, chg_high]).combine_chunks(POOL),
        incidents,
        totals,
    )


def _halves(team_ids: list[int], counts: list[tuple[Any, ...]]) -> tuple[list[int], list[int]]:
    """The teams cut by id into a lower and an upper half of about equal rows (counted by `_totals`)."""
    ids = sorted({int(t) for t in team_ids})
    rows = {int(team): int(n) for team, n in counts}
    running = np.cumsum([rows.get(t, 0) for t in ids])
    at = int(np.searchsorted(running, running[-1] / 2)) + 1 if len(ids) else 0
    return ids[:at], ids[at:]


def _mask(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)


def _per_team(teams: pa.ChunkedArray | np.ndarray) -> dict[int, int]:
    ids = np.asarray(teams if isinstance(teams, np.ndarray) else teams.to_numpy(), dtype=np.int64)
    if len(ids) == 0:
        return {}
    counts = np.bincount(ids - ids.min())
    present = np.flatnonzero(counts)
    return dict(zip((present + ids.min()).tolist(), counts[present].tolist(), strict=True))


def _totals(run: Run, teams: str) -> dict[str, list[tuple[Any, ...]]]:
    """Each team's number of deployments and incidents, in or out of any window (index-only counts)."""
    return {
        kind: run(f"SELECT team_id, count(*) FROM {table} WHERE team_id IN ({teams}) GROUP BY team_id", {})
        for kind, table in (("deployments", "dora_deployment"), ("incidents", "dora_incident"))
    }


def _outside(totals: dict[str, list[tuple[Any, ...]]], inside: dict[str, dict[int, int]]) -> dict[tuple[int, str], int]:
    """Rows outside the window: each team's total minus the rows read."""
    counts: dict[tuple[int, str], int] = {}
    for kind, rows in totals.items():
        for team, total in rows:
            if int(total) - inside[kind].get(int(team), 0):
                counts[(int(team), kind)] = int(total) - inside[kind].get(int(team), 0)
    return counts


def latest_event_s(session: Session, *, team_ids: list[int]) -> int | None:
    """The newest deployment or incident time of these teams (for the default window)."""
    teams = _teams(team_ids)
    rows = _query(
        session,
        f"""SELECT max(t) FROM (
        SELECT max(deployed_epoch_s) AS t FROM dora_deployment WHERE team_id IN ({teams})
        UNION ALL SELECT max(started_epoch_s) FROM dora_incident WHERE team_id IN ({teams})) latest""",
        {},
    )
    return None if not rows or rows[0][0] is None else int(rows[0][0])


def has_data(session: Session, *, team_id: int) -> bool:
    return latest_event_s(session, team_ids=[team_id]) is not None
