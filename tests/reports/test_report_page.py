"""The Report page in AppTest: the roadmap as the engine orders it, and a PDF made by the worker process."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import streamlit as st
from sqlalchemy.engine import Engine

from assessment.assessments.repository import answer_history, load_assessment, save_answer
from assessment.bank.answers import dont_know
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import load_demo
from assessment.dora.team import team_dora
from assessment.judgement import judge
from assessment.roadmap.plan import build_roadmap
from assessment.scoring.verdicts import Readiness
from reports.worker import RenderFailed, ReportWorker
from tests.app.conftest import demo_round, texts
from tests.conftest import open_page
from tests.reports.pdfread import read

REPORT = "ui/pages/report.py"


def unescape(markdown: str) -> str:
    """A table cell as the reader sees it: the page escapes Markdown in every text cell."""
    return re.sub(r"\\(.)", r"\1", markdown)


@pytest.fixture
def app_demo(env_database: str) -> Iterator[Engine]:
    engine = db.get_engine(env_database)
    db.upgrade(engine)
    with db.write_session(engine) as session:
        load_demo(session, bank=default_bank())
    yield engine
    st.cache_resource.clear()  # also drops this test's report worker


def test_report_page_shows_the_roadmap_and_makes_a_pdf(app_demo: Engine) -> None:
    assessment_id = demo_round(app_demo, "Checkout")
    with db.read_session(app_demo) as session:
        data = load_assessment(session, assessment_id=assessment_id)
        history = len(answer_history(session, assessment_id=assessment_id))
        dora = team_dora(session, data)
        judged = judge(session, data)  # answers, the data's contradictions and deployment pace
    assert dora is not None
    assert dora.findings
    exposed = [v for v in judged.score.verdicts if v.status is Readiness.EXPOSED]
    assert exposed
    at = open_page(REPORT, assessment_id)
    assert not at.exception
    assert "Checkout" in at.title[0].value
    shown = [unescape(row) for table in at.table for row in table.value["Investment"]]
    assert shown == [i.title for i in judged.roadmap.items]
    assert shown != [i.title for i in build_roadmap(data.bank, data.answers).items]  # the data moved items
    reasons = " ".join(unescape(row) for table in at.table for row in table.value["Why"])
    settle = judged.roadmap.item("settle_incident_observability")  # the contradiction is settled first
    assert shown[0] == settle.title
    assert settle.reason in reasons
    assert "the delivery data shows median time to restore" in settle.reason
    errors = unescape(texts(at, "error"))
    assert all(v.headline in errors for v in exposed)  # an exposed end state is shown as an error
    assert not at.get("download_button")
    at.button(key="prepare_pdf").click().run(timeout=240)
    assert not at.exception
    assert not at.error[len(exposed) :]  # no error besides the exposed end states
    assert len(at.get("download_button")) == 1
    with db.read_session(app_demo) as session:
        assert len(answer_history(session, assessment_id=assessment_id)) == history  # answers untouched


def test_an_edit_withdraws_the_old_pdf(app_demo: Engine) -> None:
    assessment_id = demo_round(app_demo, "Platform", 2)
    at = open_page(REPORT, assessment_id)
    assert "No investments are triggered" in texts(at, "success")
    at.session_state["report_pdf"] = (assessment_id, "stale fingerprint", b"%PDF-old")
    at.run()
    assert not at.get("download_button")


def test_worker_time_limit_and_recovery(app_demo: Engine) -> None:
    with db.write_session(app_demo) as session:
        save_answer(
            session,
            assessment_id=demo_round(app_demo, "Payments"),
            question_key="pm_incident_record",
            answer=dont_know(note="<b>bold?</b>"),
            by="tester",
        )
    with db.read_session(app_demo) as session:
        data = load_assessment(session, assessment_id=demo_round(app_demo, "Payments"))
    worker = ReportWorker()
    try:
        with pytest.raises(RenderFailed, match=r"longer than 0\.01 seconds"):
            worker.render(data, 0.01)
        pdf = worker.render(data, 240)  # a fresh worker replaces the stopped one
        assert read(pdf).metadata.title == "Foundations assessment: Payments, round 1"  # type: ignore[union-attr]
    finally:
        worker.stop()
