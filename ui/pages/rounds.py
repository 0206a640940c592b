"""Rounds: start a team's next round pre-filled from its last one, confirm carried answers, compare two rounds."""

from __future__ import annotations

import streamlit as st

from assessment.access.policy import Action, authorize, may, organisation, visible_organisations
from assessment.assessments.banks import organisation_banks
from assessment.assessments.comparison import RoundComparison, compare_rounds
from assessment.assessments.repository import AssessmentSummary, assessment_team, list_assessments, load_assessment
from assessment.assessments.rounds import carried_over_keys
from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.organisations.directory import list_teams
from ui import auth, database, state, widgets
from ui.components.rounds import actions, views
from ui.components.rounds.state import AFTER, BANK, BEFORE, CONFIRM, LABEL, ORG, PREFILL, TEAM
from ui.state import Slot
from ui.text import plain, sentence

engine = database.engine()
actor = auth.actor()
state.follow_pending_page()
st.title("Rounds")
st.caption(
    "A round is one assessment of a team. See what moved between two completed rounds; start the next "
    "one, pre-filled from the last one's answers, below them."
)
widgets.show_notice()

with db.read_session(engine) as session:
    organisations = visible_organisations(session, actor)
if not organisations:
    st.info(
        "There is no organisation yet. Start an assessment or load the demo data on the Start page.",
        icon=":material/info:",
    )
    st.page_link(state.START_PAGE, label="Go to Start", icon=":material/home:")
    st.stop()


def pick(label: str, options: dict[int, str], slot: Slot[int | None]) -> int:
    """A selectbox over ids shown by name, keeping a valid choice in session state."""
    slot.keep_within(options, next(iter(options)))
    chosen: int = st.selectbox(plain(label), list(options), format_func=options.__getitem__, key=slot.key)
    return chosen


def start_on_current_team() -> None:
    """Opened from an assessment (its id in the URL), start on that assessment's organisation and team.

    Only a first choice: `pick` still keeps it to what this person may see.
    """
    if ORG.is_set():
        return
    try:
        assessment_id = state.requested_assessment_id()
    except state.BadAssessmentLink:
        return
    if assessment_id is None:
        return
    with db.read_session(engine) as session:
        team = assessment_team(session, assessment_id=assessment_id)
    if team is not None:
        ORG.set(team.organisation_id)
        TEAM.set(team.team_id)


start_on_current_team()
org_col, team_col = st.columns(2)
with org_col:
    org_id = pick("Organisation", {o.id or 0: o.name for o in organisations}, ORG)
try:
    authorize(engine, actor, Action.VIEW_RESULTS, organisation(org_id))
    with db.read_session(engine) as session:
        teams = {t.id or 0: t.name for t in list_teams(session, organisation_id=org_id)}
        may_manage = may(session, actor, Action.MANAGE_ROUNDS, org_id)
        banks = organisation_banks(session, organisation_id=org_id)
        may_answer = may(session, actor, Action.ANSWER, org_id)
except FoundationsError as exc:
    st.error(sentence(str(exc)), icon=":material/block:")
    st.stop()
if not teams:
    st.info("This organisation has no team yet. Add one on the Start page.", icon=":material/info:")
    st.stop()
with team_col:
    team_id = pick("Team", teams, TEAM)
with db.read_session(engine) as session:
    rounds = list_assessments(session, team_id=team_id)


def next_round(rounds: list[AssessmentSummary]) -> None:
    """The 'start the next round' card, offering to pre-fill from the latest round.

    A team with rounds comes here for what they show: starting another is one click
    away, folded, under the results; with none it is the only thing to do.
    """
    title = f"Start round {len(rounds) + 1}"
    card = st.expander(title, icon=":material/add_task:") if rounds else st.container(border=True)
    with card:
        if not rounds:
            st.subheader(title, anchor=False)
        if rounds:
            st.checkbox(
                f"Pre-fill from round {rounds[-1].round_number:d} ({rounds[-1].answered:d} answers)",
                value=True,
                key=PREFILL.key,
                help="Every copied answer is marked 'carried over' until someone confirms or changes it.",
            )
        widgets.bank_picker("Question bank", BANK, banks)
        st.text_input(
            "Name of the round (optional)",
            key=LABEL.key,
            max_chars=200,
            placeholder="e.g. Q3 review",
        )
        st.button(
            title,
            key="rounds_start",
            type="secondary" if rounds else "primary",
            icon=":material/add_task:",
            on_click=actions.start_next_round,
            args=(actor, team_id),
            disabled=not may_manage,
        )


def carried(latest: AssessmentSummary) -> None:
    """The latest round's answers still copied from the round before, with confirm buttons."""
    with db.read_session(engine) as session:
        keys = carried_over_keys(session, assessment_id=latest.id)
        data = load_assessment(session, assessment_id=latest.id) if keys else None
    if data is None:
        return
    with st.container(border=True):
        st.subheader(f"Round {latest.round_number:d}: {len(keys)} answer(s) carried over", anchor=False)
        st.caption(
            "These are last round's answers. Confirm the ones that still hold; change the others on the "
            "Assess page (a changed answer is confirmed by saving it)."
        )
        shorts = {k: views.answer_line(data, k) for k in keys}
        st.multiselect(
            "Answers to confirm",
            keys,
            format_func=shorts.__getitem__,
            key=CONFIRM.key,
            disabled=not may_answer,
        )
        left, right, link = st.columns([1.2, 1.2, 2], vertical_alignment="center")
        left.button(
            "Confirm selected",
            key="rounds_confirm",
            on_click=actions.confirm,
            args=(actor, latest.id, False),
            disabled=not may_answer,
        )
        right.button(
            "Confirm all",
            key="rounds_confirm_all",
            on_click=actions.confirm,
            args=(actor, latest.id, True),
            disabled=not may_answer,
        )
        link.page_link(
            state.ASSESS_PAGE,
            label="Review them on the Assess page",
            icon=":material/edit_note:",
            query_params={state.ASSESSMENT_PARAM: str(latest.id)},
        )


def choose_pair(rounds: list[AssessmentSummary]) -> tuple[int, int]:
    """Two round pickers, defaulting to the last two rounds."""
    labels = {r.id: f"Round {r.round_number}" + (f" · {r.label}" if r.label else "") for r in rounds}
    ids = list(labels)
    BEFORE.keep_within(labels, ids[-2])
    AFTER.keep_within(labels, ids[-1])
    left, right = st.columns(2)
    before: int = left.selectbox("Earlier round", ids, format_func=labels.__getitem__, key=BEFORE.key)
    after: int = right.selectbox("Later round", ids, format_func=labels.__getitem__, key=AFTER.key)
    return before, after


def compare_completed(rounds: list[AssessmentSummary]) -> None:
    """Compare two completed rounds; a round still in progress is named, never compared (it would read as a fall)."""
    done = [r for r in rounds if r.status == "completed"]
    open_rounds = [r for r in rounds if r.status != "completed"]
    for r in open_rounds:
        st.caption(
            f":material/pending: Round {r.round_number:d} is in progress ({r.answered:d} answered): "
            "it is compared once it is completed."
        )
    if len(done) >= 2:
        st.subheader("Compare two completed rounds", anchor=False)
        before_id, after_id = choose_pair(done)
        if before_id == after_id:
            st.info("Pick two different rounds to compare.", icon=":material/compare_arrows:")
        else:
            with db.read_session(engine) as session:
                comparison: RoundComparison = compare_rounds(session, first_id=before_id, second_id=after_id)
            views.show_comparison(comparison)
    elif rounds:
        st.caption("Once the team has completed a second round, this page shows what moved between them.")


st.subheader(f"{plain(teams[team_id])}: {len(rounds)} round(s)", anchor=False)
if rounds:
    carried(rounds[-1])
compare_completed(rounds)  # what a leader comes for, before the card that starts a round
next_round(rounds)
