"""The widget <-> answer mapping, for every question of the shipped bank and every answer kind."""

from __future__ import annotations

from datetime import date

import pytest

from assessment.bank.answers import AnswerValue, answered, check_answer, dont_know, not_applicable
from assessment.bank.loader import default_bank
from assessment.bank.model import Bank, Question
from assessment.demo import demo_answer
from ui.components.assess.answer_fields import (
    DONT_KNOW,
    NOT_APPLICABLE,
    answer_options,
    compose,
    empty_values,
    option_label,
    widget_values,
)
from ui.text import plain

QUESTIONS = default_bank().questions


def kinds(question: Question) -> list[AnswerValue]:
    """A value answer at every level, plus don't know / not applicable where allowed, with details."""
    details = {
        "note": "seen in INC-7",
        "evidence_url": "https://wiki.example.com/x",
        "evidence_date": date(2026, 10, 1),
    }
    found = [demo_answer(question, level).with_details(**details) for level in range(5)]
    if question.allow_dont_know:
        found.append(dont_know(**details))
    if question.allow_not_applicable:
        found.append(not_applicable("single service", **details))
    return found


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.key)
def test_widgets_filled_from_an_answer_compose_the_same_answer(question: Question) -> None:
    for answer in kinds(question):
        assert check_answer(question, compose(question, widget_values(question, answer))) == answer  # type: ignore[arg-type]


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.key)
def test_empty_widgets_mean_no_answer(question: Question) -> None:
    assert compose(question, empty_values(question)) is None
    assert widget_values(question, None) == empty_values(question)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.key)
def test_options_offer_exactly_what_the_question_allows(question: Question) -> None:
    options = answer_options(question)
    assert (DONT_KNOW in options) == (question.allow_dont_know and question.type.value != "number")
    assert (NOT_APPLICABLE in options) == (question.allow_not_applicable and question.type.value != "number")
    assert all(option_label(question, token).strip() for token in options)


def test_level_labels_carry_the_full_behavioural_text(bank: Bank) -> None:
    question = bank.question("rb_rollback_path")
    for option in question.options or []:
        assert plain(option.text) in option_label(question, str(option.level))  # type: ignore[union-attr]


def test_not_applicable_without_reason_is_refused_by_the_domain() -> None:
    question = next(q for q in QUESTIONS if q.allow_not_applicable)
    values = {**empty_values(question), "answer": NOT_APPLICABLE, "reason": "  "}
    with pytest.raises(Exception, match="needs a reason"):
        check_answer(question, compose(question, values))  # type: ignore[arg-type]


def test_answered_value_round_trips_for_integer_and_decimal_numbers() -> None:
    bank = default_bank()
    whole, decimal = bank.question("rb_last_rollback_minutes"), bank.question("oc_owned_services_share")
    assert compose(whole, widget_values(whole, answered(12))) == answered(12)
    assert widget_values(decimal, answered(62))["answer"] == 62.0
