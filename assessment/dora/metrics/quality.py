"""Data quality: every row a metric left out, and why, per team."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assessment.dora.formats import SUCCESS_STATUSES
from assessment.dora.metrics.frames import Frames

NOT_SHIPPED_AGAIN = "shipped again by a later deployment: only its first deployment counts"
NO_COMMIT_TIME = "lists no changes and no first commit time: not in lead time"
NO_RESOLUTION = "no resolution time: not in time to restore"
NOT_LINKED = "not linked to a deployment in the window: not in change failure rate"


@dataclass(frozen=True)
class DroppedRow:
    kind: str  # deployments | changes | incidents
    id: str
    reason: str


EMPTY = pa.table(
    {"kind": pa.array([], pa.string()), "id": pa.array([], pa.string()), "reason": pa.array([], pa.string())}
)


@dataclass(frozen=True)
class DataQuality:
    """Rows left out of one team's metrics, each with its reason, plus counts outside the window.

    The rows stay an Arrow table until someone reads them: computing every team's
    metrics must not build a Python object per left-out row nobody looks at.
    """

    table: pa.Table = field(default_factory=lambda: EMPTY)  # kind, id, reason
    outside_window: dict[str, int] = field(default_factory=dict)

    @cached_property
    def rows(self) -> tuple[DroppedRow, ...]:
        columns = (self.table[c].to_pylist() for c in ("kind", "id", "reason"))
        return tuple(DroppedRow(k, i, r) for k, i, r in zip(*columns, strict=True))

    def counts(self) -> dict[str, int]:
        """Reason -> number of rows, outside-the-window counts included."""
        counted = Counter(f"{row.kind}: {row.reason}" for row in self.rows)
        for kind, n in self.outside_window.items():
            counted[f"{kind}: outside the window"] += n
        return dict(sorted(counted.items()))


def _rows(team: pa.ChunkedArray, kind: str, ids: pa.ChunkedArray, reason: pa.ChunkedArray | str) -> pa.Table:
    n = len(team)
    reasons = pa.array([reason] * n, pa.string()) if isinstance(reason, str) else reason
    return pa.table(
        {
            "team_id": team,
            "kind": pa.array([kind] * n, pa.string()),
            "id": pc.cast(ids, pa.string()),
            "reason": reasons,
        }
    )


def build_quality(
    frames: Frames, in_window: pa.Table, repeats: pa.Table, dropped_lead: pa.Table, links: pa.Table
) -> dict[int, DataQuality]:
    """Every row a metric left out, grouped by team.

    `repeats` (team_id, change_id): changes listed by more than one deployment; `dropped_lead`
    (team_id, change_id, dropped): changes left out of lead time and why; `links` (team_id,
    external_id, resolved_s, counted): every incident in the window.
    """
    skipped = frames.not_counted
    status_ok = pc.is_in(skipped["status"], pa.array(sorted(SUCCESS_STATUSES)))
    reasons = pc.if_else(
        status_ok,
        pc.binary_join_element_wise("environment '", skipped["environment"], "' is not production", ""),
        pc.binary_join_element_wise("status '", skipped["status"], "' is not a success", ""),
    )
    no_commit = in_window.filter(pc.and_(pc.is_null(in_window["change_ids"]), pc.is_null(in_window["first_commit_s"])))
    unresolved = links.filter(pc.is_null(links["resolved_s"]))
    unlinked = links.filter(pc.invert(links["counted"]))
    table = pa.concat_tables(
        [
            _rows(skipped["team_id"], "deployments", skipped["external_id"], reasons),
            _rows(no_commit["team_id"], "deployments", no_commit["external_id"], NO_COMMIT_TIME),
            _rows(repeats["team_id"], "changes", repeats["change_id"], NOT_SHIPPED_AGAIN),
            _rows(dropped_lead["team_id"], "changes", dropped_lead["change_id"], dropped_lead["dropped"]),
            _rows(unresolved["team_id"], "incidents", unresolved["external_id"], NO_RESOLUTION),
            _rows(unlinked["team_id"], "incidents", unlinked["external_id"], NOT_LINKED),
        ]
    )
    return by_team(table, frames.outside)


def by_team(table: pa.Table, outside: dict[tuple[int, str], int]) -> dict[int, DataQuality]:
    """Split the left-out rows by team (one sort, then slices)."""
    table = table.take(pc.sort_indices(table["team_id"]))
    teams_col = table["team_id"].to_numpy()
    present, starts = np.unique(teams_col, return_index=True)
    ends = [*starts[1:], len(teams_col)] if len(starts) else []
    slices = {
        int(t): table.slice(int(a), int(b) - int(a)).select(["kind", "id", "reason"])
        for t, a, b in zip(present, starts, ends, strict=True)
    }
    teams = set(slices) | {team for team, _ in outside}
    return {
        team: DataQuality(slices.get(team, EMPTY), {kind: n for (t, kind), n in outside.items() if t == team})
        for team in teams
    }
