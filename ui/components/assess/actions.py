"""Callbacks of the Assess page that change records: save, clear and confirm answers, complete a round.

Each widget's on_change composes the whole answer from the question's widgets and
stores it with `save_answer` in its own write transaction, passing the version the
widgets were filled from, so a change made meanwhile in another tab is never
silently overwritten. A field that fails validation keeps what was typed, shows
why next to it, and never blocks saving the rest of the answer. Problems become
messages for the next run, never a traceback.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from assessment.access.policy import AccessDenied
from assessment.assessments.repository import answers_for, clear_answer, save_answer, set_status, stored_answers
from assessment.assessments.rounds import confirm_answers
from assessment.bank.answers import check_evidence_url
from assessment.bank.model import Question
from assessment.core import db
from assessment.core.errors import ConflictError, FoundationsError, InvalidAnswerError
from assessment.core.numbers import plural
from ui import auth, database, state
from ui.components.assess.answer_fields import (
    NOT_APPLICABLE,
    chosen_status,
    compose,
    empty_values,
    fields_of,
    uses_number_input,
    widget_key,
    widget_values,
)
from ui.text import question_sentence, sentence


def current_values(question: Question) -> dict[str, Any]:
    """What the question's widgets hold now, field by field (None for a widget not drawn yet)."""
    return {field: st.session_state.get(widget_key(field, question.key)) for field in fields_of(question)}


def undrawn(question: Question) -> set[str]:
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
    values = current_values(question)
    url_problem = _url_problem(question, values.get("url"))
    if url_problem:
        problems["url"] = url_problem
        if field == "url":
            return  # what was typed stays in the field; the stored answer is unchanged
    keep = undrawn(question) | ({"url"} if url_problem else set())
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


def set_completed(assessment_id: int, completed: bool) -> None:
    """Mark a round complete (then show its results) or reopen it."""
    try:
        with db.write_session(database.engine()) as session:
            set_status(session, assessment_id=assessment_id, completed=completed)
    except FoundationsError as exc:
        state.set_notice("error", sentence(str(exc)))
        return
    if completed:
        state.request_page(state.RESULTS_PAGE, assessment_id)
    else:
        state.set_notice("success", "Round reopened.")
