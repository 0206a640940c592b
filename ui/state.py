"""Typed access to the few things a browser tab remembers: ids, widget bookkeeping, pending moves.

The record of answers lives in the database only. The current assessment id lives in
the URL (`?assessment=12`) so a refresh, a bookmark or a second tab opens the same
assessment; the tab also remembers it, because moving between pages clears the URL.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

ASSESSMENT_PARAM = "assessment"
FOUNDATION_PARAM = "foundation"
START_PAGE = "ui/pages/start.py"
ASSESS_PAGE = "ui/pages/assess.py"
RESULTS_PAGE = "ui/pages/results.py"

_CURRENT = "current_assessment_id"
_PENDING = "pending_page"
_SHOWN = "shown_answer_versions"
_PROBLEMS = "answer_problems"
_NOTICE = "notice"


class BadAssessmentLink(ValueError):
    """The URL names an assessment in a form that cannot be an id."""


def parse_assessment_id(raw: str) -> int:
    """A positive id from URL text, or BadAssessmentLink."""
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**31:
        raise BadAssessmentLink(raw)
    return int(text)


def requested_assessment_id() -> int | None:
    """The assessment named in the URL, else the one this tab last opened (written back to the URL)."""
    raw = st.query_params.get(ASSESSMENT_PARAM)
    if raw is None:
        remembered: int | None = st.session_state.get(_CURRENT)
        if remembered is not None:
            st.query_params[ASSESSMENT_PARAM] = str(remembered)
        return remembered
    assessment_id = parse_assessment_id(raw)
    st.session_state[_CURRENT] = assessment_id
    return assessment_id


def remember_assessment(assessment_id: int) -> None:
    st.session_state[_CURRENT] = assessment_id


def forget_assessment() -> None:
    """Drop a remembered id that no longer opens anything (and the URL's copy of it)."""
    st.session_state.pop(_CURRENT, None)
    if ASSESSMENT_PARAM in st.query_params:
        del st.query_params[ASSESSMENT_PARAM]


def request_page(page: str, assessment_id: int, **params: str) -> None:
    """Ask for a move to `page` on `assessment_id`; callbacks cannot switch pages themselves."""
    st.session_state[_PENDING] = (page, {ASSESSMENT_PARAM: str(assessment_id), **params})


def follow_pending_page() -> None:
    """Carry out a move a callback asked for (call near the top of a page)."""
    pending: tuple[str, dict[str, str]] | None = st.session_state.pop(_PENDING, None)
    if pending is not None:
        page, params = pending
        remember_assessment(int(params[ASSESSMENT_PARAM]))
        st.switch_page(page, query_params=params)


# --- which stored version of each answer the widgets show ---------------------------------


def _shown(assessment_id: int) -> dict[str, int]:
    book: dict[str, Any] = st.session_state.setdefault(_SHOWN, {"assessment": None, "versions": {}})
    if book["assessment"] != assessment_id:  # another assessment: nothing shown or said so far applies
        book["assessment"], book["versions"] = assessment_id, {}
        st.session_state[_PROBLEMS] = {}
    versions: dict[str, int] = book["versions"]
    return versions


def shown_version(assessment_id: int, question_key: str) -> int | None:
    """The answer version (0: none) the widgets were last filled from or saved as."""
    return _shown(assessment_id).get(question_key)


def set_shown_version(assessment_id: int, question_key: str, version: int) -> None:
    _shown(assessment_id)[question_key] = version


def forget_shown_version(assessment_id: int, question_key: str) -> None:
    """Make the next run refill this question's widgets from the database."""
    _shown(assessment_id).pop(question_key, None)


# --- messages that callbacks leave for the next run ----------------------------------------


def problems(question_key: str) -> dict[str, str]:
    """Validation messages per field of one question (field -> message)."""
    book: dict[str, dict[str, str]] = st.session_state.setdefault(_PROBLEMS, {})
    return book.setdefault(question_key, {})


def set_notice(kind: str, message: str) -> None:
    """A one-off message (kind: success, error, info) shown on the next run of the page."""
    st.session_state[_NOTICE] = (kind, message)


def pop_notice() -> tuple[str, str] | None:
    notice: tuple[str, str] | None = st.session_state.pop(_NOTICE, None)
    return notice
