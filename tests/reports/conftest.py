"""Report tests: one demo database per module (reports only read it), and the app's fixtures for the page test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from assessment.core import db
from tests.support.app import demo_app_engine_fixture  # noqa: F401 - for test_report_page.py
from tests.support.canary import canary_fixture  # noqa: F401 - a loopback server that must hear nothing
from tests.support.database import SqliteTemplates


@pytest.fixture(scope="module")
def module_demo_engine(tmp_path_factory: pytest.TempPathFactory, sqlite_templates: SqliteTemplates) -> Iterator[Engine]:
    """The demo organisation in a SQLite file shared by one test module (reports only read it)."""
    path = tmp_path_factory.mktemp("reports") / "demo.db"
    shutil.copyfile(sqlite_templates.path(demo=True), path)
    engine = db.make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()
