"""DORA evidence for the roadmap: signals that raise the investments a weak figure points at."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DoraMetric(StrEnum):
    DEPLOYMENT_FREQUENCY = "deployment_frequency"
    LEAD_TIME = "lead_time"
    CHANGE_FAILURE_RATE = "change_failure_rate"
    TIME_TO_RESTORE = "time_to_restore"


# Which investments each kind of DORA evidence raises. Keys missing from a bank are ignored.
DORA_TARGETS: dict[DoraMetric, tuple[str, ...]] = {
    DoraMetric.TIME_TO_RESTORE: (
        "service_health_metrics",
        "distributed_tracing",
        "root_cause_drills",
        "top_failure_runbooks",
    ),
    DoraMetric.CHANGE_FAILURE_RATE: ("one_step_rollback", "rollback_drills", "automated_test_suite"),
    DoraMetric.LEAD_TIME: ("automated_deployment_pipeline",),
    DoraMetric.DEPLOYMENT_FREQUENCY: ("automated_deployment_pipeline",),
}


@dataclass(frozen=True)
class Signal:
    """One piece of DORA evidence that should raise the investments it points at.

    metric:   which of the four keys the evidence is about.
    strength: 0 (no concern) to 1 (far from the benchmark); a signal above 0 selects
              its investments (an investment the answers show in place is only confirmed).
    figure:   the measured figure as the reader should see it in the reason,
              e.g. "median time to restore 9 hours (low band)".
    targets:  the investments it raises, when not the metric's usual ones in DORA_TARGETS.
    """

    metric: DoraMetric
    strength: float
    figure: str
    targets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.strength <= 1:
            raise ValueError(f"signal strength must be between 0 and 1, got {self.strength}")


@dataclass(frozen=True)
class Evidence:
    """Optional DORA input to the roadmap: signals with a strength above 0 count."""

    signals: tuple[Signal, ...] = ()

    def for_investment(self, key: str) -> list[Signal]:
        return [s for s in self.signals if s.strength > 0 and key in (s.targets or DORA_TARGETS[s.metric])]
