"""Properties of the method that must hold for any answers (hypothesis draws them from the shipped bank).

- a measured answer beyond its threshold never yields a passed gate, whatever the self-ratings;
- "don't know" on a gate input, with no input failed, yields unknown: never passed, never failed;
- adding a contradiction never raises a level;
- every prerequisite precedes its dependants, and a find-out item precedes every build of its foundation.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.bank.answers import AnswerValue, answered, check_answer, dont_know
from assessment.bank.loader import default_bank
from assessment.bank.model import AnswerType, Bank, ChoiceOption, Question
from assessment.roadmap.plan import build_roadmap
from assessment.scoring.engine import score_assessment
from assessment.scoring.gates import CheckState, Contest, Facts, GateState, condition_state

BANK: Bank = default_bank()
SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _value(question: Question) -> st.SearchStrategy[Any]:
    match question.type:
        case AnswerType.LEVEL:
            return st.integers(0, 4)
        case AnswerType.YES_NO:
            return st.booleans()
        case AnswerType.CHOICE:
            return st.sampled_from([o.key for o in question.options or [] if isinstance(o, ChoiceOption)])
        case AnswerType.NUMBER:
            spec = question.number
            assert spec is not None
            top = spec.maximum if spec.maximum is not None else 1000
            numbers = st.integers(int(spec.minimum), int(top))
            return numbers if spec.integer else numbers | st.floats(spec.minimum, top).map(lambda x: round(x, 1))
    raise AssertionError(question.type)


def _answer(question: Question) -> st.SearchStrategy[AnswerValue | None]:
    options: list[st.SearchStrategy[AnswerValue | None]] = [
        _value(question).map(lambda v: check_answer(question, answered(v))),
        st.none(),
    ]
    if question.allow_dont_know:
        options.append(st.just(dont_know()))
    return st.one_of(*options)


@st.composite
def answer_sets(draw: st.DrawFn) -> dict[str, AnswerValue]:
    drawn = {q.key: draw(_answer(q)) for q in BANK.questions}
    return {k: v for k, v in drawn.items() if v is not None}


@given(answer_sets())
@SETTINGS
def test_an_answer_beyond_its_threshold_never_passes_the_gate(answers: dict[str, AnswerValue]) -> None:
    score = score_assessment(BANK, answers)
    questions = BANK.questions_by_key()
    for foundation in BANK.foundations:
        beyond = [c for c in foundation.gate if condition_state(c, questions, answers) is CheckState.FAILED]
        if beyond:
            assert score.foundations[foundation.key].gate is GateState.FAILED
            assert score.foundations[foundation.key].level <= 2


@given(answer_sets(), st.sampled_from(BANK.foundations), st.data())
@SETTINGS
def test_dont_know_on_a_gate_input_is_unknown_unless_another_input_fails(
    answers: dict[str, AnswerValue], foundation: Any, data: st.DataObject
) -> None:
    check = data.draw(st.sampled_from(foundation.gate))
    answers = {**answers, check.question: dont_know()}
    questions = BANK.questions_by_key()
    failed = any(condition_state(c, questions, answers) is CheckState.FAILED for c in foundation.gate)
    gate = score_assessment(BANK, answers).foundations[foundation.key].gate
    assert gate is not GateState.PASSED
    assert gate is (GateState.FAILED if failed else GateState.UNKNOWN)


@given(answer_sets(), st.sampled_from([f.key for f in BANK.foundations]))
@SETTINGS
def test_a_contradiction_never_raises_a_level(answers: dict[str, AnswerValue], contested: str) -> None:
    plain = score_assessment(BANK, answers)
    doubted = score_assessment(BANK, answers, Facts(contests=(Contest(contested, "a claim", "a figure"),)))
    for key, result in plain.foundations.items():
        assert doubted.foundations[key].level <= result.level
        assert doubted.foundations[key].score == result.score


@given(answer_sets())
@SETTINGS
def test_every_prerequisite_and_find_out_item_comes_first(answers: dict[str, AnswerValue]) -> None:
    roadmap = build_roadmap(BANK, answers)
    position = {item.key: item.position for item in roadmap.items}
    for item in roadmap.items:
        for prerequisite in item.prerequisites:
            assert position[prerequisite] < item.position
        find_out = position.get(f"discover_{item.foundation}")
        if find_out is not None and item.kind in ("gate", "gap", "evidence", "prerequisite"):
            assert find_out < item.position
        if item.key == "instance_kill_drill":
            others = [i for i in roadmap.items if i.foundation in ("incident_observability", "rollback_speed")]
            assert all(o.position < item.position for o in others)
    assert all("weighted gap" not in i.reason and "priority" not in i.reason for i in roadmap.items)
