"""Chart builders: valid Vega-Lite, vector SVG out, and the data each chart is meant to show."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from assessment.assessments.repository import AssessmentData
from assessment.bank.answers import check_answer, dont_know
from assessment.bank.loader import default_bank
from reports.charts.scores import plan_chart, scores_chart
from reports.context import ReportContext, build_context
from reports.report_charts import render_charts


def _context() -> ReportContext:
    """Every question answered "don't know": the longest roadmap the bank can produce."""
    bank = default_bank()
    answers = {q.key: check_answer(q, dont_know()) for q in bank.questions if q.allow_dont_know}
    data = AssessmentData(
        id=1,
        organisation="Org",
        team="Team",
        team_id=1,
        round_number=1,
        label=None,
        status="in_progress",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        completed_at=None,
        bank=bank,
        answers=answers,
        answer_meta={},
    )
    return build_context(data)


def test_chart_specs_validate_against_the_vega_lite_schema() -> None:
    ctx = _context()
    scores = scores_chart(ctx.foundations).to_dict()
    plan = plan_chart(ctx.roadmap).to_dict()
    assert scores["config"]["font"] == plan["config"]["font"]
    assert plan["config"]["font"].split(",")[0] == "Inter"
    plan_items = next(d for d in plan["datasets"].values() if d and "item" in d[0])
    assert [row["item"] for row in plan_items] == [str(r.position) for r in ctx.roadmap]
    links = next(d for d in plan["datasets"].values() if d and "from" in d[0])
    assert len(links) == sum(len(r.prerequisites) for r in ctx.roadmap)
    assert all(int(link["from"]) < int(link["to"]) for link in links)  # prerequisites first


def test_render_charts_gives_svg_data_uris_with_the_labels() -> None:
    ctx = _context()
    charts = render_charts(ctx)
    assert charts.plan is not None
    for uri in (charts.scores, charts.plan):
        assert uri.startswith("data:image/svg+xml;base64,")
        svg = base64.b64decode(uri.split(",", 1)[1]).decode()
        assert svg.startswith("<svg")
        assert "<image" not in svg
    scores_svg = base64.b64decode(charts.scores.split(",", 1)[1]).decode()
    assert "Failure isolation" in scores_svg
    assert "level 0 absent" in scores_svg


def test_charts_measure_labels_in_the_bundled_font() -> None:
    """vl-convert is given the report's own font files, else labels are measured in a fallback and drift."""
    from reports.charts.scores import FONTS

    assert sorted(p.suffix for p in FONTS.iterdir() if p.is_file())[:1] in ([".otf"], [".ttf"], [".woff2"])
