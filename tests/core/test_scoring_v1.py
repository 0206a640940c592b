"""Scoring of rounds answered against bank 1.0.0: its self-rated gate question decides each deciding test.

Rounds answered on bank 1 keep the rules they were scored with (docs/METHOD.md, "Bank 1"):
one self-rated gate question per foundation passes at 75 points, no context questions,
no freshness rule for level 4. Golden numbers are worked out by hand from the weights in
questions/foundations-1.yaml (gates weigh 3); the comments show the arithmetic.
The shipped bank (bank 2) is tested in test_scoring.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assessment.bank.answers import AnswerValue, answered, check_answer, dont_know, not_applicable
from assessment.bank.model import GATE_CAP_LEVEL, AnswerType, Bank, ChoiceOption, Question
from assessment.scoring.engine import Risk, answer_score, score_assessment
from assessment.scoring.gates import GateState
from tests.support.banks import bank_v1

BANK = bank_v1()
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _choices(question: Question) -> list[ChoiceOption]:
    return [o for o in question.options or [] if isinstance(o, ChoiceOption)]


def best(question: Question) -> AnswerValue:
    """The answer that scores 100 on this question."""
    value: Any
    match question.type:
        case AnswerType.LEVEL:
            value = 4
        case AnswerType.YES_NO:
            value = question.good_answer
        case AnswerType.CHOICE:
            value = max(_choices(question), key=lambda o: o.score or 0).key
        case AnswerType.NUMBER:
            assert question.number is not None
            value = question.number.bands[0].limit
    return check_answer(question, answered(value))


def worst(question: Question) -> AnswerValue:
    """An answer that scores 0 on this question."""
    value: Any
    match question.type:
        case AnswerType.LEVEL:
            value = 0
        case AnswerType.YES_NO:
            value = not question.good_answer
        case AnswerType.CHOICE:
            value = min(_choices(question), key=lambda o: o.score or 0).key
        case AnswerType.NUMBER:
            assert question.number is not None
            value = question.number.maximum if question.number.better == "lower" else question.number.minimum
            value = 100_000 if value is None else value
    answer = check_answer(question, answered(value))
    assert answer_score(question, answer) == 0, question.key
    return answer


def all_best(bank: Bank = BANK) -> dict[str, AnswerValue]:
    return {q.key: best(q) for q in bank.questions}


def value(key: str, raw: Any) -> AnswerValue:
    return check_answer(BANK.question(key), answered(raw))


# --- golden cases ---------------------------------------------------------------------------


def test_all_best_answers_are_proven_and_ready_everywhere() -> None:
    result = score_assessment(BANK, all_best())
    assert result.overall_score == 100
    assert (result.answered, result.total) == (34, 34)
    for f in result.foundations.values():
        assert (f.score, f.level, f.level_name, f.gate) == (100, 4, "proven", GateState.PASSED)
        assert not f.gate_capped
    assert [v.ready for v in result.verdicts] == [True, True, True]
    assert result.verdicts[0].sentence == (
        "Ready for expanding deployment autonomy: every foundation it needs is at the required level."
    )
    assert result.risks == []
    assert {q.risk for q in result.questions.values()} == {Risk.NONE}


def test_dont_know_everywhere_scores_zero_and_is_counted() -> None:
    answers = {q.key: check_answer(q, dont_know()) if q.allow_dont_know else worst(q) for q in BANK.questions}
    result = score_assessment(BANK, answers)
    assert result.overall_score == 0
    assert {(f.score, f.level) for f in result.foundations.values()} == {(0, 0)}
    assert {f.gate for f in result.foundations.values()} == {GateState.UNKNOWN}
    # rb_deployment_pipeline and oc_pager_carrier do not allow "don't know"
    assert [f.dont_know for f in result.foundations.values()] == [7, 7, 6, 5, 7]
    assert len(result.risks) == 34
    assert {r.risk for r in result.risks} == {Risk.HIGH}
    assert not any(v.ready for v in result.verdicts)
    assert result.verdicts[0].headline == (
        "Not ready for expanding deployment autonomy. Biggest blocker: failure isolation."
    )
    assert result.verdicts[0].bullets[0] == (
        "Failure isolation: level 0, needs 3; nobody knows yet whether its deciding test passes "
        "(instance loss test): find out first."
    )


def test_nothing_answered() -> None:
    result = score_assessment(BANK, {})
    assert result.overall_score == 0
    assert result.answered == 0
    assert {f.gate for f in result.foundations.values()} == {GateState.UNANSWERED}
    assert {q.risk for q in result.questions.values()} == {Risk.UNANSWERED}
    assert result.risks == []
    assert result.verdicts[0].unanswered == 34
    assert result.verdicts[0].sentence.endswith(" 34 question(s) it depends on are still unanswered.")


def test_failed_gate_caps_otherwise_perfect_foundation_at_partial() -> None:
    answers = all_best()
    answers["rb_rollback_path"] = value("rb_rollback_path", 2)  # 50 < gate_pass_score 75
    rb = score_assessment(BANK, answers).foundations["rollback_speed"]
    # (3 * 50 + (2 + 2 + 2 + 2 + 2 + 1) * 100) / 14 = 1250 / 14 = 89.3
    assert (rb.score, rb.raw_level, rb.level, rb.level_name) == (89, 4, 2, "partial")
    assert rb.gate is GateState.FAILED
    assert rb.gate_capped


def test_gate_at_exactly_the_pass_score_passes() -> None:
    answers = all_best()
    answers["rb_rollback_path"] = value("rb_rollback_path", 3)  # 75 == gate_pass_score
    rb = score_assessment(BANK, answers).foundations["rollback_speed"]
    # (3 * 75 + 11 * 100) / 14 = 94.6
    assert (rb.score, rb.level, rb.gate, rb.gate_capped) == (95, 4, GateState.PASSED, False)


def test_verdict_sentence_names_foundation_level_requirement_and_failed_test() -> None:
    answers = all_best()
    answers["rb_rollback_path"] = value("rb_rollback_path", 0)
    result = score_assessment(BANK, answers)
    # (0 + 1100) / 14 = 78.6 -> raw level 3, capped at 2 by the failed gate
    assert result.foundations["rollback_speed"].score == 79
    autonomy = result.verdicts[0]
    assert autonomy.end_state == "deployment_autonomy"
    assert not autonomy.ready
    assert [(s.foundation, s.level, s.required) for s in autonomy.shortfalls] == [("rollback_speed", 2, 3)]
    assert autonomy.sentence == (
        "Not ready for expanding deployment autonomy. Biggest blocker: deployment rollback speed. "
        "Deployment rollback speed: level 2, needs 3; its deciding test fails (rollback path: level 0 (absent))."
    )


def test_not_applicable_is_left_out_of_the_score() -> None:
    answers = all_best()
    answers["fi_circuit_breakers"] = check_answer(
        BANK.question("fi_circuit_breakers"), not_applicable("no synchronous calls")
    )
    answers["fi_timeouts"] = value("fi_timeouts", 0)
    result = score_assessment(BANK, answers)
    fi = result.foundations["failure_isolation"]
    # weights without circuit breakers (2): 3 + 2 + 2 + 1 + 1 + 2 = 11; (11 - 2) * 100 / 11 = 81.8
    # (counting N/A as zero would give 900 / 13 = 69)
    assert (fi.score, fi.level, fi.answered) == (82, 4, 7)
    breakers = result.questions["fi_circuit_breakers"]
    assert (breakers.score, breakers.risk) == (None, Risk.NOT_APPLICABLE)
    assert breakers.answer_text == "not applicable (no synchronous calls)"


def test_level_follows_the_score_the_reader_sees() -> None:
    """A foundation shown as 80/100 is level 4 (80 / 20), even when the unrounded mean is 79.6."""
    answers = all_best()
    for key, raw in (("fi_timeouts", 3), ("fi_fallbacks", "depends"), ("fi_cascading_incidents", 3)):
        answers[key] = value(key, raw)
    fi = score_assessment(BANK, answers).foundations["failure_isolation"]
    # (3*100 + 2*75 + 2*100 + 2*100 + 1*25 + 1*100 + 2*30) / 13 = 1035 / 13 = 79.6 -> shown as 80
    assert (fi.score, fi.level) == (80, 4)


def test_weights_are_applied() -> None:
    answers = all_best()
    answers["pm_blame"] = value("pm_blame", "mixed")  # 50, weight 2
    answers["pm_incident_record"] = value("pm_incident_record", False)  # 0, weight 1
    # weights 3 + 2 + 2 + 2 + 1 + 1 + 1 = 12; (1200 - 100 - 100) / 12 = 83.3
    assert score_assessment(BANK, answers).foundations["postmortem_practice"].score == 83


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        # lower is better: bands 5 -> 100, 15 -> 75, 60 -> 50, 240 -> 25, otherwise 0
        ("rb_last_rollback_minutes", 0, 100),
        ("rb_last_rollback_minutes", 5, 100),
        ("rb_last_rollback_minutes", 6, 75),
        ("rb_last_rollback_minutes", 15, 75),
        ("rb_last_rollback_minutes", 16, 50),
        ("rb_last_rollback_minutes", 60, 50),
        ("rb_last_rollback_minutes", 61, 25),
        ("rb_last_rollback_minutes", 240, 25),
        ("rb_last_rollback_minutes", 241, 0),
        # higher is better: bands 100 -> 100, 90 -> 75, 75 -> 50, 50 -> 25, otherwise 0
        ("oc_owned_services_share", 100, 100),
        ("oc_owned_services_share", 99.9, 75),
        ("oc_owned_services_share", 90, 75),
        ("oc_owned_services_share", 89.9, 50),
        ("oc_owned_services_share", 75, 50),
        ("oc_owned_services_share", 74.9, 25),
        ("oc_owned_services_share", 50, 25),
        ("oc_owned_services_share", 49.9, 0),
        ("oc_owned_services_share", 0, 0),
        # a band whose limit is zero
        ("fi_cascading_incidents", 0, 100),
        ("fi_cascading_incidents", 1, 60),
        ("fi_cascading_incidents", 4, 0),
    ],
)
def test_number_band_edges(key: str, raw: float, expected: int) -> None:
    assert answer_score(BANK.question(key), value(key, raw)) == expected


def test_other_answer_types_score_as_documented() -> None:
    assert answer_score(BANK.question("fi_timeouts"), value("fi_timeouts", 3)) == 75
    assert answer_score(BANK.question("io_host_access_needed"), value("io_host_access_needed", "no")) == 100
    assert answer_score(BANK.question("io_host_access_needed"), value("io_host_access_needed", "yes")) == 0
    assert answer_score(BANK.question("rb_automated_tests"), value("rb_automated_tests", "blocking")) == 85
    timeouts = BANK.question("fi_timeouts")
    assert answer_score(timeouts, check_answer(timeouts, dont_know())) == 0


def test_risks_are_sorted_high_first_then_bank_order() -> None:
    answers = all_best()
    answers["pm_blame"] = value("pm_blame", "mixed")  # 50: medium
    answers["io_detection_source"] = value("io_detection_source", "colleagues")  # 20: high
    answers["fi_timeouts"] = value("fi_timeouts", 2)  # 50: medium
    answers["fi_bulkheads"] = value("fi_bulkheads", "shared")  # 0: high
    answers["oc_owner_runbook_coverage"] = value("oc_owner_runbook_coverage", 3)  # gate at 75: no risk
    answers["rb_rollback_path"] = value("rb_rollback_path", 2)  # gate at 50, high below 75: high
    del answers["pm_incident_record"]  # unanswered is not a risk
    result = score_assessment(BANK, answers)
    assert [(r.question_key, r.risk) for r in result.risks] == [
        ("fi_bulkheads", Risk.HIGH),
        ("io_detection_source", Risk.HIGH),
        ("rb_rollback_path", Risk.HIGH),
        ("fi_timeouts", Risk.MEDIUM),
        ("pm_blame", Risk.MEDIUM),
    ]
    assert result.questions["pm_incident_record"].risk is Risk.UNANSWERED


# --- properties -----------------------------------------------------------------------------


def raw_values(q: Question) -> st.SearchStrategy[Any]:
    """Any value the question accepts, band limits included."""
    match q.type:
        case AnswerType.LEVEL:
            return st.integers(0, 4)
        case AnswerType.YES_NO:
            return st.booleans()
        case AnswerType.CHOICE:
            return st.sampled_from([o.key for o in q.options or [] if isinstance(o, ChoiceOption)])
    spec = q.number
    assert spec is not None
    upper = spec.maximum if spec.maximum is not None else 1000
    edges = st.sampled_from([b.limit for b in spec.bands if spec.minimum <= b.limit <= upper])
    if spec.integer:
        return st.one_of(edges, st.integers(int(spec.minimum), int(upper)))
    return st.one_of(edges, st.floats(spec.minimum, upper, allow_nan=False))


def scored_answers(q: Question) -> st.SearchStrategy[AnswerValue]:
    """Answers that count towards the score: a value, or "don't know" where allowed."""
    values = raw_values(q).map(lambda v: check_answer(q, answered(v)))
    return st.one_of(values, st.just(check_answer(q, dont_know()))) if q.allow_dont_know else values


def any_answer(q: Question) -> st.SearchStrategy[AnswerValue | None]:
    options: list[st.SearchStrategy[AnswerValue | None]] = [st.none(), scored_answers(q)]
    if q.allow_not_applicable:
        options.append(st.just(check_answer(q, not_applicable("does not apply here"))))
    return st.one_of(*options)


ANSWER_SETS = st.fixed_dictionaries({q.key: any_answer(q) for q in BANK.questions}).map(
    lambda d: {k: v for k, v in d.items() if v is not None}
)


@PROPERTY
@given(answers=ANSWER_SETS, data=st.data())
def test_raising_one_answer_never_lowers_its_foundation(answers: dict[str, AnswerValue], data: st.DataObject) -> None:
    q = data.draw(st.sampled_from(BANK.questions), label="question")
    first, second = data.draw(scored_answers(q), label="a"), data.draw(scored_answers(q), label="b")
    low, high = sorted((first, second), key=lambda a: answer_score(q, a) or 0)
    assume(answer_score(q, high) != answer_score(q, low))
    before = score_assessment(BANK, {**answers, q.key: low})
    after = score_assessment(BANK, {**answers, q.key: high})
    f_before, f_after = before.foundations[q.foundation], after.foundations[q.foundation]
    assert f_after.score >= f_before.score
    assert f_after.level >= f_before.level
    assert after.overall_score >= before.overall_score
    for key, result in before.foundations.items():
        if key != q.foundation:
            assert after.foundations[key] == result


@PROPERTY
@given(answers=ANSWER_SETS, data=st.data())
def test_a_failed_gate_always_caps_the_level(answers: dict[str, AnswerValue], data: st.DataObject) -> None:
    gate = data.draw(st.sampled_from([q for q in BANK.questions if q.gate]), label="gate")
    failing = data.draw(
        scored_answers(gate).filter(lambda a: (answer_score(gate, a) or 0) < BANK.bank.gate_pass_score),
        label="failing",
    )
    rest = data.draw(st.booleans(), label="others best")
    base = {**answers, **({q.key: best(q) for q in BANK.questions_for(gate.foundation)} if rest else {})}
    result = score_assessment(BANK, {**base, gate.key: failing}).foundations[gate.foundation]
    assert result.gate in (GateState.FAILED, GateState.UNKNOWN)
    assert result.level <= GATE_CAP_LEVEL
    if rest:
        assert result.level == GATE_CAP_LEVEL
        assert result.gate_capped


@PROPERTY
@given(answers=ANSWER_SETS)
def test_scores_levels_and_gates_stay_in_range(answers: dict[str, AnswerValue]) -> None:
    result = score_assessment(BANK, answers)
    assert 0 <= result.overall_score <= 100
    for f in result.foundations.values():
        assert 0 <= f.score <= 100
        assert 0 <= f.level <= f.raw_level <= 4
        if f.gate is not GateState.PASSED:
            assert f.level <= GATE_CAP_LEVEL
        assert f.answered <= f.total
    for q in result.questions.values():
        assert q.score is None or 0 <= q.score <= 100
    for v in result.verdicts:
        levels_met = all(result.foundations[k].level >= need for k, need in v.requires.items())
        assert v.ready is levels_met
        assert v.sentence.startswith("Ready for" if v.ready else "Not ready for")
