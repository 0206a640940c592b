"""The report of a team with stored DORA data: figures, data quality, contradictions, and a roadmap they moved."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from assessment.assessments.repository import load_assessment
from assessment.core import db
from assessment.dora.team import team_dora
from assessment.judgement import judge
from reports.build import report_pdf
from tests.support.builders import demo_round
from tests.support.pdf import outline, page_text, read

DAY = date(2026, 1, 15)


def test_checkout_report_shows_its_data_and_contradictions(module_demo_engine: Engine) -> None:
    assessment_id = demo_round(module_demo_engine, "Checkout")
    with db.read_session(module_demo_engine) as session:
        data = load_assessment(session, assessment_id=assessment_id)
        dora = team_dora(session, data)
        judged = judge(session, data, as_of=DAY)  # what every view of the round uses: answers, contests, data
    assert dora is not None
    assert dora.window
    reader = read(report_pdf(module_demo_engine, assessment_id, generated_on=DAY))
    pages = {title: page for title, depth, page in outline(reader) if depth == 0}
    section = page_text(reader, pages["Delivery performance (DORA)"], pages["Roadmap"] + 1)
    assert "No DORA data" not in section
    assert "No contradictions found" not in section
    assert f"Window: {dora.window}" in section
    assert "Source: imported deployments, changes and incidents" in section
    for figure in dora.figures:
        assert figure.title in section
    assert dora.quality[0] in section
    for finding in dora.findings:
        assert finding.title in section
        assert finding.answer_quote in section
    roadmap = page_text(reader, pages["Roadmap"], pages["Findings by foundation"])
    titles = [i.title for i in judged.roadmap.items]
    assert titles[0] == "Settle what the data says about incident observability"  # contested: settled first
    cursor = 0
    for n, title in enumerate(titles, start=1):  # the engine's order, DORA evidence and contradictions included
        found = roadmap.find(f"{n} {title}", cursor)
        assert found >= cursor, f"item {n} {title!r} is not where the engine puts it"
        cursor = found
    settle = judged.roadmap.item("settle_incident_observability")  # the contradiction, as a 2-day item first
    assert f"1 {settle.title}" in roadmap
    assert settle.reason in roadmap


def test_a_team_without_data_says_so(module_demo_engine: Engine) -> None:
    reader = read(report_pdf(module_demo_engine, demo_round(module_demo_engine, "Catalogue"), generated_on=DAY))
    text = page_text(reader)
    assert "No DORA data for this assessment." in text
    assert "Without DORA data there is nothing to check the answers against." in text
