"""Lead time for changes: each change's first deployment in the window, and the samples that count.

The first deployment of a change is the earliest that listed it, and of deployments at
the same second the one with the smallest id. A change not in the changes data, or
committed after that deployment, is left out with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assessment.dora.metrics.keys import ChangeKeys, Teams, ints, nullable_ints, sorted_by


@dataclass(frozen=True)
class Firsts:
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


def first_shipments(in_window: pa.Table, changes: ChangeKeys) -> Firsts:
    """The first deployment of each change: the earliest, and of deployments at the same second the smallest id."""
    keys, rows = changes.pair_keys, changes.pair_rows
    shipped = ints(in_window["deployed_s"])[rows]
    order = sorted_by(keys, shipped)
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
    return Firsts(
        sorted_keys[starts],
        ints(in_window["team_id"])[rows[chosen]],
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
class Lead:
    """Lead time samples (dense team, seconds) that count, and the changes left out with their reason."""

    team: np.ndarray
    seconds: np.ndarray
    dropped: pa.Table  # team_id, change_id, dropped


def lead_times(teams: Teams, in_window: pa.Table, firsts: Firsts, changes: ChangeKeys, committed: np.ndarray) -> Lead:
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
    first_commit, has_commit = nullable_ints(in_window["first_commit_s"])
    direct = np.flatnonzero(
        has_commit & ~np.asarray(pc.is_valid(in_window["change_ids"]).to_numpy(zero_copy_only=False), dtype=bool)
    )
    team_of_row = teams.dense(in_window["team_id"])
    team_of_first = team_of_row[firsts.rows[kept]] if len(firsts.rows) else np.zeros(0, dtype=np.int64)
    return Lead(
        np.concatenate([team_of_first, team_of_row[direct]]),
        np.concatenate([seconds[kept], ints(in_window["deployed_s"])[direct] - first_commit[direct]]),
        dropped,
    )
