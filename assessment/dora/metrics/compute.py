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

from assessment.dora.formats import ID_SEPARATOR
from assessment.dora.metrics.frames import POOL, Frames, latest_event_s, load_frames
from assessment.dora.metrics.quality import DataQuality, build_quality
from assessment.dora.metrics.window import DAY_S, Window, window_for_dates

DEFAULT_LOOKBACK_HOURS = 24
HOUR_S = 3600.0
_ENCODE_BATCH = 100_000  # ids encoded together (whole teams): a hash table that fits in the cache


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
    teams = _Teams(team_ids)
    deployments, incidents = frames.deployments, frames.incidents
    deployed = _ints(deployments["deployed_s"])
    window_rows = np.flatnonzero(deployed >= window.since_s)
    if len(window_rows) == 0 or window_rows[-1] == len(window_rows) - 1:  # the window's rows come first
        in_window = deployments.slice(0, len(window_rows))
    else:
        in_window = pc.take(deployments, pa.array(window_rows), memory_pool=POOL)
    with ThreadPoolExecutor(max_workers=1) as pool:
        named = pool.submit(_known_deployments, incidents, deployments)
        attributed = pool.submit(_attribute, teams, incidents, deployments, lookback_s)
        changes = _ChangeKeys.build(teams, in_window, frames.changes, incidents)
        firsts = _first_shipments(in_window, changes)
        lead = _lead_times(teams, in_window, firsts, changes, _ints(frames.changes["committed_s"]))
        links = _incident_links(
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


def _ints(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """An int64 column without nulls as a numpy array (no copy when it is one chunk)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks(memory_pool=POOL)
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.int64)


def _nullable_ints(column: pa.ChunkedArray | pa.Array, fill: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """An int64 column as (values with nulls as `fill`, mask of the rows that have a value)."""
    valid = np.asarray(pc.is_valid(column, memory_pool=POOL).to_numpy(zero_copy_only=False), dtype=bool)
    if column.null_count:
        column = pc.coalesce(column, pa.scalar(fill, pa.int64()), memory_pool=POOL)
    return _ints(column), valid


class _Teams:
    """Team ids to dense positions 0..n-1, so per-team figures are numpy bincounts."""

    def __init__(self, team_ids: list[int]) -> None:
        self.ids = np.unique(np.asarray(team_ids, dtype=np.int64))
        top = int(self.ids[-1]) if len(self.ids) else 0
        self._lookup = np.full(top + 2, -1, dtype=np.int64)  # by id; the last slot for ids beyond the top
        self._lookup[self.ids] = np.arange(len(self.ids))

    @property
    def count(self) -> int:
        return len(self.ids)

    def dense(self, column: pa.ChunkedArray | pa.Array | np.ndarray) -> np.ndarray:
        ids = column if isinstance(column, np.ndarray) else _ints(column)
        at: np.ndarray = self._lookup[np.clip(ids, 0, len(self._lookup) - 1)]
        if len(at) and at.min() < 0:
            raise ValueError("rows of a team that was not asked for")
        return at

    def position(self, team: int) -> int:
        return int(self._lookup[team])

    def per_team(self, dense: np.ndarray) -> np.ndarray:
        return np.bincount(dense, minlength=self.count)


def _sorted_by(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """An order that sorts by (group, value), both int64; rows equal in both come in any order.

    One int64 key (group times the value span, plus the value) sorts several times faster
    than np.lexsort; data whose key would not fit takes lexsort.
    """
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    low = int(value.min())
    span = int(value.max()) - low + 1
    if (int(group.max()) + 1) * span < 2**62 and int(group.min()) >= 0:
        return np.argsort(group * span + (value - low))
    return np.lexsort((value, group))


@dataclass(frozen=True)
class _ChangeKeys:
    """One int64 key per (team, change id): team times `width` plus the id's code within its team.

    `pairs` are the (deployment, change id) pairs of the window's deployments that list changes.
    """

    width: int
    pair_ids: pa.Array  # the change id of each pair
    pair_rows: np.ndarray  # its deployment (row of in_window)
    pair_keys: np.ndarray
    change_keys: np.ndarray  # one per row of the changes data
    incident_keys: np.ndarray  # one per incident; -1 without a change id

    @classmethod
    def build(cls, teams: _Teams, in_window: pa.Table, changes: pa.Table, incidents: pa.Table) -> _ChangeKeys:
        lists = in_window["change_ids"].combine_chunks(memory_pool=POOL)
        split = pc.split_pattern(lists, ID_SEPARATOR, memory_pool=POOL)
        pair_rows = np.asarray(
            pc.list_parent_indices(split, memory_pool=POOL).to_numpy(zero_copy_only=False), dtype=np.int64
        )
        pair_ids = pc.list_flatten(split, memory_pool=POOL)
        named = [
            pair_ids,
            changes["external_id"].combine_chunks(memory_pool=POOL),
            incidents["change_id"].combine_chunks(memory_pool=POOL),
        ]
        owners = np.concatenate(
            [
                teams.dense(in_window["team_id"])[pair_rows],
                teams.dense(changes["team_id"]),
                teams.dense(incidents["team_id"]),
            ]
        )
        codes, width = _codes_by_team(
            pa.concat_arrays([a.cast(pa.string()) for a in named], memory_pool=POOL), owners, teams.count
        )
        keys = np.where(codes >= 0, owners * width + codes, -1)
        pair_keys, change_keys, incident_keys = np.split(keys, np.cumsum([len(a) for a in named])[:2])
        return cls(width, pair_ids, pair_rows, pair_keys, change_keys, incident_keys)


def _codes_by_team(texts: pa.Array, owners: np.ndarray, teams: int) -> tuple[np.ndarray, int]:
    """A code per text, equal for equal texts of one team (-1 for null), and a bound on the codes.

    The texts are dictionary-encoded a batch of whole teams at a time: small hash tables stay in
    the processor's cache, about three times faster than one table for two million ids.
    """
    order = np.argsort(owners, kind="stable")
    grouped = pc.take(texts, pa.array(order), memory_pool=POOL)
    ends = np.searchsorted(owners[order], np.arange(1, teams + 1))
    codes = np.empty(len(texts), dtype=np.int64)
    width, start = 1, 0
    for end in ends[np.append(np.diff(ends // _ENCODE_BATCH) > 0, True)] if len(ends) else []:
        if end == start:
            continue
        encoded = pc.dictionary_encode(grouped.slice(start, end - start), memory_pool=POOL)
        indices = encoded.indices
        if indices.null_count:
            indices = pc.coalesce(indices, pa.scalar(-1, indices.type), memory_pool=POOL)
        codes[order[start:end]] = indices.to_numpy()
        width, start = max(width, len(encoded.dictionary)), end
    if teams * width >= 2**62:
        raise ValueError("too many distinct change ids to key")
    return codes, width


@dataclass(frozen=True)
class _Firsts:
    """Per (team, change id) shipped in the window, sorted by key: its first deployment and how often listed."""

    keys: np.ndarray
    team_ids: np.ndarray
    rows: np.ndarray  # the first deployment that shipped it (row of in_window)
    shipped: np.ndarray  # that deployment's time
    listed: np.ndarray  # how many deployments listed it
    pairs: np.ndarray  # one of its pairs (for the change id's text)

    def repeats(self, pair_ids: pa.Array) -> pa.Table:
        """Changes listed by more than one deployment (only the first one counts)."""
        again = np.flatnonzero(self.listed > 1)
        return pa.table(
            {
                "team_id": pa.array(self.team_ids[again]),
                "change_id": pair_ids.take(pa.array(self.pairs[again])),
            }
        )

    def find(self, keys: np.ndarray) -> np.ndarray:
        """The position of each key among the firsts, -1 where it is not there."""
        if len(self.keys) == 0:
            return np.full(len(keys), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where((self.keys[at] == keys) & (keys >= 0), at, -1)


def _first_shipments(in_window: pa.Table, changes: _ChangeKeys) -> _Firsts:
    """The first deployment of each change: the earliest, and of deployments at the same second the smallest id."""
    keys, rows = changes.pair_keys, changes.pair_rows
    shipped = _ints(in_window["deployed_s"])[rows]
    order = _sorted_by(keys, shipped)
    sorted_keys, sorted_times = keys[order], shipped[order]
    new_key = np.ones(len(order), dtype=bool)
    new_key[1:] = sorted_keys[1:] != sorted_keys[:-1]
    starts = np.flatnonzero(new_key)
    listed = np.diff(np.append(starts, len(order)))
    chosen = order[starts]
    tied = np.zeros(len(order), dtype=bool)  # another pair of the same change at the same earliest second
    tied[1:] = (sorted_keys[1:] == sorted_keys[:-1]) & (sorted_times[1:] == sorted_times[:-1])
    if tied.any():
        chosen = _break_ties(in_window, order, new_key, tied, rows, chosen)
    return _Firsts(
        sorted_keys[starts],
        _ints(in_window["team_id"])[rows[chosen]],
        rows[chosen],
        shipped[chosen],
        listed,
        chosen,
    )


def _break_ties(
    in_window: pa.Table,
    order: np.ndarray,
    new_key: np.ndarray,
    tied: np.ndarray,
    rows: np.ndarray,
    chosen: np.ndarray,
) -> np.ndarray:
    """Among pairs that share a change's earliest second, take the deployment with the smallest id."""
    group = np.cumsum(new_key) - 1
    run_start = ~tied  # runs of equal (key, second); a group's first run holds its earliest pairs
    first_run = np.cumsum(run_start) - 1
    earliest = first_run == first_run[np.flatnonzero(new_key)][group]
    contested = np.zeros(len(order), dtype=bool)
    contested[np.flatnonzero(tied)] = True
    contested[np.flatnonzero(tied) - 1] = True
    candidates = np.flatnonzero(contested & earliest)
    table = pa.table(
        {
            "group": pa.array(group[candidates]),
            "pair": pa.array(order[candidates]),
            "id": in_window["external_id"].take(pa.array(rows[order[candidates]])),
        }
    )
    table = table.sort_by([("group", "ascending"), ("id", "ascending")])
    grp = table["group"].to_numpy()
    firsts = np.ones(len(grp), dtype=bool)
    firsts[1:] = grp[1:] != grp[:-1]
    chosen = chosen.copy()
    chosen[grp[firsts]] = table["pair"].to_numpy()[firsts]
    return chosen


@dataclass(frozen=True)
class _Lead:
    """Lead time samples (dense team, seconds) that count, and the changes left out with their reason."""

    team: np.ndarray
    seconds: np.ndarray
    dropped: pa.Table  # team_id, change_id, dropped


def _lead_times(
    teams: _Teams, in_window: pa.Table, firsts: _Firsts, changes: _ChangeKeys, committed: np.ndarray
) -> _Lead:
    order = np.argsort(changes.change_keys, kind="stable")
    known = changes.change_keys[order]
    if len(known):
        at = np.minimum(np.searchsorted(known, firsts.keys), len(known) - 1)
        found = known[at] == firsts.keys
        seconds = firsts.shipped - committed[order][at]
    else:
        found = np.zeros(len(firsts.keys), dtype=bool)
        seconds = np.zeros(len(firsts.keys), dtype=np.int64)
    backwards = found & (seconds < 0)
    kept = found & ~backwards
    dropped_at = np.flatnonzero(~kept)
    reason = np.where(
        found[dropped_at],
        "committed after the deployment that shipped it",
        "change id not found in the changes data",
    )
    dropped = pa.table(
        {
            "team_id": pa.array(firsts.team_ids[dropped_at]),
            "change_id": changes.pair_ids.take(pa.array(firsts.pairs[dropped_at])),
            "dropped": pa.array(reason, pa.string()),
        }
    )
    first_commit, has_commit = _nullable_ints(in_window["first_commit_s"])
    direct = np.flatnonzero(
        has_commit & ~np.asarray(pc.is_valid(in_window["change_ids"]).to_numpy(zero_copy_only=False), dtype=bool)
    )
    team_of_row = teams.dense(in_window["team_id"])
    team_of_first = team_of_row[firsts.rows[kept]] if len(firsts.rows) else np.zeros(0, dtype=np.int64)
    return _Lead(
        np.concatenate([team_of_first, team_of_row[direct]]),
        np.concatenate([seconds[kept], _ints(in_window["deployed_s"])[direct] - first_commit[direct]]),
        dropped,
    )


@dataclass(frozen=True)
class _Links:
    """Each incident's linked deployment (row of the deployments read, -1 none), how, and whether it counts."""

    team: np.ndarray
    linked: np.ndarray
    by_id: np.ndarray
    counted: np.ndarray
    resolved: np.ndarray  # has a resolution time
    recovery_s: np.ndarray
    table: pa.Table  # team_id, external_id, resolved_s, counted (for data quality)


def _incident_links(
    teams: _Teams,
    incidents: pa.Table,
    deployed: np.ndarray,
    window_rows: np.ndarray,
    firsts: _Firsts,
    changes: _ChangeKeys,
    named: np.ndarray,
    attributed: np.ndarray,
    since_s: int,
) -> _Links:
    """Link by deployment id (`named`), else by change id (its first deployment), else by `attributed`."""
    shipped_first = firsts.find(changes.incident_keys)
    by_change = np.where(
        shipped_first >= 0,
        window_rows[firsts.rows[np.maximum(shipped_first, 0)]] if len(firsts.rows) else -1,
        -1,
    )
    by_id = np.where(named >= 0, named, by_change)
    linked = np.where(by_id >= 0, by_id, attributed)
    counted = (linked >= 0) & (deployed[np.maximum(linked, 0)] >= since_s) if len(deployed) else linked >= 0
    started = _ints(incidents["started_s"])
    resolved_s, resolved = _nullable_ints(incidents["resolved_s"])
    table = pa.table(
        {
            "team_id": incidents["team_id"],
            "external_id": incidents["external_id"],
            "resolved_s": incidents["resolved_s"],
            "counted": pa.array(counted, pa.bool_()),
        }
    )
    return _Links(teams.dense(incidents["team_id"]), linked, by_id >= 0, counted, resolved, resolved_s - started, table)


def _known_deployments(incidents: pa.Table, deployments: pa.Table) -> np.ndarray:
    """The row of the deployment each incident names by id (same team), -1 where none matches.

    Filtering by is_in first keeps the join at incident size, not deployment size.
    """
    wanted = pc.unique(pc.drop_null(incidents["deployment_id"]))
    rows = np.flatnonzero(
        np.asarray(
            pc.is_in(deployments["external_id"], value_set=wanted, memory_pool=POOL).to_numpy(zero_copy_only=False),
            dtype=bool,
        )
    )
    side = pa.table(
        {
            "team_id": deployments["team_id"].take(pa.array(rows)),
            "deployment_id": deployments["external_id"].take(pa.array(rows)),
            "row": pa.array(rows),
        }
    )
    asked = pa.table(
        {
            "team_id": incidents["team_id"],
            "deployment_id": incidents["deployment_id"],
            "incident": pa.array(np.arange(incidents.num_rows)),
        }
    )
    joined = asked.join(side, keys=["team_id", "deployment_id"], join_type="inner")
    named = np.full(incidents.num_rows, -1, dtype=np.int64)
    named[_ints(joined["incident"])] = _ints(joined["row"])
    return named


def _attribute(teams: _Teams, incidents: pa.Table, deployments: pa.Table, lookback_s: int) -> np.ndarray:
    """The latest deployment (its row) of the same team and service at most `lookback_s` before each incident.

    Deployments are sorted by (team and service, time) into one int64 key, so each incident
    finds its candidate with one binary search.
    """
    if deployments.num_rows == 0 or incidents.num_rows == 0:
        return np.full(incidents.num_rows, -1, dtype=np.int64)
    # encode each side, then unify: far cheaper than concatenating a million strings first
    codes = pa.chunked_array(
        [
            pc.dictionary_encode(deployments["service"], memory_pool=POOL).combine_chunks(POOL),
            pc.dictionary_encode(incidents["service"]).combine_chunks(),
        ]
    ).unify_dictionaries(POOL)
    width = len(codes.chunk(0).dictionary)
    dep_group = teams.dense(deployments["team_id"]) * width + codes.chunk(0).indices.to_numpy().astype(np.int64)
    inc_group = teams.dense(incidents["team_id"]) * width + codes.chunk(1).indices.to_numpy().astype(np.int64)
    dep_time = _ints(deployments["deployed_s"])
    inc_time = _ints(incidents["started_s"])
    base = min(dep_time.min(), inc_time.min())
    span = max(dep_time.max(), inc_time.max()) - base + 1
    if teams.count * width * span >= 2**62:  # keys would not fit: make the groups dense first
        group = np.unique(np.concatenate([dep_group, inc_group]), return_inverse=True)[1].astype(np.int64)
        dep_group, inc_group = group[: deployments.num_rows], group[deployments.num_rows :]
        if (int(group.max()) + 1) * span >= 2**62:
            raise ValueError("times too far apart to key")
    dep_keys = dep_group * span + (dep_time - base)
    inc_keys = inc_group * span + (inc_time - base)
    rows = len(dep_keys)
    if (int(dep_keys.max()) + 1) * rows < 2**62:
        # the row number in the low digits makes keys unique: a plain sort then orders deployments
        # of the same second as a stable one would (the one read last is "the latest"), far faster
        dep_keys, inc_keys = dep_keys * rows + np.arange(rows), inc_keys * rows + (rows - 1)
        order = np.argsort(dep_keys)
    else:
        order = np.argsort(dep_keys, kind="stable")
    keys = dep_keys[order]
    at = np.searchsorted(keys, inc_keys, side="right") - 1
    safe = np.clip(at, 0, None)
    hit = (at >= 0) & (dep_group[order][safe] == inc_group) & (inc_time - dep_time[order][safe] <= lookback_s)
    return np.where(hit, order[safe], -1)


def _quantiles(team: np.ndarray, seconds: np.ndarray, count: int) -> np.ndarray:
    """Median and p90 per team in hours (rows: dense team; NaN without samples).

    Linear interpolation between the two nearest samples, written as pandas writes it, so the
    figures match SQL's quantile_cont and earlier results to the last bit.
    """
    out = np.full((count, 2), np.nan)
    if len(team) == 0:
        return out
    seconds = np.asarray(seconds, dtype=np.int64)
    values = seconds[_sorted_by(team, seconds)] / HOUR_S
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


def _aggregate(teams: _Teams, in_window: pa.Table, lead: _Lead, links: _Links) -> _Aggregates:
    team = teams.dense(in_window["team_id"])
    day = _ints(in_window["deployed_s"]) // DAY_S
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
    count, days, failed = int(agg.counts[at]), int(agg.days[at]), int(agg.failed[at])
    by_id, by_attribution, incidents = int(agg.by_id[at]), int(agg.by_attribution[at]), int(agg.incidents[at])
    lt_median, lt_p90 = _pair(agg.lead, at)
    rt_median, rt_p90 = _pair(agg.recovery, at)
    return DoraMetrics(
        team_id=team,
        window=window,
        deployments=count,
        deployments_per_day=count / window.days,
        deployments_per_week=count / window.days * 7,
        days_with_deployments=days,
        days_with_deployments_pct=100.0 * days / window.days,
        lead_time_hours_median=lt_median,
        lead_time_hours_p90=lt_p90,
        lead_time_samples=int(agg.lead_n[at]),
        change_failure_rate_pct=100.0 * failed / count if count else None,
        failed_deployments=failed,
        incidents=incidents,
        incidents_linked_by_id=by_id,
        incidents_linked_by_attribution=by_attribution,
        incidents_unlinked=incidents - by_id - by_attribution,
        recovery_hours_median=rt_median,
        recovery_hours_p90=rt_p90,
        incidents_resolved=int(agg.resolved[at]),
        quality=quality or DataQuality(),
    )
