"""The chart package: one palette, level labels from the bank, every builder valid on screen and paper,
the report's charts as vector SVG, and the portfolio heatmap in the same colours on the page and in the PDF."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import altair as alt
import vl_convert
from altair.utils.schemapi import validate_jsonschema
from sqlalchemy.engine import Engine

from assessment.assessments.repository import AssessmentData
from assessment.bank.answers import answered, check_answer, dont_know
from assessment.bank.loader import default_bank
from assessment.bank.model import LEVEL_NAMES, Bank
from assessment.core import db
from assessment.core.colours import contrast
from assessment.demo import DEMO_ORG, DEMO_TEAMS, _round_answers, load_demo
from assessment.scoring.engine import score_assessment
from assessment.scoring.results import FoundationResult
from assessment.workshops.dashboard import Bucket
from reports import portfolio_render
from reports.charts import palette
from reports.charts.medium import PAPER, SCREEN
from reports.charts.paper import FONTS, paper_style
from reports.charts.plan import plan_chart
from reports.charts.portfolio import distribution_chart, heatmap_spec, trend_chart
from reports.charts.scores import foundation_frame, label, level_bands, scores_chart
from reports.charts.workshop import answer_spread_chart
from reports.context import ReportContext, build_context
from reports.html import render_html
from reports.portfolio import PortfolioCharts, build
from reports.report_charts import ReportCharts, render_charts

ROOT = Path(__file__).resolve().parents[2]
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b")


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


def checkout_results() -> list[FoundationResult]:
    bank = default_bank()
    team = next(t for t in DEMO_TEAMS if t.name == "Checkout")
    return list(score_assessment(bank, _round_answers(bank, team.name, team.rounds[0])).foundations.values())


def demo(engine: Engine, bank: Bank) -> Engine:
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
    return engine


# ------------------------------------------------------------------ the palette


def test_level_labels_and_classes_come_from_the_bank_level_names() -> None:
    assert [level.name for level in palette.LEVELS] == list(LEVEL_NAMES)
    assert tuple(f"{n} {name}" for n, name in enumerate(LEVEL_NAMES)) == palette.LEVEL_LABELS
    assert [level.css for level in palette.LEVELS] == ["absent", "adhoc", "partial", "established", "proven"]
    assert len(set(palette.LEVEL_FILLS)) == len(LEVEL_NAMES)


def test_text_on_each_level_is_the_more_readable_of_ink_and_white() -> None:
    for level in palette.LEVELS:
        best = max(contrast(text, level.fill) for text in (palette.INK, palette.WHITE))
        assert contrast(level.on_fill, level.fill) == best, level
    assert contrast("#000000", "#ffffff") == 21
    assert contrast(palette.INK, palette.INK) == 1


def test_no_chart_or_page_names_a_colour_of_its_own() -> None:
    """Every colour a chart or page draws comes from the palette: a second palette cannot creep back in."""
    sources = [p for p in (ROOT / "reports" / "charts").glob("*.py") if p.name != "palette.py"]
    sources += list((ROOT / "ui").rglob("*.py"))
    found = {p.relative_to(ROOT).as_posix(): HEX_COLOUR.findall(p.read_text()) for p in sources}
    assert {path: colours for path, colours in found.items() if colours} == {}
    assert HEX_COLOUR.findall('x = "#b42318"')  # the check would see one


# ------------------------------------------------------------------ every builder


def test_every_builder_gives_a_valid_spec_on_screen_and_on_paper(engine: Engine, bank: Bank) -> None:
    """`to_dict()` validates against the Vega-Lite schema; the heatmap is a plain dict, validated here."""
    ctx = _context()
    _, portfolio, trend = build(demo(engine, bank), DEMO_ORG)
    for medium in (SCREEN, PAPER):
        scores_chart(checkout_results(), medium=medium).to_dict()
        scores_chart(ctx.foundations, {"Failure isolation": 3}, medium).to_dict()
        distribution_chart(portfolio.level_counts, portfolio.foundations, medium).to_dict()
        trend_chart(trend, portfolio.foundations, medium).to_dict()
    plan_chart(ctx.roadmap).to_dict()
    answer_spread_chart([Bucket("0 absent", 2), Bucket("don't know", 1)]).to_dict()
    spec = heatmap_spec(portfolio.teams, portfolio.foundations)
    validate_jsonschema(spec, alt.vegalite.v6.schema.core.load_schema())
    assert len(spec["data"]["values"]) == len(portfolio.teams) * len(portfolio.foundations)


def test_paper_has_its_fixed_width_and_the_screen_fits_the_column() -> None:
    screen = scores_chart(checkout_results()).to_dict()
    paper = scores_chart(checkout_results(), medium=PAPER).to_dict()
    assert "width" not in screen
    assert screen["autosize"]["type"] == "fit-x"
    assert paper["width"] == PAPER.width
    half = replace(PAPER, width=380)
    assert distribution_chart({}, [("a", "A")], half).to_dict()["width"] == 380


# ------------------------------------------------------------------ the scores chart


def test_scores_chart_has_one_bar_per_foundation_over_five_level_bands() -> None:
    results = checkout_results()
    frame = foundation_frame(results)
    assert list(frame["foundation"]) == [r.title for r in results]
    assert list(frame["level"]) == [palette.LEVEL_LABELS[r.level] for r in results]
    assert list(level_bands()["end"]) == [20, 40, 60, 80, 100]
    spec = scores_chart(results).to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    # bands, band names, needed, bars, labels: the needed tick under the bar, never across its label
    assert marks == ["rect", "text", "tick", "bar", "text", "text"]
    assert spec["height"] == {"step": SCREEN.row_px}
    bands, bars = spec["layer"][0], spec["layer"][3]
    assert bands["encoding"]["color"]["scale"] == bars["encoding"]["color"]["scale"]
    assert bars["encoding"]["color"]["scale"]["range"] == list(palette.LEVEL_FILLS)


def test_capped_foundations_say_so_in_their_label() -> None:
    results = checkout_results()
    labels = dict(zip(foundation_frame(results)["foundation"], foundation_frame(results)["label"], strict=True))
    for r in results:
        assert ("(capped)" in labels[r.title]) == r.gate_capped
        assert labels[r.title].startswith(f"{r.score}  ·  level {r.level} {r.level_name}")


def test_screen_names_the_level_bands_and_paper_leaves_that_to_the_report_text() -> None:
    results = checkout_results()
    screen = vl_convert.vegalite_to_svg(scores_chart(results).properties(width=600).to_dict())
    paper = vl_convert.vegalite_to_svg(scores_chart(results, medium=PAPER).to_dict())
    for r in results:
        assert r.title in screen
        assert r.title in paper
    assert ">established<" in screen
    assert ">established<" not in paper


# ------------------------------------------------------------------ the report's charts


def test_plan_chart_draws_every_item_and_its_prerequisites_first() -> None:
    ctx = _context()
    plan = plan_chart(ctx.roadmap).to_dict()
    plan_items = next(d for d in plan["datasets"].values() if d and "item" in d[0])
    assert [row["item"] for row in plan_items] == [str(r.position) for r in ctx.roadmap]
    links = next(d for d in plan["datasets"].values() if d and "from" in d[0])
    assert len(links) == sum(len(r.prerequisites) for r in ctx.roadmap)
    assert all(int(link["from"]) < int(link["to"]) for link in links)  # prerequisites first


def test_paper_style_sets_the_report_font_on_every_chart() -> None:
    ctx = _context()
    for chart in (scores_chart(ctx.foundations, medium=PAPER), plan_chart(ctx.roadmap)):
        config = paper_style(chart).to_dict()["config"]
        assert config["font"].split(",")[0] == "Inter"
        assert config["axis"]["gridColor"] == palette.GRID


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
    assert 'font-family="Inter' in scores_svg


def test_charts_measure_labels_in_the_bundled_font() -> None:
    """vl-convert is given the report's own font files, else labels are measured in a fallback and drift."""
    assert sorted(p.suffix for p in FONTS.iterdir() if p.is_file())[:1] in ([".otf"], [".ttf"], [".woff2"])


# ------------------------------------------------------------------ the heatmap on the page and in the PDF


class HeatTable(HTMLParser):
    """The PDF heatmap's cells ((team, column) -> level class), its legend and the style, from the overview's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, int], str] = {}
        self.legend: list[str] = []
        self.style = ""
        self._tag = ""  # the latest start tag: the element the next text belongs to
        self._team = ""
        self._column = -1
        self._in_heat = self._in_legend = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        self._tag = tag
        if tag == "table":
            self._in_heat = "heat" in classes
        elif tag == "p":
            self._in_legend = "legend" in classes
        elif self._in_heat and tag == "tr":
            self._team, self._column = "", -1
        elif self._in_heat and tag == "td" and "cell" in classes:
            self._column += 1
            self.cells[(self._team, self._column)] = next(c for c in classes if c != "cell")

    def handle_endtag(self, tag: str) -> None:
        self._tag = ""
        if tag == "table":
            self._in_heat = False
        elif tag == "p":
            self._in_legend = False

    def handle_data(self, data: str) -> None:
        if self._tag == "style":
            self.style += data
        elif self._in_heat and self._tag == "a":
            self._team = data
        elif self._in_legend and self._tag == "span":
            self.legend.append(data)


def test_heatmap_cells_have_the_same_colours_on_the_page_and_in_the_pdf(engine: Engine, bank: Bank) -> None:
    ctx, portfolio, _ = build(demo(engine, bank), DEMO_ORG)
    spec = heatmap_spec(portfolio.teams, portfolio.foundations)  # what the Portfolio page draws
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    page_fill = dict(zip(scale["domain"], scale["range"], strict=True))

    pdf = HeatTable()
    pdf.feed(portfolio_render.render_html(ctx, PortfolioCharts(distribution="", trend="")))
    rules = {
        css: (background, text)
        for css, background, text in re.findall(r"\.cell\.(\w+) \{ background: (#\w+); color: (#\w+); \}", pdf.style)
    }
    columns = {title: n for n, (_, title) in enumerate(portfolio.foundations)}
    compared = 0
    for cell in spec["data"]["values"]:
        on_paper = rules[pdf.cells[(cell["team"], columns[cell["foundation"]])]]
        assert on_paper == (page_fill[cell["level"]], cell["ink"]), cell
        compared += 1
    assert compared == len(pdf.cells) == len(portfolio.teams) * len(portfolio.foundations)
    assert len({cell["level"] for cell in spec["data"]["values"]}) == len(LEVEL_NAMES)  # the demo shows every level
    assert pdf.legend == scale["domain"] == list(palette.LEVEL_LABELS)


def test_report_level_words_take_the_palette_colour_for_text_on_white() -> None:
    html = render_html(_context(), ReportCharts(scores="", plan=None))
    for level in palette.LEVELS:
        assert f".level-{level.css} {{ color: {level.on_paper}; }}" in html
    assert 'class="level-absent"' in html


def test_a_foundation_nobody_answered_is_labelled_not_answered_never_level_0_absent() -> None:
    """Issue 16, item 3: unanswered read as "0 · level 0 absent" on Results and in the PDF."""
    bank = default_bank()
    empty = score_assessment(bank, {})
    assert {label(f) for f in empty.foundations.values()} == {"not answered"}
    one = score_assessment(bank, {"fi_timeouts": check_answer(bank.question("fi_timeouts"), answered(0))})
    assert label(one.foundations["failure_isolation"]).startswith("0  ·  level 0 absent")
