"""DORA 2024 bands per metric, the nearest cluster over all four, and the signals handed to the roadmap."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assessment.core.errors import FoundationsError
from assessment.dora.benchmarks import band, nearest_cluster
from assessment.dora.figures import RANGES, Typed, check_typed
from assessment.dora.metrics.compute import DoraMetrics
from assessment.dora.metrics.quality import DataQuality
from assessment.dora.metrics.window import Window
from assessment.dora.summary import hours_text, roadmap_evidence, summarise
from assessment.roadmap.evidence import DoraMetric


@pytest.mark.parametrize(
    ("metric", "value", "clusters"),
    [
        ("lead_time", 2.0, ("elite",)),
        ("lead_time", 24.0, ("high",)),  # one day is the first value of "1 day - 1 week"
        ("lead_time", 24 * 10, ("medium",)),
        ("lead_time", 24 * 400, ("low",)),  # beyond six months: nearest is still low
        ("deployment_frequency", 3.0, ("elite",)),
        ("deployment_frequency", 0.5, ("high",)),
        ("deployment_frequency", 1 / 20, ("medium",)),
        ("change_failure_rate", 4.0, ("elite",)),
        ("change_failure_rate", 12.0, ("medium",)),  # nearer 10 % (medium) than 20 % (high)
        ("change_failure_rate", 18.0, ("high",)),
        ("change_failure_rate", 35.0, ("low",)),
        ("recovery_time", 0.5, ("elite",)),
        ("recovery_time", 5.0, ("high", "medium")),  # the 2024 table gives both "< 1 day"
        ("recovery_time", 24 * 10, ("low",)),
    ],
)
def test_each_metric_gets_its_own_band(metric: str, value: float, clusters: tuple[str, ...]) -> None:
    assert band(metric, value).clusters == clusters


def test_nearest_cluster_uses_every_metric_given() -> None:
    fit = nearest_cluster({"lead_time": 2, "deployment_frequency": 3, "change_failure_rate": 4, "recovery_time": 0.5})
    assert fit is not None
    assert fit.cluster == "elite"
    # a 10 % failure rate alone would say medium; with the other three it is high
    fit = nearest_cluster({"lead_time": 72, "deployment_frequency": 0.4, "change_failure_rate": 10, "recovery_time": 6})
    assert fit is not None
    assert fit.cluster == "high"
    assert nearest_cluster({"lead_time": None}) is None


def _metrics(**values: float | None) -> DoraMetrics:
    window = Window(datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 29, tzinfo=UTC))
    base = {
        "team_id": 1,
        "window": window,
        "deployments": 10,
        "deployments_per_day": 10 / 28,
        "deployments_per_week": 2.5,
        "days_with_deployments": 8,
        "days_with_deployments_pct": 8 / 28 * 100,
        "lead_time_hours_median": 30.0,
        "lead_time_hours_p90": 50.0,
        "lead_time_samples": 10,
        "change_failure_rate_pct": 40.0,
        "failed_deployments": 4,
        "incidents": 5,
        "incidents_linked_by_id": 3,
        "incidents_linked_by_attribution": 1,
        "incidents_unlinked": 1,
        "recovery_hours_median": 200.0,
        "recovery_hours_p90": 300.0,
        "incidents_resolved": 5,
        "quality": DataQuality(),
    }
    return DoraMetrics(**{**base, **values})  # type: ignore[arg-type]


def test_summary_texts_and_roadmap_signals() -> None:
    summary = summarise(_metrics())
    texts = {f.metric: f.text for f in summary.figures}
    assert texts["recovery_time"] == "median 8.3 days (p90 12.5 days)"
    assert texts["change_failure_rate"] == "40.0 %"
    signals = {s.metric: s.strength for s in roadmap_evidence(summary.figures).signals}
    assert signals == {DoraMetric.CHANGE_FAILURE_RATE: 1.0, DoraMetric.TIME_TO_RESTORE: 1.0}
    assert summarise(_metrics(recovery_hours_median=None)).figures[3].text == "no data"


def test_hours_text() -> None:
    assert (hours_text(0.05), hours_text(5.25), hours_text(72)) == ("3 min", "5.2 hours", "3.0 days")


def test_typed_figures_are_checked() -> None:
    assert check_typed("lead_time", Typed(range="one_day_to_one_week")).range in RANGES["lead_time"]
    with pytest.raises(FoundationsError, match="Change failure rate: 120 is out of range"):
        check_typed("change_failure_rate", Typed(number=120))
    with pytest.raises(FoundationsError, match="unknown range"):
        check_typed("lead_time", Typed(range="forever"))
    with pytest.raises(FoundationsError, match="not both"):
        check_typed("lead_time", Typed(range="less_than_one_day", number=3))
