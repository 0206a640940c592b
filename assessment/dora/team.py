"""Everything a team's DORA data says about one assessment, gathered once for the roadmap and the report.

The roadmap needs the figures as evidence, the report needs them in words with
their window and data quality, and both need the cross-check findings. Reading
them in one place keeps the on-screen roadmap, the CLI and the PDF in agreement,
and computes the team's metrics once per report instead of once per consumer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from assessment.assessments.repository import AssessmentData
from assessment.core.numbers import plural
from assessment.dora.benchmarks import EDITION
from assessment.dora.crosscheck import Finding, Outcome, check, outcomes
from assessment.dora.figures import latest_figures, typed_figures
from assessment.dora.lookback import team_lookback
from assessment.dora.metrics.compute import DoraMetrics, team_metrics
from assessment.dora.metrics.frames import has_data
from assessment.dora.observed import linked_recovery, observed_from_metrics, observed_from_typed
from assessment.dora.summary import Figure, roadmap_evidence, summarise
from assessment.roadmap.evidence import Evidence
from assessment.scoring.gates import Contest, Facts

IMPORTED = "imported deployments, changes and incidents"
TYPED = "typed figures"


@dataclass(frozen=True)
class TeamDora:
    """A team's DORA figures with their bands, where they come from, and what they contradict."""

    source: str  # IMPORTED, or TYPED with who typed them and when
    window: str | None  # "1 Jan 2026 to 31 Mar 2026 (90 days)"; typed figures have none
    figures: tuple[Figure, ...]
    cluster: str | None
    quality: tuple[str, ...]  # what was left out and why, how incidents were linked
    findings: tuple[Finding, ...]
    outcomes: tuple[Outcome, ...] = ()  # every check, including those without enough data
    deploys_per_week: float | None = None
    edition: str = EDITION
    lookback_hours: float | None = None  # the look-back imported figures used (the change failure rate, the cluster)

    @property
    def evidence(self) -> Evidence:
        """The figures' bands as roadmap signals (contradictions act on the gates instead, through `facts`)."""
        return roadmap_evidence(self.figures)

    def facts(self, as_of: date | None = None) -> Facts:
        """What the data tells scoring: contradictions that contest deciding tests, and the deployment pace."""
        contests = tuple(
            Contest(f.foundation, f.answer_quote, f.data_quote) for f in self.findings if f.foundation is not None
        )
        source = "imported data" if self.source == IMPORTED else "typed figures"
        return Facts(contests, as_of, self.deploys_per_week, source)


def team_dora(session: Session, data: AssessmentData) -> TeamDora | None:
    """Imported data when the team has any (the 90 days up to its latest event), else its typed figures."""
    questions = data.bank.questions_by_key()
    if has_data(session, team_id=data.team_id):
        lookback = team_lookback(session, team_id=data.team_id)
        metrics = team_metrics(session, team_id=data.team_id, lookback_hours=lookback)
        summary = summarise(metrics, lookback)
        observed = observed_from_metrics(metrics, linked_recovery(session, team_id=data.team_id, window=metrics.window))
        return TeamDora(
            IMPORTED,
            summary.window,
            summary.figures,
            summary.cluster_text if summary.cluster else None,
            quality_lines(metrics),
            tuple(check(data.answers, questions, observed)),
            tuple(outcomes(data.answers, questions, observed)),
            metrics.deployments_per_week if metrics.window.days else None,
            lookback_hours=lookback,
        )
    row = latest_figures(session, team_id=data.team_id)
    if row is None:
        return None
    figures, cluster = typed_figures(row)
    observed = observed_from_typed(row)
    by = f" by {row.entered_by}" if row.entered_by else ""
    return TeamDora(
        f"{TYPED}, entered{by} on {row.entered_at:%-d %b %Y}",
        None,
        figures,
        cluster,
        ("Typed figures carry no rows to check: they are taken as given.",),
        tuple(check(data.answers, questions, observed)),
        tuple(outcomes(data.answers, questions, observed)),
        observed.deployments_per_week,
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
