"""Start: pick or create an organisation and a team, then start a new round or resume one."""

from __future__ import annotations

import streamlit as st

from assessment.assessments.banks import organisation_banks
from assessment.assessments.repository import AssessmentSummary, list_assessments
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.models.assessments import Organisation, Team
from assessment.organisations.directory import list_organisations, list_teams
from ui import auth, database, state, widgets
from ui.components.start import actions
from ui.components.start.state import BANK, FIRST_ORG, FIRST_TEAM, NEW_ORG, NEW_TEAM, ORG, TEAM
from ui.text import plain

engine = database.engine()
state.follow_pending_page()

with db.read_session(engine) as session:
    organisations = list_organisations(session)
    summaries = list_assessments(session)


def welcome() -> None:
    """An empty database: lead straight into the first assessment, with the demo one click away."""
    st.subheader("Start your first assessment", anchor=False)
    st.markdown(
        "Name your organisation and the team (or service) being assessed. "
        "Answers are saved as you give them, so you can stop and come back at any time."
    )
    with st.form("first_assessment", border=True):
        st.text_input("Organisation", key=FIRST_ORG.key, placeholder="e.g. Northwind Streaming", max_chars=200)
        st.text_input("Team or service", key=FIRST_TEAM.key, placeholder="e.g. Payments", max_chars=200)
        st.form_submit_button(
            "Start assessment",
            type="primary",
            icon=":material/play_arrow:",
            on_click=actions.start_first_assessment,
        )
    st.markdown("Want to look around first? Load a demo organisation with five teams at different maturity.")
    st.button("Load demo data", key="load_demo", icon=":material/dataset:", on_click=actions.load_demo_data)


def choose_organisation(orgs: list[Organisation]) -> int:
    """The organisation selector with a 'new organisation' popover; returns the chosen id."""
    names = {org.id or 0: org.name for org in orgs}
    ORG.keep_within(names, next(iter(names)))
    pick, add = st.columns([4, 1], vertical_alignment="bottom")
    chosen: int = pick.selectbox("Organisation", list(names), format_func=names.__getitem__, key=ORG.key)
    # a form, so that Enter in the name creates it
    with add.popover("New", icon=":material/add:", width="stretch"), st.form("new_organisation", border=False):
        st.text_input("New organisation", key=NEW_ORG.key, max_chars=200)
        st.form_submit_button("Create organisation", key="create_org", on_click=actions.create_organisation)
    return chosen


def choose_team(organisation_id: int, teams: list[Team]) -> int | None:
    """The team selector with a 'new team' popover; returns the chosen id (None: no team yet)."""
    names = {team.id or 0: team.name for team in teams}
    pick, add = st.columns([4, 1], vertical_alignment="bottom")
    chosen: int | None = None
    if names:
        TEAM.keep_within(names, next(iter(names)))
        chosen = pick.selectbox("Team", list(names), format_func=names.__getitem__, key=TEAM.key)
    else:
        # a box of its own: the browser kept showing the team of the organisation chosen before in the keyed one
        TEAM.set(None)
        pick.selectbox("Team", [], key="start_team_none", placeholder="Add a team to start", disabled=True)
    with add.popover("New", icon=":material/add:", width="stretch"), st.form("new_team", border=False):
        st.text_input("New team", key=NEW_TEAM.key, max_chars=200)
        st.form_submit_button("Create team", key="create_team", on_click=actions.create_team, args=(organisation_id,))
    return chosen


def progress_text(summary: AssessmentSummary) -> str:
    """'20 of 34 answered' for the shipped bank, '20 answered' for any other."""
    bank = default_bank()
    if summary.bank == f"{bank.id} {bank.version}":
        return f"{summary.answered:d} of {len(bank.questions)} answered"
    return f"{summary.answered:d} answered"


def round_card(summary: AssessmentSummary) -> None:
    """One round: what it is, how far it got, and links to continue or see its results."""
    link = {state.ASSESSMENT_PARAM: str(summary.id)}
    done = summary.status == "completed"
    with st.container(border=True):
        text, go_on, results = st.columns([4, 1.3, 1.1], vertical_alignment="center")
        title = f"**Round {summary.round_number:d}**" + (f" · {plain(summary.label)}" if summary.label else "")
        text.markdown(title)
        text.caption(
            f"{'Complete' if done else 'In progress'} · {progress_text(summary)} · "
            f"started {summary.created_at:%d %b %Y}"
        )
        go_on.page_link(
            state.ASSESS_PAGE,
            label="Review" if done else "Continue",
            icon=":material/edit_note:",
            query_params=link,
        )
        results.page_link(state.RESULTS_PAGE, label="Results", icon=":material/insights:", query_params=link)


def team_rounds(team_id: int, team_name: str, organisation_id: int) -> None:
    """The team's rounds, newest first, and the button that starts the next one (with a bank picker, if any)."""
    rounds = [s for s in summaries if s.team_id == team_id]
    with db.read_session(engine) as session:
        banks = organisation_banks(session, organisation_id=organisation_id)
    st.subheader(f"{plain(team_name)}: rounds", anchor=False)
    if not rounds:
        st.caption("No rounds yet. A round is one assessment of this team; later rounds show what moved.")
    for summary in reversed(rounds):
        round_card(summary)
    if len(banks) > 1:  # the organisation published a bank of its own
        widgets.bank_picker("Question bank of the next round", BANK, banks)
    st.button(
        f"Start round {len(rounds) + 1}",
        key="start_round",
        type="primary",
        icon=":material/add_task:",
        on_click=actions.start_round,
        args=(team_id,),
    )


def in_progress_list() -> None:
    """Every unfinished round, one click from where it was left."""
    open_rounds = [s for s in summaries if s.status != "completed"]
    st.subheader("Pick up where you left off", anchor=False)
    if not open_rounds:
        st.caption("No round is in progress.")
    for summary in open_rounds:
        st.page_link(
            state.ASSESS_PAGE,
            label=f"{plain(summary.team)}, round {summary.round_number:d}",
            icon=":material/pending_actions:",
            query_params={state.ASSESSMENT_PARAM: str(summary.id)},
            help=f"{plain(summary.organisation)} · {progress_text(summary)}",
        )


def demo_card(loaded: bool) -> None:
    with st.container(border=True):
        st.markdown("**Demo data**")
        st.caption(f"{DEMO_ORG}: five teams from weak to proven, some with two rounds to compare.")
        st.button(
            "Demo data loaded" if loaded else "Load demo data",
            key="load_demo",
            icon=":material/dataset:",
            on_click=actions.load_demo_data,
            disabled=loaded,
        )


st.title("Foundations", anchor=False)
st.markdown(
    "Find out whether a team has the failure-tolerance foundations that make deployment autonomy safe, "
    "and what to build first."
)
widgets.show_notice()

if not organisations:
    auth.stop_unless_creating_organisations()  # shared mode: an owner must invite you first
    welcome()
else:
    left, right = st.columns([3, 1.3], gap="large")
    with left:
        org_id = choose_organisation(organisations)
        with db.read_session(engine) as session:
            teams = list_teams(session, organisation_id=org_id)
        team_id = choose_team(org_id, teams)
        if team_id is not None:
            team_rounds(team_id, next(t.name for t in teams if t.id == team_id), org_id)
    with right:
        in_progress_list()
        if auth.creates_organisations():  # loading the demo creates an organisation
            demo_card(any(o.name == DEMO_ORG for o in organisations))
