"""PostgreSQL's DORA import lock: two imports of one team take turns, installs in other schemas never wait.

Advisory locks are held by the server, not by a schema: keyed by the team id alone, an
import into one install's team 1 would hold up every other install's team 1 on the
same database (and every parallel test run's).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from assessment.core import db
from assessment.dora.ingest.store import _lock_teams
from tests.support.database import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="advisory locks are PostgreSQL's")


def lock_within(url: str, team_ids: list[int], timeout_ms: int) -> Session:
    """A session of `url` that holds the import locks of `team_ids`, or raises after `timeout_ms` of waiting."""
    session = Session(db.make_engine(url))
    session.execute(sa.text(f"SET LOCAL lock_timeout = {timeout_ms}"))
    _lock_teams(session, team_ids)
    return session


def test_a_second_import_of_the_same_team_waits_for_the_first(database_url: str) -> None:
    first = lock_within(database_url, [1], 5000)
    try:
        with pytest.raises(OperationalError, match="lock timeout"):
            lock_within(database_url, [1], 200)
        other_team = lock_within(database_url, [2], 200)
        other_team.rollback()
    finally:
        first.rollback()
    again = lock_within(database_url, [1], 200)  # released with the first transaction
    again.rollback()


def test_an_import_in_another_schema_never_waits(database_url: str, second_database_url: str) -> None:
    first = lock_within(database_url, [1, 2], 5000)
    try:
        elsewhere = lock_within(second_database_url, [1, 2], 200)
        elsewhere.rollback()
    finally:
        first.rollback()
