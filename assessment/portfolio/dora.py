"""The DORA cluster of every team of an organisation that has DORA data, for the portfolio.

Imported events win over typed figures: they are measured, over an explicit
window (the 90 days up to the organisation's latest event). A team with neither
has no cluster, and the portfolio says "no data" rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in
from assessment.dora.benchmarks import EDITION, nearest_cluster
from assessment.dora.lookback import organisation_lookback
from assessment.dora.metrics.compute import compute_metrics
from assessment.dora.metrics.frames import latest_event_s
from assessment.dora.metrics.window import window_for_dates
from assessment.dora.summary import with_lookback
from assessment.models.assessments import Team
from assessment.models.dora import DoraDeployment, DoraFigures, DoraIncident

DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class TeamCluster:
    team_id: int
    cluster: str  # elite | high | medium | low
    source: str  # "imported data, <window>" or "typed figures"
    metrics_used: tuple[str, ...]
    lookback_hours: float | None = None  # the organisation's attribution look-back, for clusters from imported data

    @property
    def text(self) -> str:
        """'high (attribution look-back 24 h)': the cluster with the look-back its change failure rate used."""
        return with_lookback(self.cluster, self.lookback_hours)


def dora_clusters(session: Session, *, organisation_id: int) -> dict[int, TeamCluster]:
    """Per team with DORA data: its nearest DORA cluster and where the figures came from."""
    authorize_in(session, None, Action.VIEW_PORTFOLIO, access.organisation(organisation_id))
    clusters = _from_figures(session, organisation_id)
    clusters.update(_from_events(session, organisation_id))
    return clusters


def _teams_with_events(session: Session, organisation_id: int) -> list[int]:
    in_org = select(Team.id).where(Team.organisation_id == organisation_id)
    deployed = select(DoraDeployment.team_id).where(col(DoraDeployment.team_id).in_(in_org))
    incidents = select(DoraIncident.team_id).where(col(DoraIncident.team_id).in_(in_org))
    return sorted({int(t) for (t,) in session.execute(sa.union(deployed, incidents))})


def _from_events(session: Session, organisation_id: int) -> dict[int, TeamCluster]:
    team_ids = _teams_with_events(session, organisation_id)
    if not team_ids:
        return {}
    window = window_for_dates(None, None, latest_s=latest_event_s(session, team_ids=team_ids))
    found = {}
    lookback = organisation_lookback(session, organisation_id=organisation_id)
    for team_id, metrics in compute_metrics(session, team_ids=team_ids, window=window, lookback_hours=lookback).items():
        fit = nearest_cluster(metrics.benchmark_values())
        if fit is not None:
            found[team_id] = TeamCluster(
                team_id, fit.cluster, f"imported data, {window.describe()}", fit.metrics_used, lookback
            )
    return found


def _from_figures(session: Session, organisation_id: int) -> dict[int, TeamCluster]:
    """The newest typed figures of each team (exact numbers only; ranges alone do not place a team)."""
    newest = (
        select(DoraFigures.team_id, func.max(DoraFigures.id).label("id"))
        .join(Team, col(Team.id) == DoraFigures.team_id)
        .where(Team.organisation_id == organisation_id)
        .group_by(col(DoraFigures.team_id))
        .subquery()
    )
    found = {}
    for figures in session.exec(select(DoraFigures).join(newest, newest.c.id == DoraFigures.id)):
        per_day = None if figures.deployments_per_week is None else figures.deployments_per_week / DAYS_PER_WEEK
        fit = nearest_cluster(
            {
                "lead_time": figures.lead_time_hours,
                "deployment_frequency": per_day,
                "change_failure_rate": figures.change_failure_pct,
                "recovery_time": figures.recovery_hours,
            }
        )
        if fit is not None:
            found[figures.team_id] = TeamCluster(figures.team_id, fit.cluster, "typed figures", fit.metrics_used)
    return found


def benchmark_edition() -> str:
    """The DORA report edition the clusters come from, to be named wherever a cluster is shown."""
    return EDITION
