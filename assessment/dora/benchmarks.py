"""DORA 2024 clusters: each metric's own band, and the team's nearest cluster over all four metrics.

Change failure rate is not monotonic across the 2024 clusters (high 20 %, medium
10 %), so no single metric decides a tier. Each metric is placed against each
cluster's range; the distance is measured in decades (log10) for times and
frequencies and in steps of 20 percentage points for the failure rate, and the
nearest cluster over the metrics the team has wins (ties go to the better cluster).
A metric's own band is the cluster whose range holds the value, else the nearest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EDITION = "DORA Accelerate State of DevOps Report 2024"
# Failure-rate distances count in steps of 20 percentage points: the clusters' rates span 5-40 %, about
# as many steps as their time ranges span decades, so no single metric outweighs the others.
RATE_STEP = 20.0
CLUSTERS = ("elite", "high", "medium", "low")
HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class Range:
    """A closed-open range [low, high) in the metric's unit; None means unbounded.

    A point (the 2024 report gives one typical failure rate per cluster) is Range(x, x).
    """

    low: float | None
    high: float | None
    text: str

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value < self.high)

    def distance(self, value: float, log: bool) -> float:
        """0 inside the range; otherwise how far outside, in decades (log) or in tenths (linear)."""
        if self.low is not None and value < self.low:
            return _gap(value, self.low, log)
        if self.high is not None and value >= self.high:
            return _gap(value, self.high, log)
        return 0.0


def _gap(a: float, b: float, log: bool) -> float:
    if log:
        return abs(math.log10(max(a, 1e-9)) - math.log10(max(b, 1e-9)))
    return abs(a - b) / RATE_STEP


@dataclass(frozen=True)
class MetricSpec:
    key: str
    title: str
    unit: str
    log: bool
    ranges: dict[str, Range]


# Units: hours, deployments per day, percent, hours. Ranges follow the 2024 report's cluster table.
METRICS: dict[str, MetricSpec] = {
    "lead_time": MetricSpec(
        "lead_time",
        "Lead time for changes",
        "hours",
        True,
        {
            "elite": Range(None, 24, "less than one day"),
            "high": Range(24, 24 * 7, "between one day and one week"),
            "medium": Range(24 * 7, 24 * 30, "between one week and one month"),
            "low": Range(24 * 30, 24 * 182, "between one month and six months"),
        },
    ),
    "deployment_frequency": MetricSpec(
        "deployment_frequency",
        "Deployment frequency",
        "per day",
        True,
        {
            "elite": Range(1, None, "on demand (several deploys a day)"),
            "high": Range(1 / 7, 1, "between once a day and once a week"),
            "medium": Range(1 / 30, 1 / 7, "between once a week and once a month"),
            "low": Range(1 / 182, 1 / 30, "between once a month and once every six months"),
        },
    ),
    "change_failure_rate": MetricSpec(
        "change_failure_rate",
        "Change failure rate",
        "%",
        False,
        {
            "elite": Range(5, 5, "5 %"),
            "high": Range(20, 20, "20 %"),
            "medium": Range(10, 10, "10 %"),
            "low": Range(40, 40, "40 %"),
        },
    ),
    "recovery_time": MetricSpec(
        "recovery_time",
        "Failed deployment recovery time",
        "hours",
        True,
        {
            "elite": Range(None, 1, "less than one hour"),
            "high": Range(1, 24, "less than one day"),
            "medium": Range(1, 24, "less than one day"),
            "low": Range(24 * 7, 24 * 30, "between one week and one month"),
        },
    ),
}


@dataclass(frozen=True)
class Band:
    """Where one metric's value sits: the cluster(s) nearest to it, with the reason in words."""

    metric: str
    value: float
    clusters: tuple[str, ...]

    @property
    def label(self) -> str:
        return " or ".join(self.clusters)


def band(metric: str, value: float) -> Band:
    """The cluster(s) whose range for this metric holds the value, else the nearest (all tied ones)."""
    spec = METRICS[metric]
    holding = tuple(c for c in CLUSTERS if spec.ranges[c].contains(value))
    if holding:
        return Band(metric, value, holding)
    distances = {c: spec.ranges[c].distance(value, spec.log) for c in CLUSTERS}
    best = min(distances.values())
    return Band(metric, value, tuple(c for c in CLUSTERS if math.isclose(distances[c], best, abs_tol=1e-9)))


@dataclass(frozen=True)
class ClusterFit:
    cluster: str
    distances: dict[str, float]  # cluster -> summed squared distance
    metrics_used: tuple[str, ...]


def nearest_cluster(values: dict[str, float | None]) -> ClusterFit | None:
    """The cluster nearest over every metric given (None values are left out); None if none given."""
    used = tuple(k for k in METRICS if values.get(k) is not None)
    if not used:
        return None
    totals = {
        c: sum(METRICS[k].ranges[c].distance(float(values[k] or 0), METRICS[k].log) ** 2 for k in used)
        for c in CLUSTERS
    }
    best = min(totals.values())
    winner = next(c for c in CLUSTERS if math.isclose(totals[c], best, abs_tol=1e-12))
    return ClusterFit(winner, totals, used)
