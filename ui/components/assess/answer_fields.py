"""Between an answer and the widgets that edit it: option tokens, labels, widget values, composition.

No streamlit here, so the mapping is tested on its own. Radio options are string
tokens ("0".."4", "yes"/"no", choice keys, and two sentinels that no bank key can
take because bank keys start with a letter).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from assessment.bank.answers import AnswerStatus, AnswerValue, answered, dont_know, not_applicable
from assessment.bank.model import LEVEL_NAMES, AnswerType, ChoiceOption, LevelOption, Question
from ui.text import plain

DONT_KNOW = "__dont_know__"
NOT_APPLICABLE = "__not_applicable__"
DETAIL_FIELDS = ("note", "url", "date")


def widget_key(field: str, question_key: str) -> str:
    """Session-state key of one field of one question, e.g. 'answer:rb_rollback_path'."""
    return f"{field}:{question_key}"


def uses_number_input(question: Question) -> bool:
    return question.type is AnswerType.NUMBER


def fields_of(question: Question) -> tuple[str, ...]:
    """The widget fields a question has (number questions add the don't-know / n.a. pills)."""
    extra = ("flag",) if uses_number_input(question) else ()
    return ("answer", *extra, "reason", *DETAIL_FIELDS)


def flag_options(question: Question) -> list[str]:
    """The sentinels a question allows, in display order."""
    return ([DONT_KNOW] if question.allow_dont_know else []) + (
        [NOT_APPLICABLE] if question.allow_not_applicable else []
    )


def answer_options(question: Question) -> list[str]:
    """Radio tokens for a question (empty for number questions, which use a number input)."""
    match question.type:
        case AnswerType.LEVEL:
            values = [str(o.level) for o in question.options or [] if isinstance(o, LevelOption)]
        case AnswerType.YES_NO:
            values = ["yes", "no"]
        case AnswerType.CHOICE:
            values = [o.key for o in question.options or [] if isinstance(o, ChoiceOption)]
        case _:
            return []
    return values + flag_options(question)


def option_label(question: Question, token: str) -> str:
    """The readable Markdown label of a radio token (level options carry their full behavioural text)."""
    if token == DONT_KNOW:
        return "**Don't know**"
    if token == NOT_APPLICABLE:
        return "**Not applicable**"
    if question.type is AnswerType.LEVEL:
        level = next(o for o in question.options or [] if isinstance(o, LevelOption) and str(o.level) == token)
        return f"**{level.level:d} · {plain(LEVEL_NAMES[level.level].capitalize())}:** {plain(level.text)}"
    if question.type is AnswerType.YES_NO:
        return "Yes" if token == "yes" else "No"
    choice = next(o for o in question.options or [] if isinstance(o, ChoiceOption) and o.key == token)
    return plain(choice.text)


def flag_label(token: str) -> str:
    return "Don't know" if token == DONT_KNOW else "Not applicable"


def _token(question: Question, value: Any) -> str:
    if question.type is AnswerType.YES_NO:
        return "yes" if value else "no"
    return str(value)


def _value(question: Question, token: str) -> int | bool | str:
    if question.type is AnswerType.LEVEL:
        return int(token)
    if question.type is AnswerType.YES_NO:
        return token == "yes"
    return token


def empty_values(question: Question) -> dict[str, Any]:
    values: dict[str, Any] = {"answer": None, "reason": "", "note": "", "url": "", "date": None}
    if uses_number_input(question):
        values["flag"] = None
    return values


def widget_values(question: Question, answer: AnswerValue | None) -> dict[str, Any]:
    """What each widget of the question shows for a stored answer (None: unanswered)."""
    values = empty_values(question)
    if answer is None:
        return values
    status_field = "flag" if uses_number_input(question) else "answer"
    if answer.status is AnswerStatus.DONT_KNOW:
        values[status_field] = DONT_KNOW
    elif answer.status is AnswerStatus.NOT_APPLICABLE:
        values[status_field], values["reason"] = NOT_APPLICABLE, answer.reason or ""
    elif uses_number_input(question):
        spec = question.number
        values["answer"] = answer.value if spec is None or spec.integer else float(answer.as_number())
    else:
        values["answer"] = _token(question, answer.value)
    values.update(note=answer.note or "", url=answer.evidence_url or "", date=answer.evidence_date)
    return values


def chosen_status(question: Question, values: dict[str, Any]) -> str | None:
    """The sentinel or value token the widgets currently select (None: nothing chosen)."""
    if uses_number_input(question):
        if values.get("flag"):
            return str(values["flag"])
        return None if values.get("answer") is None else "number"
    token = values.get("answer")
    return None if token is None else str(token)


def compose(question: Question, values: dict[str, Any]) -> AnswerValue | None:
    """The answer the widgets describe, before validation; None when no answer is chosen."""
    status = chosen_status(question, values)
    if status is None:
        return None
    details: dict[str, Any] = {
        "note": values.get("note") or None,
        "evidence_url": values.get("url") or None,
        "evidence_date": values.get("date") if isinstance(values.get("date"), date) else None,
    }
    if status == DONT_KNOW:
        return dont_know(**details)
    if status == NOT_APPLICABLE:
        return not_applicable(values.get("reason") or "", **details)
    if status == "number":
        return answered(values["answer"], **details)
    return answered(_value(question, status), **details)
