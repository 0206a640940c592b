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
from assessment.core.failures import StorageError
from assessment.core.numbers import plural
from ui import auth, database, state
from ui.components.assess.answer_fields import (
    NOT_APPLICABLE,
    chosen_status,
    compose,
    empty_values,
    widget_values,
)
from ui.components.assess.state import ANSWERS, forget_shown_version, problems, set_shown_version, shown_version
from ui.text import plain, question_sentence, sentence

NOT_SAVED = "Your answer was not saved"


def _told(exc: FoundationsError, what: str) -> str:
    """A refused change in one sentence: a database failure starts with what was not done, a refusal is its own."""
    return exc.about(what) if isinstance(exc, StorageError) else str(exc)


def _url_problem(question: Question, url: str | None) -> str | None:
    try:
        check_evidence_url(question.key, url)
    except InvalidAnswerError as exc:
        return question_sentence(str(exc), question.key)
    return None


def on_change(assessment_id: int, question: Question, field: str) -> None:
    """Widget callback: store the question's answer as the widgets now describe it."""
    ANSWERS.tidy_flags(question, field)
    messages = problems(question.key)
    messages.pop(field, None)
    values = ANSWERS.values(question)
    url_problem = _url_problem(question, values.get("url"))
    if url_problem:
        messages["url"] = url_problem
        if field == "url":
            return  # what was typed stays in the field; the stored answer is unchanged
    keep = ANSWERS.unset(question) | ({"url"} if url_problem else set())
    if (
        chosen_status(question, values) == NOT_APPLICABLE
        and "reason" not in keep
        and not (values.get("reason") or "").strip()
    ):
        return  # the reason field asks for it calmly; choosing "not applicable" is no mistake
    _store(assessment_id, question, field, values, keep=keep)


def _store(assessment_id: int, question: Question, field: str, values: dict[str, Any], *, keep: set[str]) -> None:
    """Save (or clear) the composed answer; fields in `keep` take the stored answer's value."""
    messages = problems(question.key)
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
                messages[field] = "Choose an answer first; this is kept here and saved with it."
                return
            else:
                version = save_answer(
                    session,
                    assessment_id=assessment_id,
                    question_key=question.key,
                    answer=answer,
                    by=by,
                    expected_version=shown_version(assessment_id, question.key),
                )
    except ConflictError:
        messages[field] = "Someone else changed this answer meanwhile; their answer is shown now."
        forget_shown_version(assessment_id, question.key)
        return
    except InvalidAnswerError as exc:
        messages[field] = question_sentence(str(exc), question.key)
        return
    except AccessDenied as exc:  # shared mode: this role may read, not answer
        messages[field] = sentence(str(exc))
        return
    except StorageError as exc:  # the database refused: say so here; the widgets keep what was chosen
        messages[field] = sentence(exc.about(NOT_SAVED))
        return
    _saved(assessment_id, question, version, keep_url_problem="url" in keep)


def _saved(assessment_id: int, question: Question, version: int, *, keep_url_problem: bool) -> None:
    set_shown_version(assessment_id, question.key, version)
    messages = problems(question.key)
    kept = {"url": messages["url"]} if keep_url_problem and "url" in messages else {}
    messages.clear()
    messages.update(kept)
    st.toast(
        f"Saved: {plain(question.short)}" if version else f"Cleared: {plain(question.short)}",
        icon=":material/cloud_done:",
    )


def on_clear(assessment_id: int, question: Question) -> None:
    """Button callback: remove the answer (its history keeps it) and empty the widgets."""
    try:
        with db.write_session(database.engine()) as session:
            clear_answer(session, assessment_id=assessment_id, question_key=question.key, by=auth.author())
    except FoundationsError as exc:  # the database refused, or this role may not answer: the answer stays
        problems(question.key)["answer"] = (
            exc.about("The answer was not cleared") if isinstance(exc, StorageError) else str(exc)
        )
        return
    ANSWERS.fill(question, empty_values(question))
    set_shown_version(assessment_id, question.key, 0)
    problems(question.key).clear()
    st.toast(f"Cleared: {plain(question.short)}", icon=":material/delete:")


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
            problems(questions[0].key)["confirm"] = sentence(_told(exc, "It was not confirmed"))
        else:
            told = (
                exc.about("Nothing was confirmed") if isinstance(exc, StorageError) else f"Nothing was confirmed: {exc}"
            )
            state.set_notice("error", sentence(told))
        return
    for key, version in versions.items():
        if shown_version(assessment_id, key) == version - 1:  # the widgets show it: same value, new version
            set_shown_version(assessment_id, key, version)
        problems(key).pop("confirm", None)
    missed = [q for q in questions if q.key not in done]
    for question in missed:  # changed or confirmed in another tab meanwhile: show what it holds now
        forget_shown_version(assessment_id, question.key)
    if len(questions) == 1 and missed:
        problems(missed[0].key)["confirm"] = (
            "Someone else changed or confirmed this answer meanwhile; what it holds now is shown."
        )
    elif missed:
        state.set_notice(
            "info",
            f"{plural(len(missed), 'answer')} had been changed or confirmed by someone else "
            "meanwhile; what they hold now is shown.",
        )
    if len(questions) == 1 and done:
        st.toast(f"Confirmed: {plain(questions[0].short)}", icon=":material/cloud_done:")
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
