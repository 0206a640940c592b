"""One question on the Assess page: its widgets, filled from the database, and what they say about its answer.

The callbacks that save what the widgets hold are in `actions`; this module only draws.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st

from assessment.bank.answers import MAX_TEXT, AnswerValue
from assessment.bank.model import AnswerType, Question
from assessment.scoring.freshness import stale
from ui import widgets
from ui.components.assess.actions import on_change, on_clear, on_confirm
from ui.components.assess.answer_fields import (
    NOT_APPLICABLE,
    answer_options,
    chosen_status,
    fields_of,
    flag_label,
    flag_options,
    option_label,
    uses_number_input,
    widget_values,
)
from ui.components.assess.state import ANSWERS, AnswerWidgets, problems, set_shown_version, shown_version
from ui.text import plain

OLDEST_EVIDENCE = date(2000, 1, 1)


def sync_widgets(assessment_id: int, question: Question, answer: AnswerValue | None, version: int) -> None:
    """Fill the widgets from the database: all of them when they show an older version, else any not set."""
    stale = shown_version(assessment_id, question.key) != version
    refill = set(fields_of(question)) if stale else ANSWERS.unset(question)
    if not refill:
        return
    values = widget_values(question, answer)
    ANSWERS.fill(question, {field: values[field] for field in refill})
    if not stale:  # a field drawn again shows the stored value: an old complaint about it is moot
        for field in refill:
            problems(question.key).pop(field, None)
    set_shown_version(assessment_id, question.key, version)


REASON_PROMPT = ":material/edit_note: Say why this does not apply; the answer is saved as soon as you do."


def reason_prompt(values: dict[str, Any]) -> None:
    """Under an empty reason field: what to type, as a hint, not an error (nothing went wrong yet)."""
    if not (values.get("reason") or "").strip():
        st.caption(REASON_PROMPT)


def _show_problem(question: Question, field: str) -> None:
    message = problems(question.key).get(field)
    if message:
        st.error(message, icon=":material/error:")  # escaped: actions.py stores messages escaped


def answer_widget(
    inputs: AnswerWidgets, question: Question, on_change: Callable[..., None] | None = None, args: tuple[Any, ...] = ()
) -> None:
    """The radio, or the number input with its don't-know / n.a. pills; also the workshop pages' answer input.

    `on_change` gets `args` and the field; without one (inside a form) no callback is set at all.
    """

    def callback(field: str) -> dict[str, Any]:
        return {"on_change": on_change, "args": (*args, field)} if on_change else {}

    if not uses_number_input(question):
        st.radio(
            f"Answer to: {plain(question.short)}",
            answer_options(question),
            index=None,
            key=inputs.key("answer", question.key),
            format_func=lambda token: option_label(question, token),
            label_visibility="collapsed",
            horizontal=question.type is AnswerType.YES_NO,
            **callback("answer"),
        )
        return
    spec = question.number
    assert spec is not None
    number_type = int if spec.integer else float
    # no min_value/max_value: the browser would refuse a number outside them with a tooltip only;
    # the answer's own check refuses it with a sentence beside the field
    st.number_input(
        f"Measured value ({plain(spec.unit)})",
        key=inputs.key("answer", question.key),
        value=None,
        step=number_type(1),
        width=320,
        **callback("answer"),
    )
    if flag_options(question):
        st.pills(
            "Or",
            flag_options(question),
            key=inputs.key("flag", question.key),
            format_func=flag_label,
            label_visibility="collapsed",
            **callback("flag"),
        )


def _reason_widget(assessment_id: int, question: Question) -> None:
    if chosen_status(question, ANSWERS.values(question)) != NOT_APPLICABLE:
        return
    st.text_input(
        "Why does this not apply?",
        key=ANSWERS.key("reason", question.key),
        max_chars=MAX_TEXT,
        on_change=on_change,
        args=(assessment_id, question, "reason"),
    )
    reason_prompt(ANSWERS.values(question))
    _show_problem(question, "reason")


def _details(assessment_id: int, question: Question, answer: AnswerValue | None) -> None:
    has_details = bool(answer and (answer.note or answer.evidence_url or answer.evidence_date))
    details = st.expander(
        "Note and evidence",
        icon=":material/attach_file:",
        expanded=has_details,
        key=ANSWERS.key("details", question.key),
        on_change="rerun",
    )
    if not details.open:
        return  # drawn only when open: a closed panel costs nothing on each rerun
    with details:
        args = (assessment_id, question)
        st.text_area(
            "Note",
            key=ANSWERS.key("note", question.key),
            max_chars=MAX_TEXT,
            height=80,
            on_change=on_change,
            args=(*args, "note"),
        )
        _show_problem(question, "note")
        link, when = st.columns([3, 1])
        link.text_input(
            "Evidence link",
            key=ANSWERS.key("url", question.key),
            placeholder="https://...",
            max_chars=2000,
            on_change=on_change,
            args=(*args, "url"),
        )
        when.date_input(
            "Evidence date",
            key=ANSWERS.key("date", question.key),
            value=None,
            min_value=OLDEST_EVIDENCE,
            format="YYYY-MM-DD",
            on_change=on_change,
            args=(*args, "date"),
        )
        _show_problem(question, "url")
        _show_problem(question, "date")
        if answer is not None:
            st.button(
                "Clear this answer",
                key=ANSWERS.key("clear", question.key),
                type="tertiary",
                icon=":material/close:",
                on_click=on_clear,
                args=(assessment_id, question),
                help="Remove the answer with its note and evidence; the history keeps them.",
            )


def saved_details(answer: AnswerValue | None) -> str:
    """What is stored beside the answer itself, e.g. 'note, evidence link, evidence dated 2026-10-01'."""
    if answer is None:
        return ""
    parts = ["note"] if answer.note else []
    parts += ["evidence link"] if answer.evidence_url else []
    parts += [f"evidence dated {answer.evidence_date.isoformat()}"] if answer.evidence_date else []
    return ", ".join(parts)


def _status_line(answer: AnswerValue | None, meta: tuple[str, Any, int] | None, carried_from: int | None) -> None:
    if meta is None:
        st.caption(":material/radio_button_unchecked: Not answered yet")
        return
    by, when, _version = meta
    details = saved_details(answer)
    said = (
        f":material/history: Answered in round {carried_from:d},"
        if carried_from is not None
        else ":material/cloud_done: Saved"
    )
    st.caption(f"{said} {widgets.local_time(when)} by {plain(by)}" + (f" · with {plain(details)}" if details else ""))


def _carried_marker(assessment_id: int, question: Question, answer: AnswerValue | None, carried_from: int) -> None:
    """The badge and button of an answer still copied from the previous round; red when its evidence is stale."""
    aged = stale(question, answer, date.today())
    with st.container(horizontal=True, vertical_alignment="center", key=f"carried-{question.key}"):
        if aged is None:
            st.badge(
                f"Carried over from round {carried_from:d} — confirm or change",
                icon=":material/history:",
                color="orange",
                help="Last round's answer, copied into this round. Confirm it if it still holds; "
                "changing it confirms the new answer.",
            )
        else:
            dated = plain(f"{aged.evidence_date:%-d %b %Y}")
            st.badge(
                f"Carried over from round {carried_from:d}: evidence dated {dated} is stale — re-confirm",
                icon=":material/event_busy:",
                color="red",
                help=f"The {plain(aged.phrase)}. Until newer evidence is dated, it cannot pass a deciding test.",
            )
        st.button(
            "Confirm",
            key=ANSWERS.key("confirm", question.key),
            icon=":material/check:",
            on_click=on_confirm,
            args=(assessment_id, (question,)),
            help="Keep this answer for this round; you are recorded as confirming it.",
        )


def render_question(
    assessment_id: int,
    number: int,
    question: Question,
    answer: AnswerValue | None,
    meta: tuple[str, Any, int] | None,
    *,
    focus: bool = False,
    carried_from: int | None = None,
) -> None:
    """Draw one question with its help, its options, the extras it allows and its save state.

    `carried_from` is the round an unconfirmed carried-over answer was copied from (None otherwise).
    """
    sync_widgets(assessment_id, question, answer, meta[2] if meta else 0)
    with st.container(border=True, key=f"question-{question.key}"):
        gate = " :orange-badge[:material/flag: Deciding test]" if question.gate else ""
        st.subheader(f"{number:d}. {plain(question.short)}{gate}", anchor=f"q-{question.key}")
        if carried_from is not None:
            _carried_marker(assessment_id, question, answer, carried_from)
        _show_problem(question, "confirm")
        if focus:
            st.info("First unanswered question.", icon=":material/arrow_downward:")
        st.markdown(f"**{plain(question.text)}**")
        st.caption(plain(question.help))
        answer_widget(ANSWERS, question, on_change, (assessment_id, question))
        _show_problem(question, "answer")
        _show_problem(question, "flag")
        _reason_widget(assessment_id, question)
        _details(assessment_id, question, answer)
        _status_line(answer, meta, carried_from)
