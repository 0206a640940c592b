"""Shared fixtures: a real, migrated database per test, and nothing heavier.

Without FOUNDATIONS_TEST_DATABASE_URL each test gets a fresh SQLite file; with it
(a PostgreSQL URL) each test gets its own schema in that database, dropped after.
Helpers live in tests/support; the fixtures of suites that run the app (AppTest,
a browser) are brought in by those suites' conftest files, so a unit run does not
start Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from assessment.bank.loader import default_bank
from assessment.bank.model import Bank
from assessment.core import db
from tests.support.database import SqliteTemplates, empty_database, forget_database


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """URL of an empty database for this test (SQLite file, or a PostgreSQL schema)."""
    with empty_database(tmp_path) as url:
        yield url


@pytest.fixture
def second_database_url(tmp_path: Path) -> Iterator[str]:
    """A second empty database for the same test, on the same backend as `database_url`."""
    folder = tmp_path / "second"
    folder.mkdir()
    with empty_database(folder) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file URL, for tests about SQLite's own behaviour."""
    return f"sqlite:///{tmp_path / 'sqlite.db'}"


@pytest.fixture
def env_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point FOUNDATIONS_DATABASE_URL at the test database (for the CLI and the app)."""
    monkeypatch.setenv("FOUNDATIONS_DATABASE_URL", database_url)
    forget_database()
    yield database_url
    db.get_engine(database_url).dispose()
    forget_database()


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    """Migrated SQLite files (empty, and with the demo) built once per run, for tests to copy."""
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))


@pytest.fixture
def engine(database_url: str, sqlite_templates: SqliteTemplates) -> Iterator[Engine]:
    """A migrated engine on the test database."""
    eng = sqlite_templates.ready(db.make_engine(database_url))
    yield eng
    eng.dispose()


@pytest.fixture
def demo_engine(database_url: str, sqlite_templates: SqliteTemplates) -> Iterator[Engine]:
    """A migrated engine on the test database, with the demo organisation loaded."""
    eng = sqlite_templates.ready(db.make_engine(database_url), demo=True)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def bank() -> Bank:
    return default_bank()
