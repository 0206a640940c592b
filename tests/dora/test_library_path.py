"""The benchmark's library path (ADBC into Arrow, DuckDB SQL) gives the app's figures, row for row.

benchmarks/dora_import.py times the two side by side; this keeps the comparison honest:
when a definition changes in the app, the library path must change with it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.dora.formats import Kind
from assessment.dora.metrics.compute import compute_metrics
from assessment.dora.metrics.window import Window

pytest.importorskip("duckdb")
pytest.importorskip("adbc_driver_sqlite")
pytest.importorskip("adbc_driver_postgresql")
from benchmarks import dora_library
from tests.support.dora_data import GOLDEN, import_rows, team_id

IDS = ("id", "change_ids", "deployment_id", "change_id")


def _teams(golden: dict[Kind, list[dict[str, str]]]) -> dict[Kind, list[dict[str, str]]]:
    """The golden week for team A; for team B the same ids holding the unit separator, and a same-second tie."""
    data = {kind: [dict(row, team="A") for row in rows] for kind, rows in golden.items()}
    for kind, rows in golden.items():
        for row in rows:
            odd = {k: ";".join(f"{p}\x1fé" for p in v.split(";")) for k, v in row.items() if k in IDS and v}
            data[kind].append(dict(row, team="B", **odd))
    # d8 deploys service a at d2's second: i1 is attributed to the larger id, as the app reads it last, and
    # i5 names d8, so taking d2 instead would count three failed deployments, not two
    data[Kind.DEPLOYMENTS].append(
        {"team": "B", "id": "d8", "service": "a", "deployed_at": "2024-05-01T16:00:00Z", "change_ids": "c3\x1fé"}
    )
    data[Kind.INCIDENTS].append(
        {"team": "B", "id": "i5", "service": "b", "started_at": "2024-05-01T18:00:00Z", "deployment_id": "d8"}
    )
    return data


@pytest.mark.parametrize(
    ("window", "deployments"),
    [
        (Window(datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 8, tzinfo=UTC)), 4),  # the golden week
        (Window(datetime(2024, 4, 1, tzinfo=UTC), datetime(2024, 5, 5, tzinfo=UTC)), 4),  # d7 in, d6 out
        (Window(datetime(2024, 6, 1, tzinfo=UTC), datetime(2024, 7, 1, tzinfo=UTC)), 0),  # nothing in it
    ],
)
def test_the_library_path_gives_the_apps_figures(
    engine: Engine, database_url: str, window: Window, deployments: int
) -> None:
    import_rows(engine, _teams(GOLDEN), team=None)
    ids = [team_id(engine, name) for name in ("A", "B")]
    with db.read_session(engine) as session:
        ours = compute_metrics(session, team_ids=ids, window=window)
    engine.dispose()  # ADBC's SQLite is a second copy of the library: no connection of the first may be open
    theirs = dora_library.compute_metrics(database_url, team_ids=ids, window=window)
    for team in ids:
        assert set(theirs[team].quality.rows) == set(ours[team].quality.rows)
        assert theirs[team].quality.outside_window == ours[team].quality.outside_window
        for field, value in ours[team].__dict__.items():
            if field != "quality":
                assert getattr(theirs[team], field) == (pytest.approx(value) if isinstance(value, float) else value), (
                    team,
                    field,
                )
    assert ours[ids[0]].deployments == deployments
    if deployments and window.since.month == 5:
        assert (ours[ids[0]].failed_deployments, ours[ids[1]].failed_deployments) == (2, 2)
