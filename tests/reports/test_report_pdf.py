"""The PDF report read back with pypdf: sections, bookmarks, contents, roadmap order, fonts, metadata."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from assessment.assessments.repository import load_assessment
from assessment.core import db
from assessment.roadmap.plan import build_roadmap
from reports.build import report_pdf
from reports.sections import Contradiction, DoraData, DoraFigure
from tests.support.builders import demo_round
from tests.support.pdf import fonts_of, images_of, outline, page_text, read, squash

SECTIONS = [
    "Contents",
    "Executive summary",
    "Foundation scores",
    "Delivery performance (DORA)",
    "Answers against data",
    "Roadmap",
    "Findings by foundation",
    "Appendix A: every answer",
    "Appendix B: method and definitions",
]
FOUNDATIONS = [
    "Failure isolation",
    "Incident observability",
    "Deployment rollback speed",
    "On-call coverage and runbooks",
    "Postmortem practice",
]
DAY = date(2026, 1, 15)


@pytest.fixture(scope="module")
def payments(module_demo_engine: Engine) -> tuple[PdfReader, list[str]]:
    """Payments round 1 (the weakest demo team): its PDF and the engine's roadmap order."""
    assessment_id = demo_round(module_demo_engine, "Payments")
    with db.read_session(module_demo_engine) as session:
        data = load_assessment(session, assessment_id=assessment_id)
    titles = [i.title for i in build_roadmap(data.bank, data.answers).items]
    return read(report_pdf(module_demo_engine, assessment_id, generated_on=DAY)), titles


def test_sections_come_in_order_as_top_level_bookmarks(payments: tuple[PdfReader, list[str]]) -> None:
    reader, _ = payments
    marks = outline(reader)
    top = [(title, page) for title, depth, page in marks if depth == 0]
    assert [t for t, _ in top] == SECTIONS
    assert [p for _, p in top] == sorted(p for _, p in top)
    for title, page in top:
        assert squash(reader.pages[page].extract_text()).find(title) >= 0, title
    foundations = [t for t, depth, _ in marks if depth == 1]
    assert {"Failure isolation", "Postmortem practice", "Readiness", "Top three actions"} <= set(foundations)


def test_contents_page_numbers_match_the_bookmarks(payments: tuple[PdfReader, list[str]]) -> None:
    reader, _ = payments
    marks = outline(reader)
    findings = next(n for n, (title, _, _) in enumerate(marks) if title == "Findings by foundation")
    expected = []
    for title, depth, page in marks:
        if depth == 0 and title != "Contents":
            expected.append((title, page + 1))
        if title == "Findings by foundation":
            section = marks[findings + 1 :]
            section = section[: next(n for n, (_, d, _) in enumerate(section) if d == 0)]
            expected += [(t, p + 1) for t, _, p in section if t in FOUNDATIONS]
    contents = squash(reader.pages[1].extract_text())
    numbers = [int(n) for n in re.match(r"((?:\d+ )+)", contents).group(1).split()]  # type: ignore[union-attr]
    assert numbers == [page for _, page in expected]
    for title, _ in expected:
        assert title in contents


def test_roadmap_order_equals_the_engine(payments: tuple[PdfReader, list[str]]) -> None:
    reader, titles = payments
    pages = {title: page for title, depth, page in outline(reader) if depth == 0}
    text = page_text(reader, pages["Roadmap"], pages["Findings by foundation"])
    cursor = 0
    for n, title in enumerate(titles, start=1):
        found = text.find(f"{n} {title}", cursor)
        assert found >= cursor, f"item {n} {title!r} is not where the engine puts it"
        cursor = found
    assert text.count("Done when:") == len(titles)
    assert "Now: the next 30 days" in text
    assert "Later" in text
    assert "Expanding deployment autonomy" in text


def test_summary_holds_the_verdicts_then_three_actions(payments: tuple[PdfReader, list[str]]) -> None:
    """Each verdict has a line per missing foundation: Payments' three fill a page, the actions follow on the next."""
    reader, titles = payments
    pages = {title: page for title, depth, page in outline(reader) if depth == 0}
    assert pages["Foundation scores"] - pages["Executive summary"] == 2
    first = squash(reader.pages[pages["Executive summary"]].extract_text())
    assert first.index("Readiness") < first.index("NOT READY")
    summary = page_text(reader, pages["Executive summary"], pages["Foundation scores"])
    assert summary.count("NOT READY") == 3
    assert summary.index("NOT READY") < summary.index("Top three actions")
    places = [summary.find(title) for title in titles[:3]]  # the numbers are positioned apart from the text
    assert -1 not in places
    assert places == sorted(places)


def test_layout_pages_headers_fonts_and_metadata(payments: tuple[PdfReader, list[str]]) -> None:
    reader, _ = payments
    total = len(reader.pages)
    assert 10 <= total <= 40
    third = squash(reader.pages[2].extract_text())
    assert "Payments · round 1" in third
    assert f"Page 3 of {total}" in third
    assert "Northwind Streaming" in third
    assert reader.metadata is not None
    assert reader.metadata.title == "Foundations assessment: Payments, round 1"
    assert reader.metadata.author == "Maya Okafor, Halyard Reliability Partners"  # the demo's branding
    fonts = [f for page in reader.pages for f in fonts_of(page.get("/Resources"))]
    assert fonts
    for font in fonts:
        assert "Inter" in str(font["/BaseFont"]), font["/BaseFont"]
        holder = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font  # type: ignore[index]
        descriptor: Any = holder["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
    assert not [i for page in reader.pages for i in images_of(page.get("/Resources"))], "charts must stay vector"


def test_empty_roadmap_and_given_dora_data(module_demo_engine: Engine) -> None:
    dora = DoraData(
        window="1 October to 31 December 2025 (92 days)",
        source="typed figures",
        edition="DORA 2024 report",
        cluster="high",
        quality=("3 incidents had no resolution time.",),
        figures=(
            DoraFigure(
                "time_to_restore",
                "Time to restore service",
                "9 hours",
                "high",
                "under one hour",
                "Median of resolved minus started.",
                "12 incidents",
            ),
        ),
    )
    finding = Contradiction(
        "Rollback is quick on paper only",
        "Rollback time: 4 minutes",
        "median time to restore 9 hours over 12 incidents",
    )
    pdf = report_pdf(
        module_demo_engine,
        demo_round(module_demo_engine, "Platform", 2),
        dora=dora,
        contradictions=[finding],
        generated_on=date.today(),  # the demo dates Platform's drill records from today: fresh now, not on DAY
    )
    text = page_text(read(pdf))
    assert "NOT READY · CHAOS" not in text  # "READY · CHAOS" below is also a part of it
    assert "No investments are triggered" in text
    assert "Sequence and dependencies" not in text
    assert "No DORA data" not in text
    assert "No contradictions found" not in text
    for expected in (
        "1 October to 31 December 2025 (92 days)",
        "9 hours",
        "12 incidents",
        "3 incidents had no resolution time.",
        "Rollback is quick on paper only",
        "median time to restore 9 hours over 12 incidents",
        "Ready · Chaos experiments".upper(),
    ):
        assert expected in text, expected
