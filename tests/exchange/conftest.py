"""Organisation export fixtures: the database to import into, beside the test's own (tests/support/builders.py has
the rich demo organisation to export)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from assessment.core import db


@pytest.fixture
def second_engine(second_database_url: str) -> Iterator[Engine]:
    """A migrated engine on a second, empty database, on the same backend as `engine`."""
    eng = db.make_engine(second_database_url)
    db.upgrade(eng)
    yield eng
    eng.dispose()
