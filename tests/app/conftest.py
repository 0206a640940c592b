"""AppTest fixtures: the real app.py against a real, migrated database chosen by env_database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from assessment import db
from assessment.answers import AnswerValue
from assessment.demo import DEMO_ORG, load_demo
from assessment.questions import default_bank
from assessment.repository import (
    answers_for,
    create_assessment,
    ensure_organisation,
    ensure_team,
    list_assessments,
    save_answer,
    store_bank,
)

APP = Path(__file__).resolve().parents[2] / "app.py"
START, ASSESS, RESULTS = "ui/pages/start.py", "ui/pages/assess.py", "ui/pages/results.py"
PAGES = (START, ASSESS, RESULTS)


@pytest.fixture
def app_engine(env_database: str) -> Iterator[Engine]:
    """The engine the app itself will use, migrated; the app's resource cache is cleared after."""
    engine = db.get_engine(env_database)
    db.upgrade(engine)
    yield engine
    st.cache_resource.clear()


@pytest.fixture
def demo_engine(app_engine: Engine) -> Engine:
    with db.write_session(app_engine) as session:
        load_demo(session, bank=default_bank())
    return app_engine


def open_page(page: str, assessment_id: int | str | None = None, **params: str) -> AppTest:
    """Run `page` of the real app, as a browser arriving with these query parameters would."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    if assessment_id is not None:
        at.query_params["assessment"] = str(assessment_id)
    at.query_params.update(params)
    at.switch_page(page)
    return at.run()


def open_details(at: AppTest, question_key: str) -> AppTest:
    """Open a question's 'Note and evidence' panel, as a click on it does (its fields are drawn only when open)."""
    at.session_state[f"details:{question_key}"] = True
    return at.run()


def new_assessment(engine: Engine, *, org: str = "Acme", team: str = "Core") -> int:
    with db.write_session(engine) as session:
        organisation = ensure_organisation(session, name=org)
        t = ensure_team(session, organisation_id=organisation.id or 0, name=team)
        stored = store_bank(session, bank=default_bank())
        return create_assessment(session, team_id=t.id or 0, bank_version_id=stored.id or 0,
                                 created_by="test").id or 0


def save(engine: Engine, assessment_id: int, key: str, answer: AnswerValue, by: str = "someone else") -> int:
    with db.write_session(engine) as session:
        return save_answer(session, assessment_id=assessment_id, question_key=key, answer=answer, by=by)


def stored(engine: Engine, assessment_id: int) -> dict[str, AnswerValue]:
    with db.read_session(engine) as session:
        return answers_for(session, assessment_id=assessment_id)


def demo_round(engine: Engine, team: str, round_number: int = 1) -> int:
    with db.read_session(engine) as session:
        return next(s.id for s in list_assessments(session)
                    if s.organisation == DEMO_ORG and s.team == team and s.round_number == round_number)


def texts(at: AppTest, kind: str) -> str:
    """All text of one element kind (error, info, caption, markdown...) joined, for assertions."""
    return "\n".join(str(e.value) for e in getattr(at, kind))
