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

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlmodel import Session

from assessment.dora.frames import Frames, latest_event_s, load_frames
from assessment.dora.quality import DataQuality, build_quality
from assessment.dora.window import DAY_S, Window, window_for_dates

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

    def benchmark_values(self) -> dict[str, float | None]:
        """The values `benchmarks.band` and `nearest_cluster` take (units: hours, per day, %)."""
        return {"lead_time": self.lead_time_hours_median,
                "deployment_frequency": self.deployments_per_day if self.window.days else None,
                "change_failure_rate": self.change_failure_rate_pct,
                "recovery_time": self.recovery_hours_median}


def team_metrics(session: Session, *, team_id: int, window: Window | None = None,
                 lookback_hours: float = DEFAULT_LOOKBACK_HOURS) -> DoraMetrics:
    """One team's metrics; without a window, the 90 days up to its latest event."""
    if window is None:
        window = window_for_dates(None, None, latest_s=latest_event_s(session, team_ids=[team_id]))
    return compute_metrics(session, team_ids=[team_id], window=window, lookback_hours=lookback_hours)[team_id]


def compute_metrics(session: Session, *, team_ids: list[int], window: Window,
                    lookback_hours: float = DEFAULT_LOOKBACK_HOURS) -> dict[int, DoraMetrics]:
    """Metrics for every team in one pass over the stored rows."""
    lookback_s = int(lookback_hours * HOUR_S)
    frames = load_frames(session, team_ids=team_ids, window=window, lookback_s=lookback_s)
    return metrics_from_frames(frames, team_ids=team_ids, window=window, lookback_s=lookback_s)


def metrics_from_frames(frames: Frames, *, team_ids: list[int], window: Window,
                        lookback_s: int) -> dict[int, DoraMetrics]:
    """The metrics of every team from rows already read (Arrow joins, numpy for the rest)."""
    all_deployments = frames.deployments
    in_window = all_deployments.filter(pc.greater_equal(all_deployments["deployed_s"], window.since_s))
    firsts = _first_shipments(in_window)
    lead = _lead_times(in_window, firsts, frames.changes)
    links = _incident_links(frames.incidents, all_deployments, in_window, firsts, lookback_s)
    quality = build_quality(frames, in_window, firsts, lead, links)
    agg = _aggregate(in_window, lead, links)
    return {team: _team(team, window, agg, quality.get(team)) for team in team_ids}


def _first_shipments(deployments: pa.Table) -> pa.Table:
    """Per (team, change id): the first deployment that shipped it, and how many deployments listed it."""
    listed = deployments.filter(pc.is_valid(deployments["change_ids"]))
    split = pc.split_pattern(listed["change_ids"], ";")
    parent = pc.list_parent_indices(split)
    pairs = pa.table({"team_id": pc.take(listed["team_id"], parent), "change_id": pc.list_flatten(split),
                      "first_deployment": pc.take(listed["external_id"], parent),
                      "shipped_s": pc.take(listed["deployed_s"], parent)})
    pairs = pairs.take(pc.sort_indices(pairs, [("shipped_s", "ascending"), ("first_deployment", "ascending")]))
    grouped = pairs.group_by(["team_id", "change_id"], use_threads=False).aggregate(
        [("first_deployment", "first"), ("shipped_s", "first"), ("shipped_s", "count")])
    return grouped.rename_columns({"first_deployment_first": "first_deployment", "shipped_s_first": "shipped_s",
                                   "shipped_s_count": "times_listed"})


def _lead_times(deployments: pa.Table, firsts: pa.Table, changes: pa.Table) -> pa.Table:
    """Lead time samples (team_id, change_id, seconds, dropped): `dropped` holds the reason or null."""
    joined = firsts.join(changes.rename_columns({"external_id": "change_id"}), keys=["team_id", "change_id"],
                         join_type="left outer")
    seconds = pc.subtract(joined["shipped_s"], joined["committed_s"])
    dropped = pc.if_else(pc.is_null(joined["committed_s"]), "change id not found in the changes data",
                         pc.if_else(pc.less(seconds, 0), "committed after the deployment that shipped it",
                                    pa.scalar(None, pa.string())))
    direct = deployments.filter(pc.and_(pc.is_null(deployments["change_ids"]),
                                        pc.is_valid(deployments["first_commit_s"])))
    return pa.concat_tables([
        pa.table({"team_id": joined["team_id"], "change_id": joined["change_id"], "seconds": seconds,
                  "dropped": dropped}),
        pa.table({"team_id": direct["team_id"], "change_id": pa.nulls(direct.num_rows, pa.string()),
                  "seconds": pc.subtract(direct["deployed_s"], direct["first_commit_s"]),
                  "dropped": pa.nulls(direct.num_rows, pa.string())}),
    ]).combine_chunks()


def _flags(table: pa.Table, key: str, name: str, wanted: pa.ChunkedArray) -> pa.Table:
    """(team_id, key, name=True) for the rows of `table` whose id is among `wanted`: a small join side.

    Filtering with is_in first keeps the hash tables of the joins at incident size, not deployment size.
    """
    rows = table.filter(pc.is_in(table["external_id"], value_set=pc.unique(pc.drop_null(wanted))))
    return pa.table({"team_id": rows["team_id"], key: rows["external_id"],
                     name: pa.array(np.ones(rows.num_rows, dtype=bool))})


def _incident_links(incidents: pa.Table, deployments: pa.Table, in_window: pa.Table, firsts: pa.Table,
                    lookback_s: int) -> pa.Table:
    """Each incident with `linked` (a deployment id or null), `how` and `counted` (linked in the window)."""
    out = incidents.join(_flags(deployments, "deployment_id", "known", incidents["deployment_id"]),
                         keys=["team_id", "deployment_id"], join_type="left outer")
    named = firsts.filter(pc.is_in(firsts["change_id"], value_set=pc.unique(pc.drop_null(incidents["change_id"]))))
    out = out.join(named.select(["team_id", "change_id", "first_deployment"]), keys=["team_id", "change_id"],
                   join_type="left outer")
    by_id = pc.if_else(pc.fill_null(out["known"], False), out["deployment_id"], out["first_deployment"])
    attributed = _attribute(out, deployments, lookback_s)
    how = pc.if_else(pc.is_valid(by_id), "id",
                     pc.if_else(pc.is_valid(attributed), "attribution", pa.scalar(None, pa.string())))
    linked = pc.coalesce(by_id, attributed)
    out = pa.table({"team_id": out["team_id"], "external_id": out["external_id"], "started_s": out["started_s"],
                    "resolved_s": out["resolved_s"], "linked": linked, "how": how})
    out = out.join(_flags(in_window, "linked", "counted", linked), keys=["team_id", "linked"],
                   join_type="left outer")
    return out.set_column(out.schema.get_field_index("counted"), "counted", pc.fill_null(out["counted"], False))


def _attribute(incidents: pa.Table, deployments: pa.Table, lookback_s: int) -> pa.Array:
    """The latest deployment of the same team and service at most `lookback_s` before each incident.

    Deployments are sorted by (team and service, time) into one int64 key, so each incident
    finds its candidate with one binary search.
    """
    if deployments.num_rows == 0 or incidents.num_rows == 0:
        return pa.nulls(incidents.num_rows, pa.string())
    # encode each side, then unify: far cheaper than concatenating a million strings first
    codes = pa.chunked_array([pc.dictionary_encode(deployments["service"]).combine_chunks(),
                              pc.dictionary_encode(incidents["service"]).combine_chunks()]).unify_dictionaries()
    width = len(codes.chunk(0).dictionary)
    raw = np.concatenate([deployments["team_id"].to_numpy() * width + codes.chunk(0).indices.to_numpy(),
                          incidents["team_id"].to_numpy() * width + codes.chunk(1).indices.to_numpy()])
    group = np.unique(raw, return_inverse=True)[1].astype(np.int64)  # small dense ids: room for the time
    dep_group, inc_group = group[: deployments.num_rows], group[deployments.num_rows:]
    dep_time = deployments["deployed_s"].to_numpy()
    inc_time = incidents["started_s"].to_numpy()
    base = min(dep_time.min(), inc_time.min())
    dep_keys = (dep_group << 34) + (dep_time - base)
    order = np.argsort(dep_keys, kind="stable")
    keys = dep_keys[order]
    at = np.searchsorted(keys, (inc_group << 34) + (inc_time - base), side="right") - 1
    safe = np.clip(at, 0, None)
    hit = (at >= 0) & (dep_group[order][safe] == inc_group) & (inc_time - dep_time[order][safe] <= lookback_s)
    ids = pc.take(deployments["external_id"], pa.array(order[safe]))
    return pc.if_else(pa.array(hit), ids, pa.scalar(None, pa.string())).combine_chunks()


def _quantiles(teams: pa.ChunkedArray, seconds: pa.ChunkedArray) -> pd.DataFrame:
    """Median and p90 per team (index: team_id; columns: 0.5, 0.9), in hours."""
    if len(teams) == 0:
        return pd.DataFrame(columns=[0.5, 0.9], dtype=float)
    hours = pd.Series(np.asarray(seconds.to_numpy(), dtype=float) / HOUR_S,
                      index=np.asarray(teams.to_numpy(), dtype=np.int64))
    return hours.groupby(level=0).quantile([0.5, 0.9]).unstack()


@dataclass(frozen=True)
class _Aggregates:
    """Per-team figures as pandas Series indexed by team id."""

    counts: pd.Series
    days: pd.Series
    lead: pd.DataFrame
    lead_n: pd.Series
    failed: pd.Series
    by_id: pd.Series
    by_attribution: pd.Series
    incidents: pd.Series
    recovery: pd.DataFrame
    resolved: pd.Series


def _per_team(teams: pa.ChunkedArray | pa.Array) -> pd.Series:
    return pd.Series(np.asarray(teams.to_numpy(), dtype=np.int64)).value_counts()


def _aggregate(deployments: pa.Table, lead: pa.Table, links: pa.Table) -> _Aggregates:
    kept = lead.filter(pc.is_null(lead["dropped"]))
    counted = links.filter(links["counted"])
    failed = counted.group_by(["team_id", "linked"]).aggregate([]).column("team_id")
    resolved = links.filter(pc.is_valid(links["resolved_s"]))
    days = pa.table({"team_id": deployments["team_id"], "day": pc.divide(deployments["deployed_s"], DAY_S)})
    return _Aggregates(
        counts=_per_team(deployments["team_id"]),
        days=_per_team(days.group_by(["team_id", "day"]).aggregate([]).column("team_id")),
        lead=_quantiles(kept["team_id"], kept["seconds"]),
        lead_n=_per_team(kept["team_id"]),
        failed=_per_team(failed),
        by_id=_per_team(counted.filter(pc.equal(counted["how"], "id"))["team_id"]),
        by_attribution=_per_team(counted.filter(pc.equal(counted["how"], "attribution"))["team_id"]),
        incidents=_per_team(links["team_id"]),
        recovery=_quantiles(resolved["team_id"], pc.subtract(resolved["resolved_s"], resolved["started_s"])),
        resolved=_per_team(resolved["team_id"]),
    )


def _get(series: pd.Series, team: int) -> int:
    return int(series.get(team, 0))


def _pair(frame: pd.DataFrame, team: int) -> tuple[float | None, float | None]:
    if team not in frame.index:
        return None, None
    return float(frame.loc[team, 0.5]), float(frame.loc[team, 0.9])


def _team(team: int, window: Window, agg: _Aggregates, quality: DataQuality | None) -> DoraMetrics:
    count, days, failed = _get(agg.counts, team), _get(agg.days, team), _get(agg.failed, team)
    by_id, by_attribution = _get(agg.by_id, team), _get(agg.by_attribution, team)
    lt_median, lt_p90 = _pair(agg.lead, team)
    rt_median, rt_p90 = _pair(agg.recovery, team)
    return DoraMetrics(
        team_id=team, window=window, deployments=count,
        deployments_per_day=count / window.days, deployments_per_week=count / window.days * 7,
        days_with_deployments=days, days_with_deployments_pct=100.0 * days / window.days,
        lead_time_hours_median=lt_median, lead_time_hours_p90=lt_p90, lead_time_samples=_get(agg.lead_n, team),
        change_failure_rate_pct=100.0 * failed / count if count else None, failed_deployments=failed,
        incidents=_get(agg.incidents, team), incidents_linked_by_id=by_id,
        incidents_linked_by_attribution=by_attribution,
        incidents_unlinked=_get(agg.incidents, team) - by_id - by_attribution,
        recovery_hours_median=rt_median, recovery_hours_p90=rt_p90, incidents_resolved=_get(agg.resolved, team),
        quality=quality or DataQuality(),
    )
