"""The four DORA metrics per team over an explicit window, computed from the stored rows.

Definitions (docs/DORA.md says the same in prose):
- a deployment counts when its status is a success and its environment is production;
- lead time: for each change, its first counted deployment in the window minus its commit
  time (or, for a deployment without listed changes, deployment minus first_commit_at);
- change failure rate: deployments in the window linked to at least one incident that started in
  the window, over all counted deployments in the window. An incident links by its deployment id,
  else by its change id (to the deployment that first shipped it), else to the latest counted
  deployment of the same service in the look-back before it started;
- time to restore: resolved minus started, over incidents that started in the window.
Medians and p90 interpolate linearly between samples (as SQL's quantile_cont does).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlmodel import Session

from assessment.dora.metrics.frames import Frames, latest_event_s, load_frames
from assessment.dora.metrics.keys import ChangeKeys, Teams, ints, sorted_by
from assessment.dora.metrics.links import Links, attribute, incident_links, known_deployments
from assessment.dora.metrics.pool import POOL
from assessment.dora.metrics.quality import DataQuality, build_quality
from assessment.dora.metrics.shipments import Lead, first_shipments, lead_times
from assessment.dora.metrics.window import DAY_S, Window, window_for_dates

DEFAULT_LOOKBACK_HOURS = 24
HOUR_S = 3600.0


@dataclass(frozen=True)
class DoraMetrics:
    """One team's figures over one window; units are in the field names. None means no data for it."""

    team_id: int
    window: Window
    deployments: int
    deployments_per_day: float
    deployments_per_week: float
    days_with_deployments: int
    days_with_deployments_pct: float
    lead_time_hours_median: float | None
    lead_time_hours_p90: float | None
    lead_time_samples: int
    change_failure_rate_pct: float | None
    failed_deployments: int
    incidents: int
    incidents_linked_by_id: int
    incidents_linked_by_attribution: int
    incidents_unlinked: int
    recovery_hours_median: float | None
    recovery_hours_p90: float | None
    incidents_resolved: int
    quality: DataQuality

    @classmethod
    def from_counts(
        cls,
        team: int,
        window: Window,
        *,
        deployments: int,
        days: int,
        lead: tuple[float | None, float | None],
        lead_samples: int,
        failed: int,
        incidents: int,
        by_id: int,
        by_attribution: int,
        resolved: int,
        recovery: tuple[float | None, float | None],
        quality: DataQuality | None,
    ) -> DoraMetrics:
        """The figures from the per-team counts and (median, p90) pairs: rates and shares worked out here."""
        return cls(
            team_id=team,
            window=window,
            deployments=deployments,
            deployments_per_day=deployments / window.days,
            deployments_per_week=deployments / window.days * 7,
            days_with_deployments=days,
            days_with_deployments_pct=100.0 * days / window.days,
            lead_time_hours_median=lead[0],
            lead_time_hours_p90=lead[1],
            lead_time_samples=lead_samples,
            change_failure_rate_pct=100.0 * failed / deployments if deployments else None,
            failed_deployments=failed,
            incidents=incidents,
            incidents_linked_by_id=by_id,
            incidents_linked_by_attribution=by_attribution,
            incidents_unlinked=incidents - by_id - by_attribution,
            recovery_hours_median=recovery[0],
            recovery_hours_p90=recovery[1],
            incidents_resolved=resolved,
            quality=quality or DataQuality(),
        )

    def benchmark_values(self) -> dict[str, float | None]:
        """The values `benchmarks.band` and `nearest_cluster` take (units: hours, per day, %)."""
        return {
            "lead_time": self.lead_time_hours_median,
            "deployment_frequency": self.deployments_per_day if self.window.days else None,
            "change_failure_rate": self.change_failure_rate_pct,
            "recovery_time": self.recovery_hours_median,
        }


def team_metrics(
    session: Session,
    *,
    team_id: int,
    window: Window | None = None,
    lookback_hours: float = DEFAULT_LOOKBACK_HOURS,
) -> DoraMetrics:
    """One team's metrics; without a window, the 90 days up to its latest event."""
    if window is None:
        window = window_for_dates(None, None, latest_s=latest_event_s(session, team_ids=[team_id]))
    return compute_metrics(session, team_ids=[team_id], window=window, lookback_hours=lookback_hours)[team_id]


def compute_metrics(
    session: Session, *, team_ids: list[int], window: Window, lookback_hours: float = DEFAULT_LOOKBACK_HOURS
) -> dict[int, DoraMetrics]:
    """Metrics for every team in one pass over the stored rows."""
    lookback_s = int(lookback_hours * HOUR_S)
    frames = load_frames(session, team_ids=team_ids, window=window, lookback_s=lookback_s)
    return metrics_from_frames(frames, team_ids=team_ids, window=window, lookback_s=lookback_s)


def metrics_from_frames(
    frames: Frames, *, team_ids: list[int], window: Window, lookback_s: int
) -> dict[int, DoraMetrics]:
    """The metrics of every team from rows already read.

    Ids are text, so they are turned into numbers once: one dictionary over every change id
    (listed by deployments, in the changes data, named by incidents) and the deployments' row
    positions. The rest is numpy sorts, binary searches and counts per team over int64 keys,
    which is what keeps a million rows under a second. Linking incidents by deployment id and
    by attribution does not need the changes, so it runs on a second thread meanwhile (Arrow
    and numpy let go of the GIL in their loops).
    """
    teams = Teams(team_ids)
    deployments, incidents = frames.deployments, frames.incidents
    deployed = ints(deployments["deployed_s"])
    window_rows = np.flatnonzero(deployed >= window.since_s)
    if len(window_rows) == 0 or window_rows[-1] == len(window_rows) - 1:  # the window's rows come first
        in_window = deployments.slice(0, len(window_rows))
    else:
        in_window = pc.take(deployments, pa.array(window_rows), memory_pool=POOL)
    with ThreadPoolExecutor(max_workers=1) as pool:
        named = pool.submit(known_deployments, incidents, deployments)
        attributed = pool.submit(attribute, teams, incidents, deployments, lookback_s)
        changes = ChangeKeys.build(teams, in_window, frames.changes, incidents)
        firsts = first_shipments(in_window, changes)
        lead = lead_times(teams, in_window, firsts, changes, ints(frames.changes["committed_s"]))
        links = incident_links(
            teams,
            incidents,
            deployed,
            window_rows,
            firsts,
            changes,
            named.result(),
            attributed.result(),
            window.since_s,
        )
    quality = build_quality(frames, in_window, firsts.repeats(changes.pair_ids), lead.dropped, links.table)
    agg = _aggregate(teams, in_window, lead, links)
    return {team: _team(team, window, agg, teams.position(team), quality.get(team)) for team in team_ids}


def _quantiles(team: np.ndarray, seconds: np.ndarray, count: int) -> np.ndarray:
    """Median and p90 per team in hours (rows: dense team; NaN without samples).

    Linear interpolation between the two nearest samples, written as pandas writes it, so the
    figures match SQL's quantile_cont and earlier results to the last bit.
    """
    out = np.full((count, 2), np.nan)
    if len(team) == 0:
        return out
    seconds = np.asarray(seconds, dtype=np.int64)
    values = seconds[sorted_by(team, seconds)] / HOUR_S
    sizes = np.bincount(team, minlength=count)
    starts = np.cumsum(sizes) - sizes
    has = np.flatnonzero(sizes)
    for column, q in enumerate((0.5, 0.9)):
        position = q * (sizes[has] - 1).astype(float)
        low = np.floor(position)
        frac = position - low
        at = starts[has] + low.astype(np.int64)
        value = values[at]
        following = values[np.minimum(at + 1, starts[has] + sizes[has] - 1)]
        out[has, column] = np.where(frac == 0.0, value, value + (following - value) * frac)
    return out


@dataclass(frozen=True)
class _Aggregates:
    """Per-team figures as numpy arrays indexed by dense team."""

    counts: np.ndarray
    days: np.ndarray
    lead: np.ndarray
    lead_n: np.ndarray
    failed: np.ndarray
    by_id: np.ndarray
    by_attribution: np.ndarray
    incidents: np.ndarray
    recovery: np.ndarray
    resolved: np.ndarray


def _aggregate(teams: Teams, in_window: pa.Table, lead: Lead, links: Links) -> _Aggregates:
    team = teams.dense(in_window["team_id"])
    day = ints(in_window["deployed_s"]) // DAY_S
    span = int(day.max() - day.min() + 1) if len(day) else 1
    team_days = np.unique(team * span + (day - day.min() if len(day) else day))
    counted = links.counted
    # each failed deployment once, however many incidents it had (a link stays within its team)
    first_incident = np.unique(links.linked[counted], return_index=True)[1]
    resolved = links.resolved
    return _Aggregates(
        counts=teams.per_team(team),
        days=teams.per_team(team_days // span),
        lead=_quantiles(lead.team, lead.seconds, teams.count),
        lead_n=teams.per_team(lead.team),
        failed=teams.per_team(links.team[counted][first_incident]),
        by_id=teams.per_team(links.team[counted & links.by_id]),
        by_attribution=teams.per_team(links.team[counted & ~links.by_id]),
        incidents=teams.per_team(links.team),
        recovery=_quantiles(links.team[resolved], links.recovery_s[resolved], teams.count),
        resolved=teams.per_team(links.team[resolved]),
    )


def _pair(frame: np.ndarray, at: int) -> tuple[float | None, float | None]:
    if np.isnan(frame[at, 0]):
        return None, None
    return float(frame[at, 0]), float(frame[at, 1])


def _team(team: int, window: Window, agg: _Aggregates, at: int, quality: DataQuality | None) -> DoraMetrics:
    return DoraMetrics.from_counts(
        team,
        window,
        deployments=int(agg.counts[at]),
        days=int(agg.days[at]),
        lead=_pair(agg.lead, at),
        lead_samples=int(agg.lead_n[at]),
        failed=int(agg.failed[at]),
        incidents=int(agg.incidents[at]),
        by_id=int(agg.by_id[at]),
        by_attribution=int(agg.by_attribution[at]),
        resolved=int(agg.resolved[at]),
        recovery=_pair(agg.recovery, at),
        quality=quality,
    )
