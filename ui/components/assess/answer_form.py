"""One question on the Assess page: its widgets, and the callback that saves every change at once.

Each widget's on_change composes the whole answer from the question's widgets and
stores it with `save_answer` in its own write transaction, passing the version the
widgets were filled from, so a change made meanwhile in another tab is never
silently overwritten. A field that fails validation keeps what was typed, shows
why next to it, and never blocks saving the rest of the answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from assessment.access.policy import AccessDenied
from assessment.assessments.repository import answers_for, clear_answer, save_answer, stored_answers
from assessment.assessments.rounds import confirm_answers
from assessment.bank.answers import MAX_TEXT, AnswerValue, check_evidence_url
from assessment.bank.model import Question
from assessment.core import db
from assessment.core.errors import ConflictError, FoundationsError, InvalidAnswerError
from assessment.core.numbers import plural
from ui import auth, database, state, widgets
from ui.components.assess.answer_fields import (
    NOT_APPLICABLE,
    answer_options,
    chosen_status,
    compose,
    empty_values,
    fields_of,
    flag_label,
    flag_options,
    option_label,
    uses_number_input,
    widget_key,
    widget_values,
)
from ui.text import plain, question_sentence

OLDEST_EVIDENCE = date(2000, 1, 1)


# --- saving ------------------------------------------------------------------------------


def _values(question: Question) -> dict[str, Any]:
    return {field: st.session_state.get(widget_key(field, question.key)) for field in fields_of(question)}


def _undrawn(question: Question) -> set[str]:
    """Fields whose widgets are not on the page (e.g. a closed 'Note and evidence'): keep their stored value."""
    return {field for field in fields_of(question) if widget_key(field, question.key) not in st.session_state}


def _url_problem(question: Question, url: str | None) -> str | None:
    try:
        check_evidence_url(question.key, url)
    except InvalidAnswerError as exc:
        return question_sentence(str(exc), question.key)
    return None


def _tidy_flags(question: Question, field: str) -> None:
    """A number and a don't-know / n.a. choice exclude each other: the one just set wins."""
    if not uses_number_input(question):
        return
    if field == "flag" and st.session_state.get(widget_key("flag", question.key)):
        st.session_state[widget_key("answer", question.key)] = None
    elif field == "answer" and st.session_state.get(widget_key("answer", question.key)) is not None:
        st.session_state[widget_key("flag", question.key)] = None


def on_change(assessment_id: int, question: Question, field: str) -> None:
    """Widget callback: store the question's answer as the widgets now describe it."""
    _tidy_flags(question, field)
    problems = state.problems(question.key)
    problems.pop(field, None)
    values = _values(question)
    url_problem = _url_problem(question, values.get("url"))
    if url_problem:
        problems["url"] = url_problem
        if field == "url":
            return  # what was typed stays in the field; the stored answer is unchanged
    keep = _undrawn(question) | ({"url"} if url_problem else set())
    if (
        chosen_status(question, values) == NOT_APPLICABLE
        and "reason" not in keep
        and not (values.get("reason") or "").strip()
    ):
        problems["reason"] = "Say why this does not apply; the answer is saved as soon as you do."
        return
    _store(assessment_id, question, field, values, keep=keep)


def _store(assessment_id: int, question: Question, field: str, values: dict[str, Any], *, keep: set[str]) -> None:
    """Save (or clear) the composed answer; fields in `keep` take the stored answer's value."""
    problems = state.problems(question.key)
    by = auth.author()
    try:
        with db.write_session(database.engine()) as session:
            if keep:
                stored = answers_for(session, assessment_id=assessment_id).get(question.key)
                values.update({f: v for f, v in widget_values(question, stored).items() if f in keep})
            answer = compose(question, values)
            if answer is None and field in ("answer", "flag"):
                clear_answer(session, assessment_id=assessment_id, question_key=question.key, by=by)
                version = 0
            elif answer is None:
                problems[field] = "Choose an answer first; this is kept here and saved with it."
                return
            else:
                version = save_answer(
                    session,
                    assessment_id=assessment_id,
                    question_key=question.key,
                    answer=answer,
                    by=by,
                    expected_version=state.shown_version(assessment_id, question.key),
                )
    except ConflictError:
        problems[field] = "Someone else changed this answer meanwhile; their answer is shown now."
        state.forget_shown_version(assessment_id, question.key)
        return
    except InvalidAnswerError as exc:
        problems[field] = question_sentence(str(exc), question.key)
        return
    except AccessDenied as exc:  # shared mode: this role may read, not answer
        problems[field] = str(exc)
        return
    _saved(assessment_id, question, version, keep_url_problem="url" in keep)


def _saved(assessment_id: int, question: Question, version: int, *, keep_url_problem: bool) -> None:
    state.set_shown_version(assessment_id, question.key, version)
    problems = state.problems(question.key)
    kept = {"url": problems["url"]} if keep_url_problem and "url" in problems else {}
    problems.clear()
    problems.update(kept)
    st.toast(f"Saved: {question.short}" if version else f"Cleared: {question.short}", icon=":material/cloud_done:")


def on_clear(assessment_id: int, question: Question) -> None:
    """Button callback: remove the answer (its history keeps it) and empty the widgets."""
    with db.write_session(database.engine()) as session:
        clear_answer(session, assessment_id=assessment_id, question_key=question.key, by=auth.author())
    for field, value in empty_values(question).items():
        st.session_state[widget_key(field, question.key)] = value
    state.set_shown_version(assessment_id, question.key, 0)
    state.problems(question.key).clear()
    st.toast(f"Cleared: {question.short}", icon=":material/delete:")


def on_confirm(assessment_id: int, questions: tuple[Question, ...]) -> None:
    """Button callback: keep these carried-over answers as this round's, recording who confirmed them.

    Only the answers the page showed as carried over are confirmed; one changed or
    confirmed meanwhile by someone else is left as it now is, and the page says so.
    """
    keys = [q.key for q in questions]
    try:
        with db.write_session(database.engine()) as session:
            done = set(confirm_answers(session, assessment_id=assessment_id, by=auth.author(), question_keys=keys))
            versions = {
                r.question_key: r.version
                for r in stored_answers(session, assessment_id=assessment_id)
                if r.question_key in done
            }
    except FoundationsError as exc:  # shared mode: this role may read, not answer
        if len(questions) == 1:
            state.problems(questions[0].key)["confirm"] = str(exc)
        else:
            state.set_notice("error", f"Nothing was confirmed: {exc}")
        return
    for key, version in versions.items():
        if state.shown_version(assessment_id, key) == version - 1:  # the widgets show it: same value, new version
            state.set_shown_version(assessment_id, key, version)
        state.problems(key).pop("confirm", None)
    missed = [q for q in questions if q.key not in done]
    for question in missed:  # changed or confirmed in another tab meanwhile: show what it holds now
        state.forget_shown_version(assessment_id, question.key)
    if len(questions) == 1 and missed:
        state.problems(missed[0].key)["confirm"] = (
            "Someone else changed or confirmed this answer meanwhile; what it holds now is shown."
        )
    elif missed:
        state.set_notice(
            "info",
            f"{plural(len(missed), 'answer')} had been changed or confirmed by someone else "
            "meanwhile; what they hold now is shown.",
        )
    if len(questions) == 1 and done:
        st.toast(f"Confirmed: {questions[0].short}", icon=":material/cloud_done:")
    elif done:
        st.toast(f"Confirmed {plural(len(done), 'carried-over answer')}", icon=":material/cloud_done:")


# --- drawing -----------------------------------------------------------------------------


def sync_widgets(assessment_id: int, question: Question, answer: AnswerValue | None, version: int) -> None:
    """Fill the widgets from the database: all of them when they show an older version, else any not set."""
    stale = state.shown_version(assessment_id, question.key) != version
    refill = set(fields_of(question)) if stale else _undrawn(question)
    if not refill:
        return
    for field, value in widget_values(question, answer).items():
        if field in refill:
            st.session_state[widget_key(field, question.key)] = value
            if not stale:  # a field drawn again shows the stored value: an old complaint about it is moot
                state.problems(question.key).pop(field, None)
    state.set_shown_version(assessment_id, question.key, version)


def _show_problem(question: Question, field: str) -> None:
    message = state.problems(question.key).get(field)
    if message:
        st.error(message, icon=":material/error:")


def _answer_widget(assessment_id: int, question: Question) -> None:
    args = (assessment_id, question)
    if not uses_number_input(question):
        options = answer_options(question)
        st.radio(
            f"Answer to: {question.short}",
            options,
            index=None,
            key=widget_key("answer", question.key),
            format_func=lambda token: option_label(question, token),
            label_visibility="collapsed",
            horizontal=len(options) <= 4 and question.type.value == "yes_no",
            on_change=on_change,
            args=(*args, "answer"),
        )
        return
    spec = question.number
    assert spec is not None
    number_type = int if spec.integer else float
    st.number_input(
        f"Measured value ({spec.unit})",
        key=widget_key("answer", question.key),
        min_value=number_type(spec.minimum),
        value=None,
        step=number_type(1),
        max_value=number_type(spec.maximum) if spec.maximum is not None else None,
        on_change=on_change,
        args=(*args, "answer"),
        width=320,
    )
    if flag_options(question):
        st.pills(
            "Or",
            flag_options(question),
            key=widget_key("flag", question.key),
            format_func=flag_label,
            label_visibility="collapsed",
            on_change=on_change,
            args=(*args, "flag"),
        )


def _reason_widget(assessment_id: int, question: Question) -> None:
    if chosen_status(question, _values(question)) != NOT_APPLICABLE:
        return
    st.text_input(
        "Why does this not apply?",
        key=widget_key("reason", question.key),
        max_chars=MAX_TEXT,
        on_change=on_change,
        args=(assessment_id, question, "reason"),
    )
    _show_problem(question, "reason")


def _details(assessment_id: int, question: Question, answer: AnswerValue | None) -> None:
    has_details = bool(answer and (answer.note or answer.evidence_url or answer.evidence_date))
    details = st.expander(
        "Note and evidence",
        icon=":material/attach_file:",
        expanded=has_details,
        key=widget_key("details", question.key),
        on_change="rerun",
    )
    if not details.open:
        return  # drawn only when open: a closed panel costs nothing on each rerun
    with details:
        args = (assessment_id, question)
        st.text_area(
            "Note",
            key=widget_key("note", question.key),
            max_chars=MAX_TEXT,
            height=80,
            on_change=on_change,
            args=(*args, "note"),
        )
        _show_problem(question, "note")
        link, when = st.columns([3, 1])
        link.text_input(
            "Evidence link",
            key=widget_key("url", question.key),
            placeholder="https://...",
            max_chars=2000,
            on_change=on_change,
            args=(*args, "url"),
        )
        when.date_input(
            "Evidence date",
            key=widget_key("date", question.key),
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
                key=widget_key("clear", question.key),
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
        f":material/history: Answered in round {carried_from},"
        if carried_from is not None
        else ":material/cloud_done: Saved"
    )
    st.caption(f"{said} {widgets.local_time(when)} by {plain(by)}" + (f" · with {details}" if details else ""))


def _carried_marker(assessment_id: int, question: Question, carried_from: int) -> None:
    """The badge and button of an answer still copied from the previous round."""
    with st.container(horizontal=True, vertical_alignment="center", key=f"carried-{question.key}"):
        st.badge(
            f"Carried over from round {carried_from} — confirm or change",
            icon=":material/history:",
            color="orange",
            help="Last round's answer, copied into this round. Confirm it if it still holds; "
            "changing it confirms the new answer.",
        )
        st.button(
            "Confirm",
            key=widget_key("confirm", question.key),
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
        st.subheader(f"{number}. {plain(question.short)}{gate}", anchor=f"q-{question.key}")
        if carried_from is not None:
            _carried_marker(assessment_id, question, carried_from)
        _show_problem(question, "confirm")
        if focus:
            st.info("First unanswered question.", icon=":material/arrow_downward:")
        st.markdown(f"**{plain(question.text)}**")
        st.caption(plain(question.help))
        _answer_widget(assessment_id, question)
        _show_problem(question, "answer")
        _show_problem(question, "flag")
        _reason_widget(assessment_id, question)
        _details(assessment_id, question, answer)
        _status_line(answer, meta, carried_from)
