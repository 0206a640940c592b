"""Everything a team's DORA data says about one assessment, gathered once for the roadmap and the report.

The roadmap needs the figures as evidence, the report needs them in words with
their window and data quality, and both need the cross-check findings. Reading
them in one place keeps the on-screen roadmap, the CLI and the PDF in agreement,
and computes the team's metrics once per report instead of once per consumer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session

from assessment.assessments.repository import AssessmentData
from assessment.core.numbers import plural
from assessment.dora.benchmarks import EDITION
from assessment.dora.crosscheck import Finding, check, observed_from_metrics, observed_from_typed
from assessment.dora.figures import latest_figures, typed_figures
from assessment.dora.metrics.compute import DoraMetrics, team_metrics
from assessment.dora.metrics.frames import has_data
from assessment.dora.summary import Figure, roadmap_evidence, summarise
from assessment.roadmap.plan import DoraMetric, Evidence, Signal

IMPORTED = "imported deployments, changes and incidents"
TYPED = "typed figures"

# A contradiction raises, at full strength, the investments that would make the doubted claim true.
FINDING_TARGETS: dict[str, tuple[DoraMetric, tuple[str, ...]]] = {
    "rollback_vs_recovery": (DoraMetric.TIME_TO_RESTORE, ("one_step_rollback", "rollback_drills")),
    "diagnosis_vs_recovery": (
        DoraMetric.TIME_TO_RESTORE,
        ("service_health_metrics", "distributed_tracing", "root_cause_drills"),
    ),
    "postmortems_vs_incidents": (
        DoraMetric.TIME_TO_RESTORE,
        ("incident_record", "blameless_postmortem_process", "action_item_tracking"),
    ),
    "automation_vs_delivery": (
        DoraMetric.DEPLOYMENT_FREQUENCY,
        ("automated_deployment_pipeline", "automated_test_suite"),
    ),
}


@dataclass(frozen=True)
class TeamDora:
    """A team's DORA figures with their bands, where they come from, and what they contradict."""

    source: str  # IMPORTED, or TYPED with who typed them and when
    window: str | None  # "1 Jan 2026 to 31 Mar 2026 (90 days)"; typed figures have none
    figures: tuple[Figure, ...]
    cluster: str | None
    quality: tuple[str, ...]  # what was left out and why, how incidents were linked
    findings: tuple[Finding, ...]
    edition: str = EDITION

    @property
    def evidence(self) -> Evidence:
        """The figures' bands, plus one full-strength signal per contradiction."""
        signals = list(roadmap_evidence(self.figures).signals)
        for finding in self.findings:
            if finding.rule in FINDING_TARGETS:
                metric, targets = FINDING_TARGETS[finding.rule]
                signals.append(
                    Signal(
                        metric,
                        1.0,
                        f"cross-check, {finding.title[0].lower()}{finding.title[1:]} (see the contradictions)",
                        targets,
                    )
                )
        return Evidence(tuple(signals))


def team_dora(session: Session, data: AssessmentData) -> TeamDora | None:
    """Imported data when the team has any (the 90 days up to its latest event), else its typed figures."""
    questions = data.bank.questions_by_key()
    if has_data(session, team_id=data.team_id):
        metrics = team_metrics(session, team_id=data.team_id)
        summary = summarise(metrics)
        findings = check(data.answers, questions, observed_from_metrics(metrics))
        return TeamDora(
            IMPORTED,
            summary.window,
            summary.figures,
            summary.cluster,
            quality_lines(metrics),
            tuple(findings),
        )
    row = latest_figures(session, team_id=data.team_id)
    if row is None:
        return None
    figures, cluster = typed_figures(row)
    findings = check(data.answers, questions, observed_from_typed(row))
    by = f" by {row.entered_by}" if row.entered_by else ""
    return TeamDora(
        f"{TYPED}, entered{by} on {row.entered_at:%-d %b %Y}",
        None,
        figures,
        cluster,
        ("Typed figures carry no rows to check: they are taken as given.",),
        tuple(findings),
    )


def quality_lines(metrics: DoraMetrics) -> tuple[str, ...]:
    """How incidents were linked, then each reason rows were left out with its count, largest first."""
    m = metrics
    lines = [
        (
            f"Incidents linked to a deployment: {m.incidents_linked_by_id} by id, "
            f"{m.incidents_linked_by_attribution} by attribution to the latest deployment of the same service, "
            f"{m.incidents_unlinked} not linked."
        )
    ]
    counted = Counter((row.kind, row.reason) for row in m.quality.rows)
    for (kind, reason), n in sorted(counted.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"{plural(n, kind.removesuffix('s'), kind)} left out: {reason}.")
    for kind, n in sorted(m.quality.outside_window.items()):
        if n:
            lines.append(f"{plural(n, kind.removesuffix('s'), kind)} outside the window, so not counted.")
    return tuple(lines)
