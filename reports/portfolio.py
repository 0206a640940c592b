"""The portfolio report of an organisation: context, charts, HTML, PDF.

It reuses the team report's Jinja2 environment, stylesheet, fonts, URL fetcher
and chart-to-SVG conversion; `portfolio.css` (linked from the overview's
template, served by the same fetcher) adds the heatmap, movement and team index
rules. The team pages have their own small stylesheet, `portfolio_pages.css`.
Layout (the overview first, then the team pages, on every core for large
portfolios, joined with every page numbered "Page n of M") is in `portfolio_render`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.engine import Engine

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in
from assessment.assessments.bulk import load_organisation_rounds, organisation_named
from assessment.assessments.scores import stored_contests
from assessment.core import db
from assessment.organisations.brand import brand_of
from assessment.portfolio.data import Portfolio, portfolio_data
from assessment.portfolio.dora import benchmark_edition, dora_clusters
from assessment.portfolio.insights import common_gaps, team_insights, unblockers
from assessment.portfolio.trend import TrendPoint, foundation_trend
from reports.charts.medium import PAPER
from reports.charts.paper import svg_data_uri
from reports.charts.portfolio import distribution_chart, trend_chart
from reports.portfolio_context import PortfolioContext, build_portfolio_context
from reports.portfolio_render import render_portfolio


@dataclass(frozen=True)
class PortfolioCharts:
    distribution: str  # SVG data URIs, "" when there is nothing to chart
    trend: str


def build(
    engine: Engine, organisation: str, *, generated_on: date | None = None
) -> tuple[PortfolioContext, Portfolio, list[TrendPoint]]:
    """Read everything the report needs in one short session, then assemble the context."""
    with db.read_session(engine) as session:
        org_id = organisation_named(session, organisation).id or 0
        authorize_in(session, None, Action.DOWNLOAD_REPORT, access.organisation(org_id))
        portfolio = portfolio_data(session, organisation_id=org_id)
        trend = foundation_trend(session, organisation_id=org_id)
        clusters = dora_clusters(session, organisation_id=org_id)
        rounds = load_organisation_rounds(session, organisation_id=org_id, latest_only=True)
        contests = stored_contests(session, [r.id for r in rounds])
        brand = brand_of(session, organisation_id=org_id)
    insights = team_insights(rounds, contests)
    ctx = build_portfolio_context(
        portfolio,
        trend,
        clusters,
        insights,
        common_gaps(insights),
        unblockers(insights),
        edition=benchmark_edition(),
        generated_on=generated_on,
        brand=brand,
    )
    return ctx, portfolio, trend


def render_charts(portfolio: Portfolio, trend: list[TrendPoint]) -> PortfolioCharts:
    """The summary's two charts; none without a team round (empty scales draw as garbage in the PDF)."""
    if not portfolio.teams:
        return PortfolioCharts(distribution="", trend="")
    half = replace(PAPER, width=380)  # the summary shows them at 62% of the column
    return PortfolioCharts(
        distribution=svg_data_uri(distribution_chart(portfolio.level_counts, portfolio.foundations, half)),
        trend=svg_data_uri(trend_chart(trend, portfolio.foundations, half)),
    )


def portfolio_pdf(
    engine: Engine, organisation: str, *, generated_on: date | None = None, workers: int | None = None
) -> bytes:
    """The portfolio PDF of the named organisation (NotFoundError if there is none)."""
    ctx, portfolio, trend = build(engine, organisation, generated_on=generated_on)
    return render_portfolio(ctx, render_charts(portfolio, trend), workers=workers)
