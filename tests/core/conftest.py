"""Core-suite fixtures: on SQLite, a database migrated once per session is copied for each test.

Running every migration for each of the ~100 database tests costs more than the
tests themselves; a copy of a freshly migrated file is the same database. On
PostgreSQL each test still migrates its own schema.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.core import db


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    engine.dispose()
    return path


def fill_from_template(template: Path, url: str) -> bool:
    """Copy the migrated template into the empty SQLite database at `url`; False on other backends."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return False
    source, target = sqlite3.connect(template), sqlite3.connect(parsed.database)
    try:
        source.backup(target)  # consistent whatever the journal mode
    finally:
        source.close()
        target.close()
    return True


@pytest.fixture
def fill_migrated(migrated_sqlite_template: Path) -> Callable[[str], bool]:
    """`fill_from_template` bound to this session's template, for tests that set up their own URL."""
    return lambda url: fill_from_template(migrated_sqlite_template, url)


@pytest.fixture
def engine(database_url: str, migrated_sqlite_template: Path) -> Iterator[Engine]:
    """A migrated engine on the test database (the root fixture's meaning, faster on SQLite)."""
    migrated = fill_from_template(migrated_sqlite_template, database_url)
    eng = db.make_engine(database_url)
    if not migrated:
        db.upgrade(eng)
    yield eng
    eng.dispose()
