"""SQLite: an import's rows written into temporary tables before the write lock, moved in with one statement each.

SQLite has one writer at a time, so an import that converted and inserted a million
rows inside its write transaction kept every answer save waiting for many seconds
(past the busy timeout on a loaded machine: "database is locked"). Temporary tables
belong to the connection and live in their own file: filling them takes no lock on
the database, in bounded batches. The write transaction then runs one
`INSERT ... SELECT` per file (about a second per million rows), and everything it
did commits or rolls back together, as before. The connection is closed afterwards
(`db.staging_connection`), so the tables go with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlmodel import Session

from assessment.core.db import driver_connection

BATCH_ROWS = 50_000
IMPORT_CACHE_KIB = 128 * 1024  # SQLite page cache while moving rows in


def batches(data: pa.Table) -> Iterator[tuple[int, pa.Table]]:
    """(rows done after it, batch) in order."""
    for start in range(0, data.num_rows, BATCH_ROWS):
        yield min(start + BATCH_ROWS, data.num_rows), data.slice(start, BATCH_ROWS)


def stage(session: Session, name: str, columns: list[str], data: pa.Table, step: Callable[[int], None]) -> None:
    """Write `data`'s `columns` into the temporary table `name` (made here), in order, batch by batch."""
    cursor = driver_connection(session).cursor()
    try:
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({', '.join(columns)})")
        sql = f"INSERT INTO temp.{name} VALUES ({', '.join('?' for _ in columns)})"
        for end, chunk in batches(data):
            rows = zip(*(chunk.column(c).to_pylist() for c in columns), strict=True)
            cursor.executemany(sql, rows)  # type: ignore[arg-type]  # any iterable of rows works
            step(end)
    finally:
        cursor.close()


def move_in(session: Session, name: str, table: str, columns: list[str], import_id: int, teams: dict[int, int]) -> None:
    """Upsert the staged rows into `table` in the caller's write transaction.

    `teams` maps the placeholder ids of teams created by this import (negative) to their real ids."""
    team = "team_id"
    if teams:
        team = (
            "CASE team_id " + " ".join(f"WHEN {int(k)} THEN {int(v)}" for k, v in teams.items()) + " ELSE team_id END"
        )
    chosen = ", ".join(c if c != "team_id" else team for c in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in ["import_id", *columns] if c not in ("team_id", "external_id"))
    cursor: DBAPICursor = driver_connection(session).cursor()
    try:
        cursor.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        cursor.execute(
            f"INSERT INTO {table} (import_id, {', '.join(columns)}) SELECT {int(import_id)}, {chosen} FROM temp.{name} "
            f"WHERE true ON CONFLICT (team_id, external_id) DO UPDATE SET {updates}"  # WHERE: SQLite's upsert grammar
        )
        cursor.execute(f"DROP TABLE temp.{name}")
    finally:
        cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default, for the pooled connection
        cursor.close()
