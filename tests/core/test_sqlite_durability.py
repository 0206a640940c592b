"""FOUNDATIONS_SQLITE_SYNCHRONOUS decides what a power loss can cost (README: Durability)."""

from __future__ import annotations

import pytest

from assessment.core import db
from assessment.core.config import Settings
from tests.support.database import create_empty, forget_database


@pytest.mark.parametrize(("setting", "pragma"), [(None, 1), ("normal", 1), ("FULL", 2)])
def test_the_setting_is_the_pragma(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, setting: str | None, pragma: int
) -> None:
    if setting is not None:
        monkeypatch.setenv("FOUNDATIONS_SQLITE_SYNCHRONOUS", setting)
    forget_database()
    create_empty(sqlite_url)
    engine = db.make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == pragma
    finally:
        engine.dispose()
        forget_database()


def test_another_value_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="FOUNDATIONS_SQLITE_SYNCHRONOUS must be 'normal' or 'full', not 'off'"):
        Settings(sqlite_synchronous="off")
