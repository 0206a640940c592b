"""Roadmap rules on the shipped bank: properties over random answer sets, then worked cases."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.bank.answers import AnswerValue, answered, check_answer, dont_know, not_applicable
from assessment.bank.loader import default_bank
from assessment.bank.model import AnswerType, ChoiceOption, Question
from assessment.roadmap.evidence import DORA_TARGETS, DoraMetric, Evidence, Signal
from assessment.roadmap.plan import Phase, build_roadmap, roadmap_to_data
from assessment.scoring.engine import Risk, score_assessment

BANK = default_bank()
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PHASE_ORDER = {Phase.NOW: 0, Phase.NEXT: 1, Phase.LATER: 2}


def _values(q: Question) -> st.SearchStrategy[Any]:
    match q.type:
        case AnswerType.LEVEL:
            return st.integers(0, 4)
        case AnswerType.YES_NO:
            return st.booleans()
        case AnswerType.CHOICE:
            return st.sampled_from([o.key for o in q.options or [] if isinstance(o, ChoiceOption)])
    assert q.number is not None
    upper = q.number.maximum if q.number.maximum is not None else 1000
    return st.sampled_from([q.number.minimum, upper] + [b.limit for b in q.number.bands if b.limit <= upper])


def _answer(q: Question) -> st.SearchStrategy[AnswerValue | None]:
    options: list[st.SearchStrategy[AnswerValue | None]] = [
        st.none(),
        _values(q).map(lambda v: check_answer(q, answered(v))),
    ]
    if q.allow_dont_know:
        options.append(st.just(check_answer(q, dont_know())))
    if q.allow_not_applicable:
        options.append(st.just(check_answer(q, not_applicable("not used here"))))
    return st.one_of(*options)


ANSWER_SETS = st.fixed_dictionaries({q.key: _answer(q) for q in BANK.questions}).map(
    lambda d: {k: v for k, v in d.items() if v is not None}
)
SIGNALS = st.lists(
    st.builds(Signal, st.sampled_from(list(DoraMetric)), st.sampled_from([0.0, 0.5, 1.0]), st.just("a figure")),
    max_size=4,
).map(lambda s: Evidence(tuple(s)))


def best_answers() -> dict[str, AnswerValue]:
    """Every question answered with its top-scoring value."""
    result = {}
    for q in BANK.questions:
        value: Any
        if q.type is AnswerType.LEVEL:
            value = 4
        elif q.type is AnswerType.YES_NO:
            value = q.good_answer
        elif q.type is AnswerType.CHOICE:
            value = max((o for o in q.options or [] if isinstance(o, ChoiceOption)), key=lambda o: o.score).key
        else:
            assert q.number is not None
            value = q.number.bands[0].limit
        result[q.key] = check_answer(q, answered(value))
    return result


@PROPERTY
@given(answers=ANSWER_SETS, evidence=SIGNALS)
def test_prerequisites_always_come_first(answers: dict[str, AnswerValue], evidence: Evidence) -> None:
    roadmap = build_roadmap(BANK, answers, evidence=evidence)
    position = {i.key: i.position for i in roadmap.items}
    for item in roadmap.items:
        for prereq in item.prerequisites:
            assert prereq in position, f"{item.key} needs {prereq}, which is missing"
            assert position[prereq] < item.position
            assert PHASE_ORDER[roadmap.item(prereq).phase] <= PHASE_ORDER[item.phase]


@PROPERTY
@given(answers=ANSWER_SETS, evidence=SIGNALS)
def test_failed_gate_work_comes_before_other_work_of_its_phase(
    answers: dict[str, AnswerValue], evidence: Evidence
) -> None:
    roadmap = build_roadmap(BANK, answers, evidence=evidence)
    score = score_assessment(BANK, answers)
    for phase in Phase:
        flags = [i.serves_gate for i in roadmap.phase(phase)]
        assert flags == sorted(flags, reverse=True), f"{phase}: {[i.key for i in roadmap.phase(phase)]}"
    for item in roadmap.items:
        if item.kind == "gate":
            gate_q = next(q for q in BANK.questions_for(item.foundation) if q.gate)
            assert score.questions[gate_q.key].risk in (Risk.HIGH, Risk.MEDIUM)
            assert item.serves_gate


@PROPERTY
@given(answers=ANSWER_SETS)
def test_end_states_are_never_ready_below_a_required_level(answers: dict[str, AnswerValue]) -> None:
    roadmap = build_roadmap(BANK, answers)
    levels = {k: f.level for k, f in score_assessment(BANK, answers).foundations.items()}
    for step in roadmap.end_states:
        needs = next(e for e in BANK.end_states if e.key == step.key).requires
        below = [f for f, level in needs.items() if levels[f] < level]
        assert step.ready is (not below)
        if below:
            assert step.reason.startswith("Not ready")
            behind = [i.key for i in roadmap.items if i.foundation in below] or roadmap.keys()[-1:]
            assert step.after == (behind[-1] if behind else None)
        else:
            assert step.after is None
            assert step.phase is Phase.NOW


@PROPERTY
@given(answers=ANSWER_SETS, evidence=SIGNALS)
def test_selection_phases_and_reasons(answers: dict[str, AnswerValue], evidence: Evidence) -> None:
    roadmap = build_roadmap(BANK, answers, evidence=evidence)
    score = score_assessment(BANK, answers)
    weak = {
        t
        for q in BANK.questions
        if score.questions[q.key].risk in (Risk.HIGH, Risk.MEDIUM) and q.key in answers
        for t in q.triggers
    }
    raised = {k for s in evidence.signals if s.strength > 0 for k in DORA_TARGETS[s.metric]}
    needed = {p for i in roadmap.items for p in i.prerequisites}
    assert set(roadmap.keys()) >= weak | raised
    for item in roadmap.items:
        assert item.key in weak | raised or item.key in needed
        assert item.reason
        assert "\n" not in item.reason
    phases = [PHASE_ORDER[i.phase] for i in roadmap.items]
    assert phases == sorted(phases)
    assert [i.position for i in roadmap.items] == list(range(1, len(roadmap.items) + 1))


@PROPERTY
@given(answers=ANSWER_SETS, evidence=SIGNALS)
def test_same_input_same_roadmap_whatever_the_dict_order(answers: dict[str, AnswerValue], evidence: Evidence) -> None:
    forward = build_roadmap(BANK, answers, evidence=evidence)
    backward = build_roadmap(BANK, dict(reversed(list(answers.items()))), evidence=evidence)
    assert roadmap_to_data(forward) == roadmap_to_data(backward)


def test_strong_answers_give_an_empty_roadmap_and_ready_end_states() -> None:
    roadmap = build_roadmap(BANK, best_answers())
    assert roadmap.items == ()
    assert all(step.ready and step.phase is Phase.NOW for step in roadmap.end_states)


def test_a_failed_gate_goes_first_and_cites_the_answer() -> None:
    answers = best_answers()
    answers["fi_dependency_map"] = check_answer(BANK.question("fi_dependency_map"), answered(False))
    answers["rb_rollback_path"] = check_answer(BANK.question("rb_rollback_path"), answered(1))
    roadmap = build_roadmap(BANK, answers)
    assert roadmap.keys() == [
        "automated_deployment_pipeline",
        "one_step_rollback",
        "rollback_drills",
        "dependency_map",
    ]
    first, gate = roadmap.items[0], roadmap.items[1]
    assert first.kind == "prerequisite"
    assert first.in_place
    assert first.effort_weeks == 0
    assert "Deployment pipeline: level 4 (proven)" in first.reason
    assert gate.kind == "gate"
    assert gate.reason == ("Deciding test of deployment rollback speed not passed: Rollback path: level 1 (ad hoc).")
    assert [i.phase for i in roadmap.items] == [Phase.NOW, Phase.NOW, Phase.NOW, Phase.NEXT]
    assert roadmap.items[3].reason == "Weak answers, weighted gap 100: Dependency map: no."


def test_dont_know_is_weak_and_cited() -> None:
    answers = best_answers()
    answers["pm_incident_record"] = check_answer(BANK.question("pm_incident_record"), dont_know())
    roadmap = build_roadmap(BANK, answers)
    assert roadmap.keys() == ["incident_record"]
    assert roadmap.items[0].citations == ("Incident record: don't know",)


def test_dora_evidence_adds_and_raises_investments() -> None:
    answers = best_answers()
    slow = Signal(DoraMetric.TIME_TO_RESTORE, 1.0, "median time to restore 9 hours (low band)")
    roadmap = build_roadmap(BANK, answers, evidence=Evidence((slow,)))
    assert set(DORA_TARGETS[DoraMetric.TIME_TO_RESTORE]) <= set(roadmap.keys())
    tracing = roadmap.item("distributed_tracing")
    assert tracing.kind == "evidence"
    assert tracing.reason == "Raised by delivery data: DORA median time to restore 9 hours (low band)."
    assert roadmap.item("structured_logging").kind == "prerequisite"


def test_dora_evidence_reorders_equal_gaps() -> None:
    answers = best_answers()
    for key in ("rb_schema_rollback", "oc_runbook_usable"):  # both weight 1: gap 100 each
        answers[key] = check_answer(BANK.question(key), answered(False))
    plain = build_roadmap(BANK, answers).keys()
    assert plain == ["backward_compatible_migrations", "service_ownership_registry", "top_failure_runbooks"]
    slow = Signal(DoraMetric.TIME_TO_RESTORE, 0.5, "median time to restore 30 hours")
    raised = build_roadmap(BANK, answers, evidence=Evidence((slow,)))
    assert raised.item("top_failure_runbooks").gap == 250.0
    assert raised.keys().index("top_failure_runbooks") < raised.keys().index("backward_compatible_migrations")
    assert raised.keys()[-1] == "backward_compatible_migrations"


def test_signal_strength_is_checked() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        Signal(DoraMetric.LEAD_TIME, 1.5, "lead time 3 weeks")


def test_phase_budget() -> None:
    answers = {q.key: check_answer(q, dont_know()) for q in BANK.questions if q.allow_dont_know}
    roadmap = build_roadmap(BANK, answers)
    total = 0
    for item in roadmap.items:
        before, total = total, total + item.effort_weeks
        expected = Phase.NOW if before == 0 or total <= 4 else Phase.NEXT if total <= 13 else Phase.LATER
        assert item.phase is expected, item.key
    assert roadmap.weeks == {p.value: sum(i.effort_weeks for i in roadmap.phase(p)) for p in Phase}
