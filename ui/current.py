"""The assessment a page works on: read from the URL, loaded from the database, or a friendly stop."""

from __future__ import annotations

from typing import NoReturn

import streamlit as st
from sqlalchemy.engine import Engine

from assessment.access.policy import visible_organisations
from assessment.assessments.repository import AssessmentData, list_assessments, load_assessment
from assessment.assessments.rounds import previous_round
from assessment.core import db
from assessment.core.errors import NotFoundError
from ui import auth, state
from ui.state import Slot
from ui.text import plain

PICKED = Slot[int | None]("current_team_pick", None)  # the team chosen on a page opened from the menu


def require_assessment(engine: Engine) -> AssessmentData:
    """The open assessment with its answers; otherwise say why and offer the way back to Start."""
    try:
        assessment_id = state.requested_assessment_id()
    except state.BadAssessmentLink:
        _stop("This link does not point to an assessment.")
    if assessment_id is None:
        _choose_team(engine)  # opened from the menu: the team is chosen here, not on Start first
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


def _open(summaries: dict[int, str]) -> None:
    """Selectbox callback: open the chosen round on this page (the rerun reads it from the URL)."""
    chosen = PICKED.get()
    if chosen in summaries:
        st.query_params[state.ASSESSMENT_PARAM] = str(chosen)


def _team_picker(engine: Engine) -> None:
    """Each team this person may see, by its latest round: one choice opens it on the page asked for."""
    with db.read_session(engine) as session:
        visible = {o.name for o in visible_organisations(session, auth.actor())}
        latest = {s.team_id: s for s in list_assessments(session) if s.organisation in visible}  # newest round last
    if not latest:
        return
    labels = {
        s.id: f"{s.organisation} · {s.team}, round {s.round_number:d}"
        + ("" if s.status == "completed" else " (in progress)")
        for s in sorted(latest.values(), key=lambda s: (s.organisation.lower(), s.team.lower()))
    }
    st.selectbox(
        "Team",
        list(labels),
        index=None,
        format_func=lambda i: plain(labels[i]),
        placeholder="Choose a team",
        key=PICKED.key,
        on_change=_open,
        args=(labels,),
    )


def _choose_team(engine: Engine) -> NoReturn:
    st.info(plain("No assessment is open yet: choose a team to see its latest round."), icon=":material/info:")
    _team_picker(engine)
    st.page_link(state.START_PAGE, label="Or start a new round on Start", icon=":material/home:")
    st.stop()


def _stop(message: str, *, error: bool = True) -> NoReturn:
    state.forget_assessment()
    if error:
        st.error(plain(message), icon=":material/link_off:")
    else:
        st.info(plain(message), icon=":material/info:")
    st.markdown("Choose an assessment on the Start page, or start a new one.")
    st.page_link(state.START_PAGE, label="Go to Start", icon=":material/home:")
    st.stop()
