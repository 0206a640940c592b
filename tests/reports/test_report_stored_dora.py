"""The report of a team with stored DORA data: figures, data quality, contradictions, and a roadmap they moved."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from assessment.assessments.repository import load_assessment
from assessment.core import db
from assessment.dora.team import team_dora
from assessment.roadmap.plan import build_roadmap
from reports.build import report_pdf
from tests.reports.pdfread import demo_id, outline, page_text, read

DAY = date(2026, 1, 15)


def test_checkout_report_shows_its_data_and_contradictions(demo_engine: Engine) -> None:
    assessment_id = demo_id(demo_engine, "Checkout")
    with db.read_session(demo_engine) as session:
        data = load_assessment(session, assessment_id=assessment_id)
        dora = team_dora(session, data)
    assert dora is not None
    assert dora.window
    reader = read(report_pdf(demo_engine, assessment_id, generated_on=DAY))
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
    titles = [i.title for i in build_roadmap(data.bank, data.answers, evidence=dora.evidence).items]
    cursor = 0
    for n, title in enumerate(titles, start=1):  # the engine's order, DORA evidence included
        found = roadmap.find(f"{n} {title}", cursor)
        assert found >= cursor, f"item {n} {title!r} is not where the engine puts it"
        cursor = found
    assert "DORA cross-check, claimed diagnosis time against recovery time" in roadmap


def test_a_team_without_data_says_so(demo_engine: Engine) -> None:
    reader = read(report_pdf(demo_engine, demo_id(demo_engine, "Catalogue"), generated_on=DAY))
    text = page_text(reader)
    assert "No DORA data for this assessment." in text
    assert "Without DORA data there is nothing to check the answers against." in text
