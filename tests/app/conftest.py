"""AppTest fixtures: the real app.py against a real, migrated database chosen by env_database."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from assessment.assessments.repository import (
    answers_for,
    create_assessment,
    list_assessments,
    save_answer,
    store_bank,
)
from assessment.bank.answers import AnswerValue
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import DEMO_ORG, load_demo
from assessment.organisations.directory import ensure_organisation, ensure_team
from tests.conftest import APP, open_page, unescaped  # noqa: F401 - APP and open_page for the app tests

START, ASSESS, RESULTS = "ui/pages/start.py", "ui/pages/assess.py", "ui/pages/results.py"
PAGES = (START, ASSESS, RESULTS)


class SqliteTemplates:
    """Migrated SQLite files (empty, and with the demo data) built once per run and copied per test.

    Migrating and loading the demo for every test would dominate the suite's time; a copy
    of a file made by the same code is the same real database. PostgreSQL tests build theirs.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, kind: str) -> Path:
        path = self.folder / f"{kind}.db"
        if not path.exists():
            engine = db.make_engine(f"sqlite:///{path}")
            prepare(engine, demo=kind == "demo")
            engine.dispose()  # the last connection closing folds the WAL into the file
        return path


def prepare(engine: Engine, *, demo: bool) -> None:
    db.upgrade(engine)
    if demo:
        with db.write_session(engine) as session:
            load_demo(session, bank=default_bank())


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("templates"))


def _database(url: str, templates: SqliteTemplates, *, demo: bool) -> Iterator[Engine]:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        shutil.copyfile(templates.path("demo" if demo else "empty"), parsed.database)
        engine = db.get_engine(url)
    else:
        engine = db.get_engine(url)
        prepare(engine, demo=demo)
    yield engine
    st.cache_resource.clear()


@pytest.fixture
def app_engine(env_database: str, sqlite_templates: SqliteTemplates) -> Iterator[Engine]:
    """The engine the app itself will use, on a migrated database; the app's resource cache is cleared after."""
    yield from _database(env_database, sqlite_templates, demo=False)


@pytest.fixture
def demo_engine(env_database: str, sqlite_templates: SqliteTemplates) -> Iterator[Engine]:
    """As app_engine, with the demo organisation loaded."""
    yield from _database(env_database, sqlite_templates, demo=True)


def open_details(at: AppTest, question_key: str) -> AppTest:
    """Open a question's 'Note and evidence' panel, as a click on it does (its fields are drawn only when open)."""
    at.session_state[f"details:{question_key}"] = True
    return at.run()


def new_assessment(engine: Engine, *, org: str = "Acme", team: str = "Core") -> int:
    with db.write_session(engine) as session:
        organisation = ensure_organisation(session, name=org)
        t = ensure_team(session, organisation_id=organisation.id or 0, name=team)
        stored = store_bank(session, bank=default_bank())
        return create_assessment(session, team_id=t.id or 0, bank_version_id=stored.id or 0, created_by="test").id or 0


def save(engine: Engine, assessment_id: int, key: str, answer: AnswerValue, by: str = "someone else") -> int:
    with db.write_session(engine) as session:
        return save_answer(session, assessment_id=assessment_id, question_key=key, answer=answer, by=by)


def stored(engine: Engine, assessment_id: int) -> dict[str, AnswerValue]:
    with db.read_session(engine) as session:
        return answers_for(session, assessment_id=assessment_id)


def demo_round(engine: Engine, team: str, round_number: int = 1) -> int:
    with db.read_session(engine) as session:
        return next(
            s.id
            for s in list_assessments(session)
            if s.organisation == DEMO_ORG and s.team == team and s.round_number == round_number
        )


def texts(at: AppTest, kind: str) -> str:
    """All text of one element kind (error, info, caption, markdown...) joined, as a reader sees it."""
    return "\n".join(unescaped(str(e.value)) for e in getattr(at, kind))
