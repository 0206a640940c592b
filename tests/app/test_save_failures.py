"""A save the database refuses: one sentence next to the question, the choice stays on screen, nothing half-saved."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine

from assessment.bank.answers import answered
from tests.support.app import ASSESS, open_page, texts
from tests.support.builders import new_round, stored
from tests.support.database import forget_database
from tests.support.faults import BUSY, impatient, write_lock_held

pytestmark = pytest.mark.faults


def _app_uses(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    forget_database()
    st.cache_resource.clear()


def test_a_locked_database_leaves_the_answer_on_screen_and_says_to_try_again(
    app_engine: Engine, env_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    aid = new_round(app_engine)
    _app_uses(monkeypatch, impatient(env_database))
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    with write_lock_held(env_database):
        at.radio(key="answer:fi_instance_kill").set_value("3").run()
    assert not at.exception
    assert texts(at, "error") == f"Your answer was not saved: {BUSY[app_engine.dialect.name]}."
    assert at.radio(key="answer:fi_instance_kill").value == "3"  # what was chosen stays
    assert "fi_instance_kill" not in stored(app_engine, aid)
    at.radio(key="answer:fi_instance_kill").set_value("2").run()  # the lock has gone: the next change saves
    assert stored(app_engine, aid)["fi_instance_kill"] == answered(2)
    assert texts(at, "error") == ""


def test_a_deleted_database_file_is_refused_not_saved_to_the_void(
    app_engine: Engine, env_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = sa.make_url(env_database).database
    if app_engine.dialect.name != "sqlite" or not path:
        pytest.skip("a database file is SQLite's")
    aid = new_round(app_engine)
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)
    at.radio(key="answer:fi_instance_kill").set_value("3").run()
    assert not at.exception
    assert not at.toast  # never "Saved"
    assert texts(at, "error") == (  # nothing can be shown either: the page says why, in one sentence
        f"Nothing could be read: there is no database file at {os.path.abspath(path)}; create it with "
        "`foundations db upgrade`, or, if it was deleted or moved, ask the administrator to restore it from a backup."
    )
