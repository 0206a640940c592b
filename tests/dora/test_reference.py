"""Our metrics (stored rows, pyarrow) and the DuckDB query over the same CSV files agree."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.dora.formats import Kind
from assessment.dora.metrics.compute import compute_metrics

pytest.importorskip("duckdb")
from tests.support.dora_data import GOLDEN, WINDOW, import_rows, team_id, write_files
from tests.support.dora_reference import reference_metrics


def _two_teams(golden: dict[Kind, list[dict[str, str]]]) -> dict[Kind, list[dict[str, str]]]:
    """The golden week for team A, and a shifted, busier variant of it for team B (same ids: per team)."""
    data: dict[Kind, list[dict[str, str]]] = {}
    for kind, rows in golden.items():
        data[kind] = [dict(row, team="A") for row in rows]
        data[kind] += [dict(row, team="B", **_shift(row)) for row in rows]
    data[Kind.DEPLOYMENTS].append(
        {"team": "B", "id": "d9", "service": "b", "deployed_at": "2024-05-05T09:30:00Z", "change_ids": "c4"}
    )
    return data


def _shift(row: dict[str, str]) -> dict[str, str]:
    """Move every time two hours later, so B's numbers differ from A's where attribution allows."""
    return {
        key: (datetime.fromisoformat(value) + timedelta(hours=2)).isoformat()
        for key, value in row.items()
        if key.endswith("_at") and value
    }


def test_both_implementations_agree(engine: Engine, tmp_path: Path) -> None:
    data = _two_teams(GOLDEN)
    import_rows(engine, data, team=None)
    paths = write_files(tmp_path, data)
    ours_by_id = {}
    with db.read_session(engine) as session:
        ids = {name: team_id(engine, name) for name in ("A", "B")}
        ours_by_id = compute_metrics(session, team_ids=list(ids.values()), window=WINDOW)
    theirs = reference_metrics(
        deployments=str(paths[Kind.DEPLOYMENTS]),
        changes=str(paths[Kind.CHANGES]),
        incidents=str(paths[Kind.INCIDENTS]),
        window=WINDOW,
        lookback_hours=24,
    )
    assert set(theirs) == {"A", "B"}
    for name, ident in ids.items():
        ours, ref = ours_by_id[ident], theirs[name]
        assert (ours.deployments, ours.days_with_deployments, ours.failed_deployments) == (
            ref.deployments,
            ref.days_with_deployments,
            ref.failed_deployments,
        ), name
        for field in (
            "lead_time_hours_median",
            "lead_time_hours_p90",
            "recovery_hours_median",
            "recovery_hours_p90",
            "change_failure_rate_pct",
        ):
            assert getattr(ours, field) == pytest.approx(getattr(ref, field)), (name, field)
    assert ours_by_id[ids["A"]].lead_time_hours_median == pytest.approx(2.0)  # the golden figure still holds
