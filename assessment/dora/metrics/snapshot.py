"""Connections that see exactly the DORA rows a session sees, so two can read at once.

The metrics read on raw DB-API cursors (no ORM): `Run` runs SQL with :name parameters on
one. When a second connection can see exactly the session's rows (`snapshot_readers`),
the read is shared between two, and the database's work runs on two cores.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import NullPool, Pool, QueuePool
from sqlmodel import Session

from assessment.core.db import driver_connection

_NAMED = re.compile(r"(?<!:):(\w+)")  # :name, but not a ::cast


Run = Callable[[str, dict[str, Any]], list[tuple[Any, ...]]]  # SQL with :name parameters -> rows


def runner(dbapi_connection: DBAPIConnection, pg: bool) -> Run:
    """Run SQL with :name parameters on a raw DB-API connection (its cursor, no ORM)."""

    def run(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(_NAMED.sub(r"%(\1)s", sql) if pg else sql, params)
            return list(cursor.fetchall()) if cursor.description is not None else []
        finally:
            cursor.close()

    return run


def session_runner(session: Session) -> tuple[Run, bool]:
    """The runner of the session's own connection, and whether it is PostgreSQL."""
    connection = session.connection()
    pg = connection.dialect.name == "postgresql"
    return runner(driver_connection(session), pg), pg


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
    mine, pg = session_runner(session)
    if pg:
        written, isolation = mine(
            "SELECT pg_current_xact_id_if_assigned() IS NOT NULL, current_setting('transaction_isolation')",
            {},
        )[0]
        shared = isolation in ("repeatable read", "serializable")
        # in autocommit the exported snapshot would end with its own statement, before anyone imports it
        autocommit = driver_connection(session).autocommit
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
        or not driver_connection(session).in_transaction
    ):
        yield None
        return
    seen = mine(FINGERPRINT, {})  # starts the session's snapshot if nothing has yet
    raw = engine.raw_connection()
    try:
        other = runner(driver_connection(raw), False)
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
    dbapi = driver_connection(raw)
    try:
        dbapi.autocommit = True  # the transaction below is begun by hand
        run = runner(dbapi, True)
        run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", {})
        try:
            run(f"SET TRANSACTION SNAPSHOT '{snapshot}'", {})  # pg_export_snapshot's id: hex digits and dashes
            yield run
        finally:
            run("ROLLBACK", {})
    finally:
        dbapi.autocommit = False
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
