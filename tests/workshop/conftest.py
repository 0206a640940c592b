"""Workshop fixtures: a migrated database with one workshop of two teams (tests/support/workshops.py), the app's
fixtures for the page tests and the real server and Chromium for the browser test."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from assessment.bank.model import Bank
from tests.support.app import app_engine_fixture  # noqa: F401 - for the page tests
from tests.support.e2e import browser_fixture, server_fixture  # noqa: F401 - for the browser test
from tests.support.workshops import Room, open_room


@pytest.fixture
def room(engine: Engine, bank: Bank) -> Room:
    """Acme's workshop for Payments and Checkout, as its facilitator knows it."""
    return open_room(engine, bank)
