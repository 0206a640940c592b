"""One team's DORA figures as people read them: value in words, band, benchmark, definition, sample.

The page, the CLI and the report all show this, so the wording of a figure and
its definition exists once. `roadmap_evidence` turns it into the roadmap's signals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from assessment.core.numbers import number_text
from assessment.dora.benchmarks import EDITION, METRICS, Band, band, nearest_cluster
from assessment.dora.metrics.compute import DoraMetrics
from assessment.roadmap.evidence import DoraMetric, Evidence, Signal

DEFINITIONS: dict[str, str] = {
    "deployment_frequency": "Successful production deployments in the window, per day and per week; "
    "the share of days with at least one deployment shows how steady they are.",
    "lead_time": "For each change, the time from its commit to the first successful production deployment "
    "that shipped it (median and 90th percentile).",
    "change_failure_rate": "The share of production deployments in the window linked to at least one incident: "
    "by the incident's deployment or change id, else by attribution to the latest "
    "deployment of the same service shortly before it started.",
    "recovery_time": "For each incident that started in the window, resolved minus started "
    "(median and 90th percentile); open incidents are left out and listed.",
}
ROADMAP_METRIC = {
    "deployment_frequency": DoraMetric.DEPLOYMENT_FREQUENCY,
    "lead_time": DoraMetric.LEAD_TIME,
    "change_failure_rate": DoraMetric.CHANGE_FAILURE_RATE,
    "recovery_time": DoraMetric.TIME_TO_RESTORE,
}
_STRENGTH = {"low": 1.0, "medium": 0.5}


def hours_text(hours: float) -> str:
    """3 min, 5.5 hours, 3.2 days: the unit a reader expects for that size."""
    if hours < 1:
        return f"{hours * 60:.0f} min"
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


@dataclass(frozen=True)
class Figure:
    metric: str
    title: str
    value: float | None  # in the metric's unit (hours, per day, %)
    text: str  # "5.5 hours (p90 9.0 hours)" or "no data"
    band: Band | None
    definition: str
    sample: str

    @property
    def elite(self) -> str:
        return METRICS[self.metric].ranges["elite"].text


@dataclass(frozen=True)
class DoraSummary:
    metrics: DoraMetrics
    figures: tuple[Figure, ...]
    cluster: str | None
    edition: str = EDITION
    lookback_hours: float | None = None  # the attribution look-back the change failure rate (and cluster) used

    @property
    def window(self) -> str:
        return self.metrics.window.describe()

    @property
    def cluster_text(self) -> str:
        """'high (attribution look-back 24 h)': the cluster rests on the change failure rate, so it names it too."""
        return with_lookback(self.cluster or "no data", self.lookback_hours if self.cluster else None)


def with_lookback(text: str, lookback_hours: float | None) -> str:
    """A figure's text with the look-back it depends on, as every page, report and command writes it."""
    return text if lookback_hours is None else f"{text} (attribution look-back {lookback_hours:g} h)"


def summarise(metrics: DoraMetrics, lookback_hours: float | None = None) -> DoraSummary:
    """The four figures with bands, and the nearest cluster over them.

    `lookback_hours`, when given, is named next to the change failure rate, the one figure it moves.
    """
    m = metrics
    figures = (
        _figure(
            "deployment_frequency",
            m.deployments_per_day if m.window.days else None,
            f"{m.deployments_per_week:.1f} per week ({m.deployments_per_day:.2f} per day); deployments on "
            f"{m.days_with_deployments} of {number_text(m.window.days)} days",
            f"{m.deployments} deployments",
        ),
        _figure(
            "lead_time",
            m.lead_time_hours_median,
            _median_text(m.lead_time_hours_median, m.lead_time_hours_p90),
            f"{m.lead_time_samples} changes",
        ),
        _figure(
            "change_failure_rate",
            m.change_failure_rate_pct,
            (f"{m.change_failure_rate_pct:.1f} %" if m.change_failure_rate_pct is not None else "no data")
            + (f" (attribution look-back {lookback_hours:g} h)" if lookback_hours is not None else ""),  # with_lookback
            f"{m.failed_deployments} of {m.deployments} deployments; incidents linked by id "
            f"{m.incidents_linked_by_id}, by attribution {m.incidents_linked_by_attribution}, "
            f"not linked {m.incidents_unlinked}",
        ),
        _figure(
            "recovery_time",
            m.recovery_hours_median,
            _median_text(m.recovery_hours_median, m.recovery_hours_p90),
            f"{m.incidents_resolved} resolved of {m.incidents} incidents",
        ),
    )
    fit = nearest_cluster(metrics.benchmark_values())
    return DoraSummary(metrics, figures, fit.cluster if fit else None, lookback_hours=lookback_hours)


def _median_text(median: float | None, p90: float | None) -> str:
    if median is None or p90 is None:
        return "no data"
    return f"median {hours_text(median)} (p90 {hours_text(p90)})"


def _figure(metric: str, value: float | None, text: str, sample: str) -> Figure:
    shown = text if value is not None else "no data"
    return Figure(
        metric,
        METRICS[metric].title,
        value,
        shown,
        band(metric, value) if value is not None else None,
        DEFINITIONS[metric],
        sample,
    )


def roadmap_evidence(figures: Sequence[Figure]) -> Evidence:
    """Signals for the roadmap: a figure in the low band counts fully, in the medium band half.

    A band's edges are the clusters it spans: recovery under a day is both the high and
    the medium cluster in DORA 2024, so it is no concern (the least concerning cluster
    of the band decides). Measured and typed figures count alike: the team stated them.
    """
    signals = []
    for figure in figures:
        strength = min((_STRENGTH.get(c, 0.0) for c in figure.band.clusters), default=0.0) if figure.band else 0.0
        if strength and figure.band is not None:
            signals.append(
                Signal(
                    ROADMAP_METRIC[figure.metric],
                    strength,
                    f"{figure.title.lower()} {figure.text} ({figure.band.label} band)",
                )
            )
    return Evidence(tuple(signals))


def summary_to_data(summary: DoraSummary, *, with_rows: bool = True) -> dict[str, Any]:
    """JSON-ready: the window, every figure with its band and definition, the cluster, the data quality."""
    m = summary.metrics
    raw = {k: v for k, v in m.__dict__.items() if k not in ("window", "quality")}
    quality: dict[str, Any] = {"dropped_counts": m.quality.counts()}
    if with_rows:
        quality["dropped_rows"] = [{"kind": r.kind, "id": r.id, "reason": r.reason} for r in m.quality.rows]
    return {
        "window": {
            "since": m.window.since.isoformat(),
            "until": m.window.until.isoformat(),
            "days": m.window.days,
            "text": summary.window,
        },
        "metrics": raw,
        "figures": [
            {
                "metric": f.metric,
                "title": f.title,
                "value": f.value,
                "text": f.text,
                "band": list(f.band.clusters) if f.band else None,
                "definition": f.definition,
                "sample": f.sample,
            }
            for f in summary.figures
        ],
        "cluster": summary.cluster,
        "lookback_hours": summary.lookback_hours,
        "benchmark_edition": summary.edition,
        "data_quality": quality,
    }
