"""A team's stored DORA data as the roadmap and the report read it: imported, typed, or none."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from assessment.assessments.repository import AssessmentData, load_assessment
from assessment.core import db
from assessment.dora.benchmarks import band
from assessment.dora.figures import Typed, save_figures
from assessment.dora.summary import Figure, hours_text, roadmap_evidence
from assessment.dora.team import IMPORTED, TYPED, team_dora
from assessment.roadmap.evidence import DoraMetric
from assessment.roadmap.plan import build_roadmap
from assessment.scoring.engine import score_assessment
from assessment.scoring.gates import GateState
from tests.support.builders import demo_round


def _round(engine: Engine, team: str, round_number: int = 1) -> AssessmentData:
    with db.read_session(engine) as session:
        return load_assessment(session, assessment_id=demo_round(engine, team, round_number))


def test_a_team_without_data_has_none(demo_engine: Engine) -> None:
    data = _round(demo_engine, "Payments")
    with db.read_session(demo_engine) as session:
        assert team_dora(session, data) is None


def test_imported_data_gives_figures_quality_findings_and_evidence(demo_engine: Engine) -> None:
    data = _round(demo_engine, "Checkout")
    with db.read_session(demo_engine) as session:
        dora = team_dora(session, data)
    assert dora is not None
    assert dora.source == IMPORTED
    assert dora.window
    assert "90 days" in dora.window
    assert [f.metric for f in dora.figures] == [
        "deployment_frequency",
        "lead_time",
        "change_failure_rate",
        "recovery_time",
    ]
    assert dora.quality[0].startswith("Incidents linked to a deployment:")
    assert any("left out" in line for line in dora.quality)
    rules = {f.rule for f in dora.findings}
    assert rules == {"diagnosis_vs_recovery", "postmortems_vs_incidents"}  # the demo's story
    # a contradiction no longer adds roadmap points: it contests the deciding test behind the claim
    assert not [s for s in dora.evidence.signals if s.targets]
    # the failure rate is in the low band; the median recovery (hours, under a day) is high or medium: no signal
    assert [s.metric for s in dora.evidence.signals] == [DoraMetric.CHANGE_FAILURE_RATE]
    contests = {c.foundation for c in dora.facts().contests}
    assert contests == {"incident_observability", "postmortem_practice"}
    score = score_assessment(data.bank, data.answers, dora.facts())
    assert score.foundations["incident_observability"].gate is GateState.CONTESTED
    assert score.foundations["incident_observability"].level <= 2
    roadmap = build_roadmap(data.bank, data.answers, score=score, evidence=dora.evidence, facts=dora.facts())
    assert roadmap.items[0].kind == "settle"
    assert "the delivery data shows median time to restore" in roadmap.items[0].reason


def test_platform_data_agrees_with_its_answers(demo_engine: Engine) -> None:
    data = _round(demo_engine, "Platform", 2)
    with db.read_session(demo_engine) as session:
        dora = team_dora(session, data)
    assert dora is not None
    assert not dora.findings
    assert (
        build_roadmap(data.bank, data.answers, evidence=dora.evidence).keys()
        == build_roadmap(data.bank, data.answers).keys()
    )  # strong data raises nothing


def test_typed_figures_count_as_evidence(demo_engine: Engine) -> None:
    data = _round(demo_engine, "Payments")
    with db.write_session(demo_engine) as session:
        save_figures(
            session,
            team_id=data.team_id,
            by="Dana",
            values={
                "recovery_time": Typed(number=200.0),
                "change_failure_rate": Typed(number=50.0),
                "lead_time": Typed(),
                "deployment_frequency": Typed(),
            },
        )
    with db.read_session(demo_engine) as session:
        dora = team_dora(session, data)
    assert dora is not None
    assert dora.source.startswith(f"{TYPED}, entered by Dana on ")
    assert dora.window is None
    strengths = {s.metric: s.strength for s in dora.evidence.signals if not s.targets}
    assert strengths == {DoraMetric.TIME_TO_RESTORE: 1.0, DoraMetric.CHANGE_FAILURE_RATE: 1.0}
    assert dora.findings == ()  # Payments claims nothing fast: nothing to contradict
    assert [(o.rule, o.status) for o in dora.outcomes] == [
        ("rollback_vs_recovery", "consistent"),
        ("diagnosis_vs_recovery", "consistent"),
        ("postmortems_vs_incidents", "not_enough_data"),  # typed figures give no number of incidents
        ("automation_vs_delivery", "consistent"),
    ]
    raised = build_roadmap(data.bank, data.answers, evidence=dora.evidence, facts=dora.facts())
    plain = build_roadmap(data.bank, data.answers)
    # the slow recovery is cited on the observability work the failed deciding test already calls for; the
    # sequencing model, not the data, decides the order
    tracing = raised.item("distributed_tracing")
    assert tracing.kind == "gate"
    assert "DORA: failed deployment recovery time typed: 8.3 days (low band)" in tracing.citations
    assert (
        "DORA: failed deployment recovery time typed: 8.3 days (low band)"
        not in plain.item("distributed_tracing").citations
    )
    assert raised.keys() == plain.keys()


@pytest.mark.parametrize(
    ("hours", "clusters", "signal"),
    [
        (0.5, ("elite",), None),
        (6.0, ("high", "medium"), None),  # under a day is both high and medium in DORA 2024: no concern
        (23.0, ("high", "medium"), None),
        (72.0, ("low",), 1.0),  # between a day and a week: nearer the low cluster
        (200.0, ("low",), 1.0),
    ],
)
def test_the_recovery_band_signal_uses_the_bands_real_edges(
    hours: float, clusters: tuple[str, ...], signal: float | None
) -> None:
    figure = Figure(
        "recovery_time",
        "Failed deployment recovery time",
        hours,
        f"median {hours_text(hours)}",
        band("recovery_time", hours),
        "",
        "",
    )
    assert figure.band is not None
    assert figure.band.clusters == clusters
    assert [s.strength for s in roadmap_evidence([figure]).signals] == ([signal] if signal else [])
