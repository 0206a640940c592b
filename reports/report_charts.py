"""The charts of one report, drawn from its context as SVG data URIs for the PDF."""

from __future__ import annotations

from dataclasses import dataclass

from altair.utils.schemapi import debug_mode

from reports.charts.medium import PAPER
from reports.charts.paper import svg_data_uri
from reports.charts.plan import plan_chart
from reports.charts.scores import scores_chart
from reports.context import ReportContext


@dataclass(frozen=True)
class ReportCharts:
    """The charts of one report, as `data:image/svg+xml;base64,...` URIs (None when there is nothing to draw)."""

    scores: str
    plan: str | None


def render_charts(ctx: ReportContext) -> ReportCharts:
    """Every chart the report shows, as SVG data URIs.

    Altair's debug mode validates every schema object as it is built, which costs
    more than building the chart; it only improves error messages, and the tests
    validate each builder's whole spec. It is a process-wide switch, which is safe
    here because reports are made in their own process (the worker, the CLI).
    """
    autonomy = next((v for v in ctx.verdicts if v.key == "deployment_autonomy"), None)
    needed = {title: need for title, need, _ in autonomy.requires} if autonomy else None
    with debug_mode(False):
        scores = svg_data_uri(scores_chart(ctx.foundations, needed, PAPER))
        accent = ctx.brand.accent if ctx.brand else None
        plan = svg_data_uri(plan_chart(ctx.roadmap, accent)) if ctx.roadmap else None
    return ReportCharts(scores=scores, plan=plan)
