"""Access fixtures: shared mode, the two-organisation world (tests/support/access_world.py), and the demo install
the page tests sign in to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.config import get_settings
from tests.support.access_world import TEST_ISSUER, Install, World, build_install, build_world
from tests.support.app import demo_app_engine_fixture  # noqa: F401 - for the page tests
from tests.support.database import SqliteTemplates, empty_database


@pytest.fixture
def shared_mode(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """FOUNDATIONS_MODE=shared with one install administrator, for the length of the test."""
    monkeypatch.setenv("FOUNDATIONS_MODE", "shared")
    monkeypatch.setenv("FOUNDATIONS_ADMIN_EMAILS", "Admin@Install.example")
    monkeypatch.setenv("FOUNDATIONS_TRUSTED_ISSUERS", TEST_ISSUER)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def world(engine: Engine, bank: Bank, shared_mode: None) -> World:
    """A fresh world for a test that changes memberships or records."""
    return build_world(engine, bank)


@pytest.fixture(scope="module")
def module_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database for a module of read-mostly tests (a migration per test would dominate their time)."""
    with empty_database(tmp_path_factory.mktemp("access")) as url:
        yield url


@pytest.fixture(scope="module")
def shared_world(module_database: str, bank: Bank, sqlite_templates: SqliteTemplates) -> Iterator[World]:
    """One world per module; tests on it only add rows (audit events, a new member, new organisations)."""
    engine = sqlite_templates.ready(db.make_engine(module_database))
    yield build_world(engine, bank)
    engine.dispose()


@pytest.fixture
def install(demo_app_engine: Engine, shared_mode: None) -> Install:
    """The demo install with Globex beside Northwind, in shared mode (see `build_install`)."""
    return build_install(demo_app_engine)
