"""The Report page in AppTest: the roadmap as the engine orders it, and a PDF made by the worker process."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from assessment.assessments.repository import answer_history, load_assessment
from assessment.core import db
from assessment.dora.team import team_dora
from assessment.judgement import judge
from assessment.roadmap.plan import build_roadmap
from assessment.scoring.verdicts import Readiness
from tests.support.app import open_page, texts, unescaped
from tests.support.builders import demo_round

REPORT = "ui/pages/report.py"


def test_report_page_shows_the_roadmap_and_makes_a_pdf(demo_app_engine: Engine) -> None:
    assessment_id = demo_round(demo_app_engine, "Checkout")
    with db.read_session(demo_app_engine) as session:
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
    shown = [unescaped(row) for table in at.table for row in table.value["Investment"]]
    assert shown == [i.title for i in judged.roadmap.items]
    assert shown != [i.title for i in build_roadmap(data.bank, data.answers).items]  # the data moved items
    reasons = " ".join(unescaped(row) for table in at.table for row in table.value["Why"])
    settle = judged.roadmap.item("settle_incident_observability")  # the contradiction is settled first
    assert shown[0] == settle.title
    assert settle.reason in reasons
    assert "the delivery data shows median time to restore" in settle.reason
    errors = unescaped(texts(at, "error"))
    assert all(v.headline in errors for v in exposed)  # an exposed end state is shown as an error
    assert not at.get("download_button")
    at.button(key="prepare_pdf").click().run(timeout=240)
    assert not at.exception
    assert not at.error[len(exposed) :]  # no error besides the exposed end states
    assert len(at.get("download_button")) == 1
    with db.read_session(demo_app_engine) as session:
        assert len(answer_history(session, assessment_id=assessment_id)) == history  # answers untouched


def test_an_edit_withdraws_the_old_pdf(demo_app_engine: Engine) -> None:
    assessment_id = demo_round(demo_app_engine, "Platform", 2)
    at = open_page(REPORT, assessment_id)
    assert "No investments are triggered" in texts(at, "success")
    at.session_state["report_pdf"] = (assessment_id, "stale fingerprint", b"%PDF-old")
    at.run()
    assert not at.get("download_button")


def test_the_roadmap_chart_names_its_items_and_end_states_say_what_they_wait_for(demo_app_engine: Engine) -> None:
    at = open_page(REPORT, demo_round(demo_app_engine, "Payments"))
    assert not at.exception
    chart = next(c for c in at.get("vega_lite_chart") if "Team-weeks" in c.proto.spec)
    assert '"3. ' in chart.proto.spec  # the rows read '3. Title', not a bare '3'
    shown = texts(at, "warning") + texts(at, "error") + texts(at, "success")
    assert "possible once roadmap item " in shown  # it said "after 19. ...", which read like a code
    assert "after 1" not in shown
