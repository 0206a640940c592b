"""Read stored DORA rows for a set of teams and a window into Arrow tables, one query per table.

The rows come as joined strings (`joined.py`); when a second connection sees exactly
the session's data (`snapshot.py`), the two read halves of the teams at once.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlmodel import Session

from assessment.dora.formats import PRODUCTION_ENVIRONMENTS, SUCCESS_STATUSES
from assessment.dora.metrics.joined import Field, Read
from assessment.dora.metrics.pool import POOL
from assessment.dora.metrics.snapshot import Run, session_runner, snapshot_readers
from assessment.dora.metrics.window import Window


@dataclass(frozen=True)
class Frames:
    """What the metrics need: counted deployments (window plus look-back), changes, incidents in the window."""

    deployments: pa.Table  # team_id, external_id, service, deployed_s, change_ids, first_commit_s; window rows first
    changes: pa.Table  # team_id, external_id, committed_s
    incidents: pa.Table  # team_id, external_id, service, started_s, resolved_s, deployment_id, change_id
    not_counted: pa.Table  # team_id, external_id, status, environment (in the window, not counted)
    outside: dict[tuple[int, str], int]  # (team_id, kind) -> rows outside the window


def _query(session: Session, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Run SQL with :name parameters on the raw cursor of the session's connection."""
    run, _ = session_runner(session)
    return run(sql, params)


def _teams(team_ids: list[int]) -> str:
    return ", ".join(str(int(t)) for t in team_ids) or "NULL"


_TEAM_ID = (Field("team_id", pa.int64(), "team_id"), Field("external_id", pa.string(), "external_id"))
# every deployment of the window and look-back; status and environment sort them into counted or not in Arrow,
# which is cheaper than a second scan of the table for the ones not counted
DEPLOYMENTS = Read(
    (
        *_TEAM_ID,
        Field("service", pa.string(), "service"),
        Field("deployed_s", pa.int64(), "deployed_epoch_s"),
        Field("change_ids", pa.string(), "change_ids", nullable=True),
        Field("first_commit_s", pa.int64(), "first_commit_epoch_s", nullable=True),
        Field("status", pa.string(), "status"),
        Field("environment", pa.string(), "environment"),
    )
)
CHANGES = Read((*_TEAM_ID, Field("committed_s", pa.int64(), "committed_epoch_s")))
INCIDENTS = Read(
    (
        *_TEAM_ID,
        Field("service", pa.string(), "service"),
        Field("started_s", pa.int64(), "started_epoch_s"),
        Field("resolved_s", pa.int64(), "resolved_epoch_s", nullable=True),
        Field("deployment_id", pa.string(), "deployment_external_id", nullable=True),
        Field("change_id", pa.string(), "change_external_id", nullable=True),
    )
)


def _sources(teams: str) -> dict[Read, str]:
    """What each read takes of its table: these teams' rows of the window (and look-back)."""
    return {
        DEPLOYMENTS: f"""dora_deployment WHERE team_id IN ({teams})
                AND deployed_epoch_s >= :from AND deployed_epoch_s < :until""",
        CHANGES: f"dora_change WHERE team_id IN ({teams}) AND committed_epoch_s < :until",
        INCIDENTS: f"""dora_incident WHERE team_id IN ({teams})
                AND started_epoch_s >= :since AND started_epoch_s < :until""",
    }


def load_frames(session: Session, *, team_ids: list[int], window: Window, lookback_s: int) -> Frames:
    """Every row the metrics of these teams over this window can use.

    With a second connection that sees exactly the session's data (`snapshot_readers`),
    the teams are cut in two halves of about equal rows and each connection reads one
    half, on two cores; otherwise the queries run one after the other on the session's
    connection. Either way each result is split into columns on another thread while the
    database works on the next query (both drivers let go of the GIL while they wait).
    """
    span = {"since": window.since_s, "until": window.until_s, "from": window.since_s - lookback_s}
    with snapshot_readers(session) as readers:
        if readers is None:
            run, pg = session_runner(session)
            everything, changes, incidents, totals = _read_one(run, pg, team_ids, span)
        else:
            everything, changes, incidents, totals = _read_two(readers, team_ids, span)
    counted = _mask(pc.is_in(everything["status"], pa.array(sorted(SUCCESS_STATUSES)), memory_pool=POOL)) & _mask(
        pc.is_in(everything["environment"], pa.array(sorted(PRODUCTION_ENVIRONMENTS)), memory_pool=POOL)
    )
    deployed = np.asarray(everything["deployed_s"].to_numpy(), dtype=np.int64)
    inside_window = deployed >= window.since_s
    # counted rows of the window first, then those of the look-back: the metrics take the window as a slice
    order = np.concatenate([np.flatnonzero(counted & inside_window), np.flatnonzero(counted & ~inside_window)])
    deployments = pc.take(everything.drop_columns(["status", "environment"]), pa.array(order), memory_pool=POOL)
    not_counted = pc.filter(
        everything.select(["team_id", "external_id", "status", "environment"]),
        pa.array(~counted & inside_window),
        memory_pool=POOL,
    )
    teams_in_window = np.asarray(everything["team_id"].to_numpy(), dtype=np.int64)[inside_window]
    inside = {"deployments": _per_team(teams_in_window), "incidents": _per_team(incidents["team_id"])}
    return Frames(deployments, changes, incidents, not_counted, _outside(totals, inside))


Tables = tuple[
    pa.Table, pa.Table, pa.Table, dict[str, list[tuple[Any, ...]]]
]  # deployments, changes, incidents, totals


def _read_one(run: Run, pg: bool, team_ids: list[int], span: dict[str, int]) -> Tables:
    """Every table on one connection, one query after the other."""
    teams = _teams(team_ids)
    sources = _sources(teams)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = [
            (read, source, pool.submit(read.decode, read.fetch(run, pg, source, span)))
            for read, source in sources.items()
        ]
        totals = _totals(run, teams)
        tables = [future.result() for _, _, future in pending]
    everything, changes, incidents = (
        table if table is not None else read.json_table(run, pg, source, span)
        for table, (read, source, _) in zip(tables, pending, strict=True)
    )
    return everything, changes, incidents, totals


def _read_two(readers: tuple[Run, Run, bool], team_ids: list[int], span: dict[str, int]) -> Tables:
    """Deployments and changes of the lower half of the teams on the first connection, the upper half's on the second.

    The first connection counts each team's rows first (`_totals`, needed anyway), which
    cuts the teams into two halves of about equal deployments; the second reads the
    incidents meanwhile. The halves are joined lower half first: each team's rows keep
    their order, the same order the single query gives.
    """
    first, second, pg = readers
    teams = _teams(team_ids)
    cut: Future[tuple[str, str]] = Future()

    def read(run: Run, what: Read, source: str) -> tuple[Run, Read, str, Future[pa.Table | None]]:
        return run, what, source, decoder.submit(what.decode, what.fetch(run, pg, source, span))

    def upper_half() -> list[tuple[Run, Read, str, Future[pa.Table | None]]]:
        done = [read(second, INCIDENTS, _sources(teams)[INCIDENTS])]
        upper = _sources(cut.result()[1])
        return [*done, read(second, DEPLOYMENTS, upper[DEPLOYMENTS]), read(second, CHANGES, upper[CHANGES])]

    with ThreadPoolExecutor(max_workers=1) as decoder, ThreadPoolExecutor(max_workers=1) as lane:
        other = lane.submit(upper_half)
        try:
            totals = _totals(first, teams)
            lower_ids, upper_ids = _halves(team_ids, totals["deployments"])
            cut.set_result((_teams(lower_ids), _teams(upper_ids)))
        except BaseException:
            cut.set_result(("NULL", "NULL"))  # let the second connection finish before raising
            other.result()
            raise
        lower = _sources(cut.result()[0])
        mine = [read(first, DEPLOYMENTS, lower[DEPLOYMENTS]), read(first, CHANGES, lower[CHANGES])]
        theirs = other.result()
        tables = [(future.result(), run, what, source) for run, what, source, future in mine + theirs]
    # a part whose text holds the separator is read again as JSON, on its own connection (same snapshot)
    incidents, dep_low, chg_low, dep_high, chg_high = (
        table if table is not None else what.json_table(run, pg, source, span)
        for table, run, what, source in [tables[2], tables[0], tables[1], tables[3], tables[4]]
    )
    return (
        pa.concat_tables([dep_low, dep_high]),
        pa.concat_tables([chg_low, chg_high]).combine_chunks(POOL),
        incidents,
        totals,
    )


def _halves(team_ids: list[int], counts: list[tuple[Any, ...]]) -> tuple[list[int], list[int]]:
    """The teams cut by id into a lower and an upper half of about equal rows (counted by `_totals`)."""
    ids = sorted({int(t) for t in team_ids})
    rows = {int(team): int(n) for team, n in counts}
    running = np.cumsum([rows.get(t, 0) for t in ids])
    at = int(np.searchsorted(running, running[-1] / 2)) + 1 if len(ids) else 0
    return ids[:at], ids[at:]


def _mask(array: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)


def _per_team(teams: pa.ChunkedArray | np.ndarray) -> dict[int, int]:
    ids = np.asarray(teams if isinstance(teams, np.ndarray) else teams.to_numpy(), dtype=np.int64)
    if len(ids) == 0:
        return {}
    counts = np.bincount(ids - ids.min())
    present = np.flatnonzero(counts)
    return dict(zip((present + ids.min()).tolist(), counts[present].tolist(), strict=True))


def _totals(run: Run, teams: str) -> dict[str, list[tuple[Any, ...]]]:
    """Each team's number of deployments and incidents, in or out of any window (index-only counts)."""
    return {
        kind: run(f"SELECT team_id, count(*) FROM {table} WHERE team_id IN ({teams}) GROUP BY team_id", {})
        for kind, table in (("deployments", "dora_deployment"), ("incidents", "dora_incident"))
    }


def _outside(totals: dict[str, list[tuple[Any, ...]]], inside: dict[str, dict[int, int]]) -> dict[tuple[int, str], int]:
    """Rows outside the window: each team's total minus the rows read."""
    counts: dict[tuple[int, str], int] = {}
    for kind, rows in totals.items():
        for team, total in rows:
            if int(total) - inside[kind].get(int(team), 0):
                counts[(int(team), kind)] = int(total) - inside[kind].get(int(team), 0)
    return counts


def latest_event_s(session: Session, *, team_ids: list[int]) -> int | None:
    """The newest deployment or incident time of these teams (for the default window)."""
    teams = _teams(team_ids)
    rows = _query(
        session,
        f"""SELECT max(t) FROM (
        SELECT max(deployed_epoch_s) AS t FROM dora_deployment WHERE team_id IN ({teams})
        UNION ALL SELECT max(started_epoch_s) FROM dora_incident WHERE team_id IN ({teams})) latest""",
        {},
    )
    return None if not rows or rows[0][0] is None else int(rows[0][0])


def has_data(session: Session, *, team_id: int) -> bool:
    return latest_event_s(session, team_ids=[team_id]) is not None
