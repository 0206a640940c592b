"""The whole report pipeline for one assessment: context, charts, HTML, PDF.

Each stage is a separate function so the benchmark can time them one by one and
the app can run the whole thing in a worker process.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.engine import Engine

from assessment.access import policy as access
from assessment.access.policy import Action, authorize
from assessment.assessments.comparison import RoundComparison, since_last_round
from assessment.assessments.repository import AssessmentData, load_assessment
from assessment.core import db
from assessment.dora.team import TeamDora, team_dora
from assessment.organisations.brand import Brand, team_brand
from assessment.roadmap.evidence import Evidence
from reports.context import build_context
from reports.html import REPORT_CSS, render_html
from reports.pdf import render_pdf
from reports.report_charts import render_charts
from reports.sections import Contradiction, DoraData


def pdf_for(
    data: AssessmentData,
    *,
    evidence: Evidence | None = None,
    dora: DoraData | None = None,
    contradictions: Sequence[Contradiction] = (),
    generated_on: date | None = None,
    since: RoundComparison | None = None,
    team_dora: TeamDora | None = None,
    brand: Brand | None = None,
) -> bytes:
    """The PDF report of an assessment already loaded (no database needed), with the organisation's `brand`."""
    ctx = build_context(
        data,
        evidence=evidence,
        dora=dora,
        contradictions=contradictions,
        generated_on=generated_on,
        since=since,
        team_dora=team_dora,
        brand=brand,
    )
    return render_pdf(render_html(ctx, render_charts(ctx)), css=REPORT_CSS)


def report_pdf(
    engine: Engine,
    assessment_id: int,
    *,
    evidence: Evidence | None = None,
    dora: DoraData | None = None,
    contradictions: Sequence[Contradiction] = (),
    generated_on: date | None = None,
) -> bytes:
    """The PDF report of one stored assessment (NotFoundError if there is none, or it is not the caller's).

    The team's stored DORA data feeds the roadmap, the DORA section and the
    contradictions; explicit `evidence`, `dora` or `contradictions` take its place.
    """
    authorize(engine, None, Action.DOWNLOAD_REPORT, access.assessment(assessment_id))
    with db.read_session(engine) as session:
        data = load_assessment(session, assessment_id=assessment_id)
        since = since_last_round(session, assessment_id=assessment_id)
        stored = team_dora(session, data)
        brand = team_brand(session, team_id=data.team_id)
    return pdf_for(
        data,
        evidence=evidence,
        dora=dora,
        contradictions=contradictions,
        generated_on=generated_on,
        since=since,
        team_dora=stored,
        brand=brand,
    )
