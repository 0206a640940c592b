"""Roadmap rules on the shipped bank (2.0): properties over random answer sets, then worked cases.

The order is docs/METHOD.md's sequencing model: prerequisites first, find out and settle
before building, exposed deciding tests, other deciding tests, then the rest, in the
foundation sequence, cheap before long; data raises or confirms items, never reorders them.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.bank.answers import AnswerValue, answered, check_answer, dont_know, not_applicable
from assessment.bank.loader import default_bank
from assessment.bank.model import AnswerType, ChoiceOption, Question
from assessment.roadmap.evidence import DORA_TARGETS, DoraMetric, Evidence, Signal
from assessment.roadmap.plan import Phase, Roadmap, build_roadmap, roadmap_to_data
from assessment.scoring.engine import Risk, score_assessment
from assessment.scoring.gates import Contest, Facts, GateState

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


CALM = {  # ships through a change board, once a week, as one modular application: no exposure
    "ctx_deploys_per_week": 1,
    "ctx_approval": "change_board",
    "ctx_services": 3,
    "ctx_architecture": "modular",
    "ctx_chaos": False,
}


def value(key: str, raw: Any) -> AnswerValue:
    return check_answer(BANK.question(key), answered(raw))


def best_answers(*, proof: bool = True) -> dict[str, AnswerValue]:
    """Every scored question answered with its top-scoring value, a calm context, and fresh dated evidence."""
    result = {k: value(k, v) for k, v in CALM.items()}
    for q in BANK.scored_questions():
        raw: Any
        if q.type is AnswerType.LEVEL:
            raw = 4
        elif q.type is AnswerType.YES_NO:
            raw = q.good_answer
        elif q.type is AnswerType.CHOICE:
            raw = max((o for o in q.options or [] if isinstance(o, ChoiceOption)), key=lambda o: o.score or 0).key
        else:
            assert q.number is not None
            raw = q.number.bands[0].limit
        result[q.key] = value(q.key, raw)
    if proof:
        for foundation in BANK.foundations:
            for key in foundation.proof:
                result[key] = result[key].with_details(evidence_date=date.today() - timedelta(days=7))
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
def test_deciding_test_work_comes_before_other_work(answers: dict[str, AnswerValue], evidence: Evidence) -> None:
    """Tiers never go down along the roadmap (find out, exposed tests, other tests, the rest), and gate work is
    always work on a failed measured check."""
    roadmap = build_roadmap(BANK, answers, evidence=evidence)
    score = score_assessment(BANK, answers)
    tiers = [i.tier for i in roadmap.items]
    assert tiers == sorted(tiers), [(i.key, i.tier) for i in roadmap.items]
    for phase in Phase:
        flags = [i.serves_gate for i in roadmap.phase(phase)]
        assert flags == sorted(flags, reverse=True), f"{phase}: {[i.key for i in roadmap.phase(phase)]}"
    for item in roadmap.items:
        if item.kind == "gate":
            result = score.foundations[item.foundation]
            assert result.gate is GateState.FAILED
            assert any(item.key in BANK.question(c.question).triggers for c in result.failed_checks())
            assert item.serves_gate
        if item.kind == "discover":
            assert score.foundations[item.foundation].gate is GateState.UNKNOWN
            assert item.tier == 0


def _waits_for(roadmap: Roadmap, below: list[str], gates: dict[str, GateState]) -> str | None:
    """docs/METHOD.md: an end state waits for the deciding-test work (find out, settle, gate items) of each
    foundation short with its test not passed, for all the open work of one short only in level, and for what that
    work needs; it is placed after the last of these."""
    items = {i.key: i for i in roadmap.items}
    wanted: set[str] = set()
    for foundation in below:
        own = [i for i in roadmap.items if i.foundation == foundation and not i.in_place]
        gate_work = [i for i in own if i.kind in ("gate", "discover", "settle")]
        wanted |= {i.key for i in (gate_work if gates[foundation] is not GateState.PASSED and gate_work else own)}
    stack = list(wanted)
    while stack:
        needed = [p for p in items[stack.pop()].prerequisites if p not in wanted and not items[p].in_place]
        wanted.update(needed)
        stack.extend(needed)
    last = [i.key for i in roadmap.items if i.key in wanted]
    return last[-1] if last else None


@PROPERTY
@given(answers=ANSWER_SETS)
def test_end_states_are_never_ready_below_a_required_level(answers: dict[str, AnswerValue]) -> None:
    roadmap = build_roadmap(BANK, answers)
    score = score_assessment(BANK, answers)
    levels = {k: f.level for k, f in score.foundations.items()}
    gates = {k: f.gate for k, f in score.foundations.items()}
    verdicts = {v.end_state: v for v in score.verdicts}
    for step in roadmap.end_states:
        needs = next(e for e in BANK.end_states if e.key == step.key).requires
        below = [f for f, level in needs.items() if levels[f] < level]
        assert step.ready is (not below)
        assert step.status == verdicts[step.key].status.value
        assert step.reason == verdicts[step.key].headline
        if below:
            assert step.reason.startswith("Exposed: " if step.status == "exposed" else "Not ready for ")
            assert step.after == _waits_for(roadmap, below, gates)
            if step.after is not None:
                assert step.phase is roadmap.item(step.after).phase
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
        for q in BANK.scored_questions()
        if score.questions[q.key].risk in (Risk.HIGH, Risk.MEDIUM) and q.key in answers
        for t in q.triggers
    }
    failed = {
        t for f in score.foundations.values() for c in f.failed_checks() for t in BANK.question(c.question).triggers
    }
    find_out = {f"discover_{k}" for k, f in score.foundations.items() if f.gate is GateState.UNKNOWN}
    raised = {k for s in evidence.signals if s.strength > 0 for k in DORA_TARGETS[s.metric]}
    needed = {p for i in roadmap.items for p in i.prerequisites}
    assert set(roadmap.keys()) >= weak | failed | find_out | raised
    for item in roadmap.items:
        assert item.key in weak | failed | find_out | raised or item.key in needed
        assert item.reason
        assert "\n" not in item.reason
        assert "weighted gap" not in item.reason  # reasons in words, never internal numbers
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
    assert {step.status for step in roadmap.end_states} == {"ready"}


def test_strong_answers_without_dated_evidence_hold_chaos_back_with_only_record_keeping_to_do() -> None:
    """Proof is a record to attach, not a build: two days of it per foundation chaos needs, and chaos waits for them.

    Before, the roadmap was empty while chaos was "not ready": nothing said what to do.
    """
    roadmap = build_roadmap(BANK, best_answers(proof=False))
    assert [(i.key, i.effort) for i in roadmap.items] == [
        ("prove_incident_observability", "2 days"),
        ("prove_failure_isolation", "2 days"),
    ]
    autonomy, microservices, chaos = roadmap.end_states
    assert (autonomy.ready, microservices.ready, chaos.ready) == (True, True, False)
    assert (chaos.after, chaos.phase) == ("prove_failure_isolation", Phase.NOW)
    assert chaos.reason == "Not ready for chaos experiments. Biggest blocker: incident observability."
    bullets = score_assessment(BANK, best_answers(proof=False)).verdicts[2].bullets
    assert all("proven needs dated evidence that the deciding test held recently" in b for b in bullets)


def test_a_failed_gate_goes_first_and_cites_the_answer() -> None:
    answers = best_answers()
    answers["fi_dependency_map"] = value("fi_dependency_map", False)
    answers["rb_last_rollback_minutes"] = value("rb_last_rollback_minutes", 45)  # scores 50, fails "5 or less"
    roadmap = build_roadmap(BANK, answers)
    assert roadmap.keys() == [
        "automated_deployment_pipeline",
        "one_step_rollback",
        "rollback_drills",
        "dependency_map",
    ]
    first, gate = roadmap.items[0], roadmap.items[1]
    assert first.kind == "confirm"  # needed by the gate work, and the answers show it in place
    assert first.in_place
    assert first.effort_weeks == 0
    assert first.tier == 2  # it takes the urgency of the gate work waiting on it
    assert "Deployment pipeline: level 4 (proven)" in first.reason
    assert gate.kind == "gate"
    assert gate.reason == (
        "The deciding test of deployment rollback speed is not passed (Rollback time: 45 minutes (needs 5 minutes "
        "or less, and faster than a normal deployment)); this is part of passing it. It comes early because "
        "Rehearsed rollback drills needs it."
    )
    assert gate.citations == ("Rollback time: 45 minutes",)
    assert [i.phase for i in roadmap.items] == [Phase.NOW, Phase.NOW, Phase.NOW, Phase.NEXT]
    assert roadmap.items[3].reason == "Weak answers: Dependency map: no."
    assert roadmap.items[3].tier == 3


def test_an_exposed_gate_says_what_the_team_already_does() -> None:
    answers = best_answers()
    answers["rb_last_rollback_minutes"] = value("rb_last_rollback_minutes", 35)
    answers["ctx_deploys_per_week"] = value("ctx_deploys_per_week", 35)
    roadmap = build_roadmap(BANK, answers)
    gate = roadmap.item("one_step_rollback")
    assert (gate.tier, gate.exposed) == (1, True)
    assert gate.reason.startswith(
        "You already deploy to production 35 times a week, and the deciding test of deployment rollback speed "
        "fails (Rollback time: 35 minutes (needs 5 minutes or less, and faster than a normal deployment)): every "
        "bad deployment stays live until someone undoes it by hand."
    )
    assert roadmap.end_states[0].status == "not_ready"  # it still needs a change board's approval today


def test_dont_know_is_weak_and_cited() -> None:
    answers = best_answers()
    answers["pm_incident_record"] = check_answer(BANK.question("pm_incident_record"), dont_know())
    roadmap = build_roadmap(BANK, answers)
    assert roadmap.keys() == ["incident_record"]
    assert roadmap.items[0].citations == ("Incident record: don't know",)


def test_dont_know_on_a_gate_input_finds_out_before_building() -> None:
    answers = best_answers()
    answers["pm_postmortems_written"] = check_answer(BANK.question("pm_postmortems_written"), dont_know())
    answers["pm_incident_record"] = value("pm_incident_record", False)
    roadmap = build_roadmap(BANK, answers)
    # "don't know" is a weak answer too: it triggers the postmortem process, after the find-out item
    built = [i.key for i in roadmap.items if i.kind != "confirm"]
    assert built == ["discover_postmortem_practice", "incident_record", "blameless_postmortem_process"]
    assert {i.kind for i in roadmap.items[1:] if i.kind != "confirm"} == {"gap"}
    # the process needs owners and a rotation to run it: in place here, so one-line confirm items
    confirmed = {i.key for i in roadmap.items if i.kind == "confirm"}
    assert confirmed == {"service_ownership_registry", "shared_oncall_rotation"}
    find_out = roadmap.items[0]
    assert (find_out.kind, find_out.effort, find_out.effort_weeks, find_out.tier) == ("discover", "2 days", 0.4, 0)
    assert find_out.title == "Read the last three incident records"
    assert find_out.reason.startswith(
        "Nobody could say whether the deciding test of postmortem practice holds (Postmortems written: "
        "don't know (needs all three)). Find out first"
    )


def test_dora_evidence_adds_what_the_answers_do_not_show_and_only_confirms_the_rest() -> None:
    slow = Signal(DoraMetric.TIME_TO_RESTORE, 1.0, "median time to restore 9 hours (low band)")
    answers = best_answers()
    confirmed = build_roadmap(BANK, answers, evidence=Evidence((slow,)))
    assert set(DORA_TARGETS[DoraMetric.TIME_TO_RESTORE]) <= set(confirmed.keys())
    assert {i.kind for i in confirmed.items} == {"confirm"}  # in place: never rebuilt because of data
    assert sum(i.effort_weeks for i in confirmed.items) == 0
    assert confirmed.item("distributed_tracing").reason == (
        "The delivery data points here (median time to restore 9 hours (low band)), but the answers show it in "
        "place (Path to root cause: level 4 (proven); Distributed tracing: level 4 (proven)): confirm its exit "
        "criterion rather than rebuild it. It comes early because Timed root-cause drills needs it."
    )
    del answers["io_tracing"]  # nobody said whether tracing exists
    raised = build_roadmap(BANK, answers, evidence=Evidence((slow,)))
    tracing = raised.item("distributed_tracing")
    assert (tracing.kind, tracing.effort_weeks, tracing.tier) == ("evidence", 6, 3)
    assert tracing.reason == (
        "The delivery data points here: median time to restore 9 hours (low band). It comes early because "
        "Timed root-cause drills needs it."
    )
    assert raised.item("structured_logging").kind == "confirm"  # its prerequisite, shown in place


def test_dora_signals_do_not_reorder_the_sequence() -> None:
    """Data raises items or adds citations; the order stays the sequencing model's (ownership before rollback)."""
    answers = best_answers()
    for key in ("rb_schema_rollback", "oc_runbook_usable"):
        answers[key] = value(key, False)
    plain = build_roadmap(BANK, answers)
    assert plain.keys() == ["service_ownership_registry", "top_failure_runbooks", "backward_compatible_migrations"]
    slow = Signal(DoraMetric.TIME_TO_RESTORE, 0.5, "median time to restore 30 hours")
    raised = build_roadmap(BANK, answers, evidence=Evidence((slow,)))
    assert raised.keys()[:3] == plain.keys()
    assert raised.item("top_failure_runbooks").citations == (
        "Runbooks usable by others: no",
        "DORA: median time to restore 30 hours",
    )
    assert {i.kind for i in raised.items[3:]} == {"confirm"}


def test_a_contradiction_settles_first_and_holds_the_end_states() -> None:
    answers = best_answers(proof=False)
    doubt = Facts(contests=(Contest("rollback_speed", "Rollback time: 5 minutes", "median time to restore 9.0 hours"),))
    roadmap = build_roadmap(BANK, answers, facts=doubt)
    settle = roadmap.items[0]
    assert (settle.key, settle.kind, settle.effort, settle.tier) == ("settle_rollback_speed", "settle", "2 days", 0)
    assert settle.reason == (
        "The answers say Rollback time: 5 minutes; the delivery data shows median time to restore 9.0 hours. Until "
        "dated evidence settles it, the deciding test of deployment rollback speed counts as not passed."
    )
    assert [(e.key, e.ready, e.after) for e in roadmap.end_states][:2] == [
        ("deployment_autonomy", False, "settle_rollback_speed"),
        ("microservices", False, "settle_rollback_speed"),
    ]
    assert build_roadmap(BANK, best_answers(), facts=doubt).items == ()  # dated evidence settled it already


def test_signal_strength_is_checked() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        Signal(DoraMetric.LEAD_TIME, 1.5, "lead time 3 weeks")


def test_phase_budget() -> None:
    """docs/METHOD.md: walking the order as one team would, an item is "now" when it starts within 4 weeks, "next"
    within 13, "later" after; S, M, L count 1, 3, 6 team-weeks, a find-out item its days, a confirm item nothing."""
    answers = {q.key: check_answer(q, dont_know()) for q in BANK.questions if q.allow_dont_know}
    roadmap = build_roadmap(BANK, answers)
    assert roadmap.items[0].kind == "discover"
    started = 0.0
    for item in roadmap.items:
        expected = Phase.NOW if started < 4 else Phase.NEXT if started < 13 else Phase.LATER
        assert item.phase is expected, item.key
        weeks = {"S": 1, "M": 3, "L": 6}.get(item.effort, 0.0) if item.kind != "confirm" else 0.0
        if item.kind == "discover":
            weeks = int(item.effort.split()[0]) / 5
        assert item.effort_weeks == pytest.approx(weeks), item.key
        started += weeks
    assert {p.value for p in Phase} <= {i.phase.value for i in roadmap.items}
    assert roadmap.weeks == {p.value: pytest.approx(sum(i.effort_weeks for i in roadmap.phase(p))) for p in Phase}


def test_on_call_work_no_deciding_test_needs_never_jumps_ahead_of_a_failed_rollback_test() -> None:
    """The postmortem process needs owners and a rotation (METHOD rule 5), not every on-call improvement.

    Before, the process waited on the whole on-call foundation, so its failed test pulled incident
    roles and paging load (weak answers, no deciding test waiting on them) ahead of a failed
    rollback test.
    """
    answers = best_answers()
    answers["rb_last_rollback_minutes"] = value("rb_last_rollback_minutes", 60)
    answers["pm_postmortems_written"] = value("pm_postmortems_written", 1)
    answers["oc_incident_response"] = value("oc_incident_response", "ad_hoc")
    keys = build_roadmap(BANK, answers).keys()
    assert keys.index("one_step_rollback") < keys.index("incident_response_roles")
    assert keys.index("blameless_postmortem_process") < keys.index("incident_response_roles")
    assert keys.index("service_ownership_registry") < keys.index("blameless_postmortem_process")
    assert keys.index("shared_oncall_rotation") < keys.index("blameless_postmortem_process")
