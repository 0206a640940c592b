"""Results page on real demo rounds: chart, levels and gates, verdict sentences, risks, unanswered."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy.engine import Engine

from assessment.assessments.repository import load_assessment
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.judgement import judge
from assessment.scoring.engine import AssessmentScore
from tests.support.app import RESULTS, open_page, texts, unescaped
from tests.support.builders import demo_round, new_round, save


def scored(engine: Engine, assessment_id: int) -> AssessmentScore:
    with db.read_session(engine) as session:
        data = load_assessment(session, assessment_id=assessment_id)
        return judge(session, data).score


def test_results_show_levels_gates_verdicts_and_risks(demo_app_engine: Engine) -> None:
    aid = demo_round(demo_app_engine, "Checkout")  # rollback gate fails
    score = scored(demo_app_engine, aid)
    at = open_page(RESULTS, aid)
    assert not at.exception
    chart = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert chart["layer"]  # bands, bars and labels
    table = at.dataframe[0].value
    assert list(table["Foundation"]) == [f.title for f in score.foundations.values()]
    rollback = table.set_index("Foundation").loc["Deployment rollback speed"]
    assert rollback["Deciding test"].startswith("failed")
    boxes = unescaped(texts(at, "error") + texts(at, "warning") + texts(at, "success"))
    for verdict in score.verdicts:
        assert f"{verdict.label} · {verdict.title}" in boxes
        assert verdict.headline in boxes
        for bullet in verdict.bullets:
            assert bullet in boxes
    assert [v.status.value for v in score.verdicts] == ["exposed", "exposed", "not_ready"]
    assert "deciding test contested by the data" in unescaped(texts(at, "caption"))  # the data doubts a claim
    risks = at.dataframe[1].value
    assert list(risks["Risk"]) == sorted(risks["Risk"], key=["High", "Medium"].index)  # high first
    assert len(risks) == len(score.risks)
    assert "Every question is answered" in texts(at, "caption")


def test_a_proven_team_is_ready_for_everything(demo_app_engine: Engine) -> None:
    at = open_page(RESULTS, demo_round(demo_app_engine, "Platform", 2))
    assert not at.error
    assert len(at.success) == 3
    assert at.metric[3].value == "3 of 3"


def test_unanswered_questions_are_listed_and_lead_back_to_assess(demo_app_engine: Engine) -> None:
    aid = demo_round(demo_app_engine, "Mobile API")
    at = open_page(RESULTS, aid)
    assert "Incident response practice" in unescaped(texts(at, "markdown"))
    assert "in progress" in texts(at, "caption")
    at.button(key="answer_now:postmortem_practice").click().run()
    assert not at.exception
    assert at.title[0].value == "Assess: Mobile API, round 1"
    assert at.radio(key="foundation").value == "postmortem_practice"


def test_an_empty_round_has_results_without_errors(app_engine: Engine) -> None:
    at = open_page(RESULTS, new_round(app_engine))
    assert not at.exception
    assert at.metric[1].value == f"0 of {len(default_bank().questions)}"
    assert set(at.dataframe[0].value["Level"]) == {"not answered"}  # issue 16: never "0 · Absent"
    assert len(at.get("vega_lite_chart")) == 1


def test_a_round_in_progress_says_so_and_leads_to_the_latest_completed_one(demo_app_engine: Engine) -> None:
    """Issue 16, item 3: an unfinished round read as the team's state."""
    total = len(default_bank().questions)
    third = new_round(demo_app_engine, org=DEMO_ORG, team="Payments")
    at = open_page(RESULTS, third)
    assert not at.exception
    captions = texts(at, "caption")
    assert f"in progress (0 of {total})" in captions
    assert f"Round 3 is in progress (0 of {total} answered)" in captions
    assert "The team's latest completed round is round 2." in captions
    link = at.get("page_link")[0]
    assert link.proto.label == "Results of round 2"
    assert link.proto.query_string == f"assessment={demo_round(demo_app_engine, 'Payments', 2)}"


def test_results_lead_to_the_report_the_pdf_and_dora(demo_app_engine: Engine) -> None:
    """Issue 16, item 5: Results had no way to Report or DORA; the PDF sat at the bottom of Report."""
    aid = demo_round(demo_app_engine, "Payments", 2)
    at = open_page(RESULTS, aid)
    links = {link.proto.label: link.proto.query_string for link in at.get("page_link")}
    assert links["Roadmap and PDF report"] == f"assessment={aid}"
    assert links["DORA: delivery data"] == f"assessment={aid}"


def test_stale_evidence_is_listed_with_its_date_age_and_how_long_it_stays_current(demo_app_engine: Engine) -> None:
    aid = demo_round(demo_app_engine, "Platform", 2)
    with db.read_session(demo_app_engine) as session:
        kill_test = load_assessment(session, assessment_id=aid).answers["fi_kill_tested_share"]
    evidence = date.today() - timedelta(days=200)
    save(demo_app_engine, aid, "fi_kill_tested_share", replace(kill_test, evidence_date=evidence))
    at = open_page(RESULTS, aid)
    assert not at.exception
    assert "1 answer rests on evidence older than its question allows" in unescaped(texts(at, "caption"))
    table = next(frame.value for frame in at.dataframe if "Evidence dated" in frame.value.columns)
    row = table.set_index("Question").loc["Services kill-tested without a cascade"]
    assert row["Foundation"] == "Failure isolation"
    assert row["Evidence dated"] == f"{evidence:%-d %b %Y}"
    assert row["Age"] == "200 days"
    assert row["Stays current"] == "90 days"


def test_no_stale_evidence_no_section(demo_app_engine: Engine) -> None:
    at = open_page(RESULTS, demo_round(demo_app_engine, "Platform", 2))
    assert "Evidence gone stale" not in [h.value for h in at.subheader]
