"""What the delivery data shows, in the terms the cross-check compares answers with.

Imported data gives medians with their sample sizes (and the recovery of incidents
linked to a deployment by id, which is what a rollback can shorten); typed figures
give the value as the team stated it, quoted as typed and with no invented counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assessment.dora.figures import latest_figures, typed_figures
from assessment.dora.lookback import team_lookback
from assessment.dora.metrics.compute import DoraMetrics, team_metrics
from assessment.dora.metrics.frames import has_data
from assessment.dora.metrics.window import Window
from assessment.models.dora import DoraFigures, DoraIncident

MIN_INCIDENTS = 3  # fewer resolved incidents than this say too little about recovery


@dataclass(frozen=True)
class Observed:
    """The figures the rules compare with, and where they come from.

    Typed figures carry no counts: `typed_recovery` quotes what was typed ("between one
    day and one week") and `incidents_resolved` stays None, so no sentence invents one.
    """

    source: str
    recovery_hours_median: float | None = None
    incidents_resolved: int | None = None
    incidents: int | None = None
    deployments_per_week: float | None = None
    change_failure_rate_pct: float | None = None
    typed_recovery: str | None = None
    linked_recovery_hours: float | None = None  # median over incidents linked to a deployment or change by id
    linked_resolved: int = 0

    @property
    def typed(self) -> bool:
        return self.typed_recovery is not None

    def enough_incidents(self) -> bool:
        return self.typed or (self.incidents_resolved or 0) >= MIN_INCIDENTS


def observed_for_team(session: Session, *, team_id: int) -> Observed | None:
    """Imported data when the team has any (default window), else its typed figures, else None."""
    if has_data(session, team_id=team_id):
        metrics = team_metrics(session, team_id=team_id, lookback_hours=team_lookback(session, team_id=team_id))
        return observed_from_metrics(metrics, linked_recovery(session, team_id=team_id, window=metrics.window))
    row = latest_figures(session, team_id=team_id)
    return observed_from_typed(row) if row is not None else None


def observed_from_metrics(m: DoraMetrics, linked: tuple[float | None, int] = (None, 0)) -> Observed:
    return Observed(
        f"imported data, {m.window.describe()}",
        m.recovery_hours_median,
        m.incidents_resolved,
        m.incidents,
        m.deployments_per_week,
        m.change_failure_rate_pct,
        linked_recovery_hours=linked[0],
        linked_resolved=linked[1],
    )


def linked_recovery(session: Session, *, team_id: int, window: Window) -> tuple[float | None, int]:
    """Median hours to resolve the window's incidents linked by id to a deployment or a change, and how many."""
    since, until = int(window.since.timestamp()), int(window.until.timestamp())
    rows = session.exec(
        select(DoraIncident.started_epoch_s, DoraIncident.resolved_epoch_s).where(
            DoraIncident.team_id == team_id,
            col(DoraIncident.started_epoch_s) >= since,
            col(DoraIncident.started_epoch_s) < until,
            col(DoraIncident.resolved_epoch_s).is_not(None),
            sa.or_(
                col(DoraIncident.deployment_external_id).is_not(None), col(DoraIncident.change_external_id).is_not(None)
            ),
        )
    ).all()
    hours = [(resolved - started) / 3600 for started, resolved in rows if resolved is not None and resolved >= started]
    return (median(hours), len(hours)) if hours else (None, 0)


def observed_from_typed(row: DoraFigures) -> Observed:
    """Typed figures give no incident count: the recovery figure is taken as stated and quoted as typed."""
    typed = typed_figures(row)[0]
    figures = {f.metric: f.value for f in typed}
    recovery = next((f for f in typed if f.metric == "recovery_time" and f.value is not None), None)
    per_day = figures.get("deployment_frequency")
    return Observed(
        "typed figures",
        figures.get("recovery_time"),
        None,
        None,
        per_day * 7 if per_day is not None else None,
        figures.get("change_failure_rate"),
        typed_recovery=recovery.text if recovery is not None else None,
    )
