"""Shared fixtures: a real, migrated database per test.

Without FOUNDATIONS_TEST_DATABASE_URL each test gets a fresh SQLite file; with it
(a PostgreSQL URL) each test gets its own schema in that database, dropped after.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from assessment.bank.loader import default_bank
from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.config import get_settings

PG_URL = os.environ.get("FOUNDATIONS_TEST_DATABASE_URL")
APP = Path(__file__).resolve().parents[1] / "app.py"


def unescaped(markdown: str) -> str:
    """Markdown source as a reader sees it: the pages escape every special character of names and messages."""
    return re.sub(r"\\(.)", r"\1", markdown)


def _pg_schema_url(base: str, schema: str) -> str:
    url = sa.make_url(base)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@contextmanager
def empty_database(folder: Path) -> Iterator[str]:
    """URL of an empty database: a SQLite file in `folder`, or a fresh PostgreSQL schema dropped afterwards."""
    if not PG_URL:
        yield f"sqlite:///{folder / 'test.db'}"
        return
    with db.scratch_schema(PG_URL, "t") as url:
        yield url


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """URL of an empty database for this test (SQLite file, or a PostgreSQL schema)."""
    with empty_database(tmp_path) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file URL, for tests about SQLite's own behaviour."""
    return f"sqlite:///{tmp_path / 'sqlite.db'}"


@pytest.fixture
def env_database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point FOUNDATIONS_DATABASE_URL at the test database (for the CLI and the app)."""
    monkeypatch.setenv("FOUNDATIONS_DATABASE_URL", database_url)
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    yield database_url
    for engine_url in [database_url]:
        db.get_engine(engine_url).dispose()
    get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated engine on the test database."""
    eng = db.make_engine(database_url)
    db.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def bank() -> Bank:
    return default_bank()


# --- AppTest: the real app.py on the test database ------------------------------------------------------------


@pytest.fixture
def app_engine(env_database: str) -> Iterator[Engine]:
    """The database the app itself opens, migrated; the app's resource caches are cleared after."""
    engine = db.get_engine(env_database)
    db.upgrade(engine)
    yield engine
    st.cache_resource.clear()


def open_page(page: str, assessment_id: int | str | None = None, **params: str) -> AppTest:
    """Run `page` of the real app, as a browser arriving with these query parameters would."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    if assessment_id is not None:
        at.query_params["assessment"] = str(assessment_id)
    at.query_params.update(params)
    at.switch_page(page)
    return at.run()
