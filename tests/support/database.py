"""Real test databases: an empty SQLite file or PostgreSQL schema per test, migrated copies, and row counts.

Without FOUNDATIONS_TEST_DATABASE_URL every database is a SQLite file; with it (a
PostgreSQL URL) every database is a schema of its own in that database, dropped after.
Migrating (and loading the demo) for each test would cost more than most tests, so on
SQLite a database built once per run is copied instead: a copy of a file made by the
same code is the same real database. On PostgreSQL each test builds its own.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.core.config import get_settings
from assessment.demo import load_demo

PG_URL = os.environ.get("FOUNDATIONS_TEST_DATABASE_URL")


@contextmanager
def empty_database(folder: Path) -> Iterator[str]:
    """URL of an empty database: a SQLite file in `folder`, or a fresh PostgreSQL schema dropped afterwards."""
    if not PG_URL:
        yield f"sqlite:///{folder / 'test.db'}"
        return
    with db.scratch_schema(PG_URL, "t") as url:
        yield url


def create_empty(url: str) -> None:
    """Create the empty SQLite file at `url` as `db upgrade` would (connections never create one); no-op elsewhere."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        sqlite3.connect(parsed.database).close()


def prepare(engine: Engine, *, demo: bool = False) -> None:
    """Migrate `engine`'s database to the newest schema and, with `demo`, load the demo organisation."""
    db.upgrade(engine)
    if demo:
        with db.write_session(engine) as session:
            load_demo(session, bank=default_bank())


class SqliteTemplates:
    """Migrated SQLite files (without and with the demo data), each built on first use and copied per test."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, *, demo: bool = False) -> Path:
        path = self.folder / ("demo.db" if demo else "migrated.db")
        if not path.exists():
            engine = db.make_engine(f"sqlite:///{path}")
            prepare(engine, demo=demo)
            engine.dispose()  # the last connection closing folds the WAL into the file
        return path

    def fill(self, url: str | sa.URL, *, demo: bool = False) -> bool:
        """Copy a template into the empty SQLite database at `url`; False (nothing done) on other backends."""
        parsed = sa.make_url(url)
        if parsed.get_backend_name() != "sqlite" or not parsed.database:
            return False
        source, target = sqlite3.connect(self.path(demo=demo)), sqlite3.connect(parsed.database)
        try:
            source.backup(target)  # consistent whatever the journal mode
        finally:
            source.close()
            target.close()
        return True

    def ready(self, engine: Engine, *, demo: bool = False) -> Engine:
        """`engine`'s empty database at the newest schema (with the demo): copied on SQLite, built elsewhere."""
        if not self.fill(engine.url, demo=demo):
            prepare(engine, demo=demo)
        return engine


def use_database(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """Point FOUNDATIONS_DATABASE_URL at `url`, as a user does; the engine used before is closed and forgotten."""
    db.get_engine().dispose()
    monkeypatch.setenv("FOUNDATIONS_DATABASE_URL", url)
    forget_database()


def forget_database() -> None:
    """Drop the cached settings and engines, so the next call reads FOUNDATIONS_DATABASE_URL afresh."""
    get_settings.cache_clear()
    db.get_engine.cache_clear()


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table of the whole database: a fingerprint that any write or lost row changes."""
    with engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in SQLModel.metadata.tables.items()
        }
