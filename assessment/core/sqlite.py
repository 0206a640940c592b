"""SQLite connections: pragmas, BEGIN IMMEDIATE for writers, and a database file that must stay the same file.

Connections open the file with `mode=rw`, so nothing but `create_file` (used by
`foundations db upgrade` alone) ever creates a database: a mistyped path or a deleted
file is an error, never a new empty database.

A connection keeps the file it opened even when that file is deleted or replaced
underneath it (a restore, a cleanup script): its writes then go to a file nobody
will open again, and the page says "Saved". So each connection remembers the
identity (device and inode) of the file it opened, and
- on checkout from the pool, a connection whose path now names another file, or
  none, is refused with a sentence saying which and what to do;
- a write transaction checks again once it holds the write lock and again before
  it commits, so a file deleted meanwhile is not written to either.
A replaced file is not reopened behind the user's back: its old write-ahead log can
still lie beside it, and a restore is done with the app stopped (README).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.core.failures import ADMIN, StorageError

IMMEDIATE = "foundations_begin_immediate"
_FILE = "foundations_file"

Identity = tuple[int, int] | None


def identity(path: str) -> Identity:
    """(device, inode) of the file at `path`, None when there is none."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino)


def create_file(path: str) -> bool:
    """Create an empty database file at `path` unless one exists; True when it was created."""
    if os.path.exists(path):
        return False
    if not Path(path).parent.is_dir():
        raise StorageError(
            f"the folder of the database file {path} does not exist",
            "create the folder or correct FOUNDATIONS_DATABASE_URL",
            what="No database was created",
        )
    sqlite3.connect(path).close()
    return True


def engine_for(url: str, path: str | None, busy_timeout_ms: int, synchronous: str = "normal", **pool: Any) -> Engine:
    """A SQLite engine on `url`; `path` (absolute) is its file, None for an in-memory database."""
    if path is None:
        engine = sa.create_engine(url, connect_args={"check_same_thread": False}, **pool)
    else:
        uri = f"file:{quote(path)}?mode=rw"
        engine = sa.create_engine(
            url, creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=0), **pool
        )
    _configure(engine, path, busy_timeout_ms, synchronous)
    return engine


def _configure(engine: Engine, path: str | None, busy_timeout_ms: int, synchronous: str) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event emit BEGIN
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys = ON")
        if path is not None:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute(f"PRAGMA synchronous = {'FULL' if synchronous == 'full' else 'NORMAL'}")  # README: Durability
            record.info[_FILE] = identity(path)
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        if immediate and path is not None:
            _still_the_same_file(conn, path)

    if path is None:
        return

    @sa.event.listens_for(engine, "checkout")
    def _on_checkout(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        refuse_another_file(path, record.info.get(_FILE))

    @sa.event.listens_for(engine, "commit")
    def _on_commit(conn: sa.Connection) -> None:
        if conn.get_execution_options().get(IMMEDIATE, False):
            _still_the_same_file(conn, path)


def _still_the_same_file(conn: sa.Connection, path: str) -> None:
    """Refuse the write when `path` no longer names the file this connection writes to."""
    try:
        refuse_another_file(path, conn.info.get(_FILE))
    except StorageError:
        conn.invalidate()  # it writes to a file nobody will read again: never hand it out again
        raise


def refuse_another_file(path: str, opened: Identity) -> None:
    """Raise when the file at `path` is not the one opened (deleted, or replaced by a restore or a copy).

    A replaced file is not simply reopened: its old write-ahead log may still be beside
    it, and a restore belongs with the app stopped. Restarting opens the new file.
    """
    now = identity(path)
    if now == opened:
        return
    if now is None:
        raise StorageError(
            f"the database file {path} was deleted while Foundations was running",
            f"{ADMIN} to restore it from a backup",
        )
    raise StorageError(
        f"the database file {path} was replaced while Foundations was running",
        "restart Foundations (or ask the administrator to) so that it opens the new file",
    )
