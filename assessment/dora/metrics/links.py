"""Which deployment each incident is linked to, and how: by deployment id, by change id, or by attribution.

An incident links by its deployment id, else by its change id (to the deployment that
first shipped it), else to the latest counted deployment of the same team and service
at most the look-back before it started. It counts for the change failure rate when
the linked deployment is in the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assessment.dora.metrics.keys import ChangeKeys, Teams, ints, nullable_ints
from assessment.dora.metrics.pool import POOL
from assessment.dora.metrics.shipments import Firsts


@dataclass(frozen=True)
class Links:
    """Each incident's linked deployment (row of the deployments read, -1 none), how, and whether it counts."""

    team: np.ndarray
    linked: np.ndarray
    by_id: np.ndarray
    counted: np.ndarray
    resolved: np.ndarray  # has a resolution time
    recovery_s: np.ndarray
    table: pa.Table  # team_id, external_id, resolved_s, counted (for data quality)


def incident_links(
    teams: Teams,
    incidents: pa.Table,
    deployed: np.ndarray,
    window_rows: np.ndarray,
    firsts: Firsts,
    changes: ChangeKeys,
    named: np.ndarray,
    attributed: np.ndarray,
    since_s: int,
) -> Links:
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
    started = ints(incidents["started_s"])
    resolved_s, resolved = nullable_ints(incidents["resolved_s"])
    table = pa.table(
        {
            "team_id": incidents["team_id"],
            "external_id": incidents["external_id"],
            "resolved_s": incidents["resolved_s"],
            "counted": pa.array(counted, pa.bool_()),
        }
    )
    return Links(teams.dense(incidents["team_id"]), linked, by_id >= 0, counted, resolved, resolved_s - started, table)


def known_deployments(incidents: pa.Table, deployments: pa.Table) -> np.ndarray:
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
    named[ints(joined["incident"])] = ints(joined["row"])
    return named


def attribute(teams: Teams, incidents: pa.Table, deployments: pa.Table, lookback_s: int) -> np.ndarray:
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
    dep_time = ints(deployments["deployed_s"])
    inc_time = ints(incidents["started_s"])
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
