"""Golden numbers per metric on hand-made data, imported and read back from a real database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.dora.formats import Kind
from assessment.dora.metrics import keys
from assessment.dora.metrics.compute import DoraMetrics, compute_metrics, team_metrics
from assessment.dora.metrics.quality import NO_RESOLUTION, NOT_LINKED, NOT_SHIPPED_AGAIN, DroppedRow
from assessment.dora.metrics.window import Window
from tests.support.dora_data import GOLDEN, WINDOW, import_rows, team_id


def _metrics(engine: Engine, window: Window | None = WINDOW) -> DoraMetrics:
    with db.read_session(engine) as session:
        return team_metrics(session, team_id=team_id(engine), window=window)


@pytest.fixture
def golden(engine: Engine) -> DoraMetrics:
    import_rows(engine, GOLDEN)
    return _metrics(engine)


def test_deployment_frequency(golden: DoraMetrics) -> None:
    assert golden.deployments == 4
    assert golden.deployments_per_day == pytest.approx(4 / 7)
    assert golden.deployments_per_week == pytest.approx(4.0)
    assert golden.days_with_deployments == 3
    assert golden.days_with_deployments_pct == pytest.approx(300 / 7)


def test_lead_time(golden: DoraMetrics) -> None:
    assert golden.lead_time_samples == 4
    assert golden.lead_time_hours_median == pytest.approx(2.0)
    assert golden.lead_time_hours_p90 == pytest.approx(3.4)


def test_change_failure_rate_with_link_counts(golden: DoraMetrics) -> None:
    assert golden.failed_deployments == 2
    assert golden.change_failure_rate_pct == pytest.approx(50.0)
    assert (
        golden.incidents,
        golden.incidents_linked_by_id,
        golden.incidents_linked_by_attribution,
        golden.incidents_unlinked,
    ) == (4, 2, 1, 1)


def test_time_to_restore(golden: DoraMetrics) -> None:
    assert golden.incidents_resolved == 3
    assert golden.recovery_hours_median == pytest.approx(1.5)
    assert golden.recovery_hours_p90 == pytest.approx(3.5)


def test_every_dropped_row_has_its_reason(golden: DoraMetrics) -> None:
    assert set(golden.quality.rows) == {
        DroppedRow("deployments", "d3", "status 'failed' is not a success"),
        DroppedRow("deployments", "d4", "environment 'staging' is not production"),
        DroppedRow("changes", "c2", NOT_SHIPPED_AGAIN),
        DroppedRow("changes", "c5", "change id not found in the changes data"),
        DroppedRow("incidents", "i3", NO_RESOLUTION),
        DroppedRow("incidents", "i4", NOT_LINKED),
    }
    assert golden.quality.outside_window == {"deployments": 1}
    assert golden.quality.counts()["deployments: outside the window"] == 1


def test_no_incidents(engine: Engine) -> None:
    import_rows(engine, {Kind.DEPLOYMENTS: GOLDEN[Kind.DEPLOYMENTS], Kind.CHANGES: GOLDEN[Kind.CHANGES]})
    metrics = _metrics(engine)
    assert metrics.incidents == 0
    assert metrics.failed_deployments == 0
    assert metrics.change_failure_rate_pct == 0.0
    assert metrics.recovery_hours_median is None
    assert metrics.recovery_hours_p90 is None


def test_only_an_unresolved_incident(engine: Engine) -> None:
    import_rows(engine, {Kind.INCIDENTS: [GOLDEN[Kind.INCIDENTS][2]]})
    metrics = _metrics(engine)
    assert metrics.incidents == 1
    assert metrics.incidents_resolved == 0
    assert metrics.recovery_hours_median is None
    assert DroppedRow("incidents", "i3", NO_RESOLUTION) in metrics.quality.rows


def test_deployments_across_a_clock_change(engine: Engine) -> None:
    """Amsterdam moved from +01:00 to +02:00 at 02:00 local on 31 March 2024: 01:30 to 03:30 is one hour."""
    import_rows(
        engine,
        {
            Kind.DEPLOYMENTS: [
                {"id": "d1", "service": "a", "deployed_at": "2024-03-31 03:30:00", "change_ids": "c1"},
                {"id": "d2", "service": "a", "deployed_at": "2024-03-30 23:30:00"},
            ],
            Kind.CHANGES: [{"id": "c1", "committed_at": "2024-03-31 01:30:00"}],
        },
        tz="Europe/Amsterdam",
    )
    window = Window(datetime(2024, 3, 30, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))
    metrics = _metrics(engine, window)
    assert metrics.lead_time_hours_median == pytest.approx(1.0)
    assert metrics.days_with_deployments == 2  # 22:30 UTC on the 30th and 01:30 UTC on the 31st


def test_window_with_no_deployments(engine: Engine) -> None:
    import_rows(engine, GOLDEN)
    empty = Window(datetime(2024, 6, 1, tzinfo=UTC), datetime(2024, 7, 1, tzinfo=UTC))
    metrics = _metrics(engine, empty)
    assert (metrics.deployments, metrics.deployments_per_day, metrics.days_with_deployments) == (0, 0.0, 0)
    assert metrics.lead_time_hours_median is None
    assert metrics.change_failure_rate_pct is None
    assert metrics.quality.outside_window == {"deployments": 7, "incidents": 4}


def test_default_window_is_ninety_days_up_to_the_latest_event(engine: Engine) -> None:
    import_rows(engine, GOLDEN)
    metrics = _metrics(engine, None)
    assert metrics.window.until == datetime(2024, 5, 7, tzinfo=UTC)  # the day after d6 (6 May)
    assert metrics.window.days == 90
    assert metrics.deployments == 5  # d7 (20 April) is inside the longer window


def test_reimport_replaces_rows_with_the_same_id(engine: Engine) -> None:
    import_rows(engine, GOLDEN)
    again = import_rows(engine, {Kind.INCIDENTS: [dict(GOLDEN[Kind.INCIDENTS][2], resolved_at="2024-05-05T12:00:00Z")]})
    assert again.replaced == {"incidents": 1}
    metrics = _metrics(engine)
    assert metrics.incidents == 4
    assert metrics.incidents_resolved == 4


def _odd_ids(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """The same rows with every id holding the unit separator the reader joins text values with."""
    fields = ("id", "change_ids", "deployment_id", "change_id")
    return [
        {
            key: ";".join(f"{part}\x1fé" for part in value.split(";")) if key in fields and value else value
            for key, value in row.items()
        }
        for row in rows
    ]


def test_ids_holding_the_column_separator_read_back_intact(engine: Engine) -> None:
    """A value holding U+001F sends the read down the JSON path: same figures, ids unchanged."""
    import_rows(engine, {kind: _odd_ids(rows) for kind, rows in GOLDEN.items()})
    metrics = _metrics(engine)
    assert (metrics.deployments, metrics.lead_time_samples, metrics.failed_deployments) == (4, 4, 2)
    assert metrics.lead_time_hours_median == pytest.approx(2.0)
    assert (metrics.incidents_linked_by_id, metrics.incidents_linked_by_attribution) == (2, 1)
    assert DroppedRow("changes", "c5\x1fé", "change id not found in the changes data") in metrics.quality.rows
    assert DroppedRow("deployments", "d3\x1fé", "status 'failed' is not a success") in metrics.quality.rows


def test_change_ids_keyed_a_team_at_a_time_give_the_same_figures(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids are dictionary-encoded in batches of whole teams; one team per batch changes nothing."""
    both = {kind: [dict(row, team=name) for name in ("A", "B") for row in rows] for kind, rows in GOLDEN.items()}
    import_rows(engine, both, team=None)
    ids = [team_id(engine, name) for name in ("A", "B")]
    with db.read_session(engine) as session:
        together = compute_metrics(session, team_ids=ids, window=WINDOW)
        monkeypatch.setattr(keys, "ENCODE_BATCH", 1)
        apart = compute_metrics(session, team_ids=ids, window=WINDOW)
    for team in ids:
        assert (apart[team].lead_time_samples, apart[team].failed_deployments) == (4, 2)
        assert apart[team] == together[team]


def test_ids_holding_the_separator_read_back_intact_on_both_connections(engine: Engine) -> None:
    """Two teams: each connection reads one team's half, and each half goes down the JSON path on its own."""
    both = {
        kind: [dict(row, team=name) for name in ("A", "B") for row in _odd_ids(rows)] for kind, rows in GOLDEN.items()
    }
    import_rows(engine, both, team=None)
    ids = [team_id(engine, name) for name in ("A", "B")]
    with db.read_session(engine) as session:
        metrics = compute_metrics(session, team_ids=ids, window=WINDOW)
    for team in ids:
        assert (
            metrics[team].deployments,
            metrics[team].lead_time_samples,
            metrics[team].failed_deployments,
        ) == (4, 4, 2)
        assert (metrics[team].incidents_linked_by_id, metrics[team].incidents_linked_by_attribution) == (2, 1)
        assert DroppedRow("changes", "c5\x1fé", "change id not found in the changes data") in metrics[team].quality.rows
