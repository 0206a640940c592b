"""The assessment a page works on: read from the URL, loaded from the database, or a friendly stop."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st
from sqlalchemy.engine import Engine

from assessment.assessments.repository import AssessmentData, load_assessment
from assessment.assessments.rounds import previous_round
from assessment.core import db
from assessment.core.errors import NotFoundError
from ui import state
from ui.text import plain


def require_assessment(engine: Engine) -> AssessmentData:
    """The open assessment with its answers; otherwise say why and offer the way back to Start."""
    try:
        assessment_id = state.requested_assessment_id()
    except state.BadAssessmentLink:
        _stop("This link does not point to an assessment.")
    if assessment_id is None:
        _stop("No assessment is open yet.", error=False)
    try:
        with db.read_session(engine) as session:
            return load_assessment(session, assessment_id=assessment_id)
    except NotFoundError:
        _stop("This assessment does not exist (any more). It may have been deleted, or the link is mistyped.")


def carried_from(engine: Engine, data: AssessmentData) -> int | None:
    """The round the still carried-over answers were copied from (the team's round before), or None if none are."""
    if not data.carried_over:
        return None
    with db.read_session(engine) as session:
        before = previous_round(session, assessment_id=data.id)
    return before.round_number if before is not None else data.round_number - 1


def _stop(message: str, *, error: bool = True) -> NoReturn:
    state.forget_assessment()
    if error:
        st.error(plain(message), icon=":material/link_off:")
    else:
        st.info(plain(message), icon=":material/info:")
    st.markdown("Choose an assessment on the Start page, or start a new one.")
    st.page_link(state.START_PAGE, label="Go to Start", icon=":material/home:")
    st.stop()
