"""Facilitate a workshop: create or open one, then the join code, each team's live spread, the agreed answers.

The facilitator key arrives once in the link (`?w=ID&key=KEY`), through the form,
or from creating the workshop on this page (`ui.components.workshop.create`).
It is then kept in this tab's session state and removed from the address bar,
because a facilitator usually projects this page: a key in the URL would be on the
wall for the whole room, in screenshots and in the browser history. `w` stays, so a
refresh (which starts a new session) only asks for the key again. Every call to
the domain passes the id and key, which are checked each time.
"""

from __future__ import annotations

import streamlit as st

from assessment.bank.model import Question
from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.core.types import utcnow
from assessment.workshops.access import InvalidLinkError
from assessment.workshops.dashboard import QuestionSpread, TeamDashboard, individual_answers, team_dashboard
from assessment.workshops.facilitator import (
    WorkshopOverview,
    overview,
    record_agreed_answer,
    set_open,
)
from assessment.workshops.links import join_link
from ui import database, widgets
from ui.components.assess.answer_fields import compose
from ui.components.workshop import board as board_view
from ui.components.workshop import create
from ui.components.workshop import widgets as ww
from ui.text import plain, question_sentence

PREFIX = "wf"
ACCESS_KEY, TEAM_KEY, LIVE_KEY, QUESTION_KEY = "wf_access", "wf_team", "wf_live", "wf_question"
BY_KEY, NOTICE_KEY, FILLED_KEY, QUESTION_TEAM_KEY = "wf_by", "wf_notice", "wf_filled", "wf_question_team"
FORM_ID_KEY, FORM_KEY_KEY = "wf_form_id", "wf_form_key"
REFRESH_SECONDS = 5

engine = database.engine()
Access = tuple[int | None, str]


def parse_id(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() and 0 < int(text) < 2**31 else None


def requested_access() -> Access | None:
    """(workshop id, key) for this run; a `w` in the URL other than the one unlocked opens nothing."""
    params = st.query_params
    if "key" in params:
        st.session_state[ACCESS_KEY] = (parse_id(params.get("w")), params["key"])
        del st.query_params["key"]  # out of the address bar, the history entry and the projected screen
    stored: Access | None = st.session_state.get(ACCESS_KEY)
    if stored is None:
        return None
    wanted = params.get("w")
    if wanted is None and stored[0] is not None:
        st.query_params["w"] = str(stored[0])
    return (parse_id(wanted), stored[1]) if wanted is not None else stored


def unlock() -> None:
    """Key form callback: remember what was typed; the next run checks it like any other key."""
    workshop_id = parse_id(str(st.session_state.get(FORM_ID_KEY) or "").strip())
    st.session_state[ACCESS_KEY] = (workshop_id, str(st.session_state.get(FORM_KEY_KEY) or "").strip())
    st.session_state[FORM_KEY_KEY] = ""
    st.query_params["w"] = str(workshop_id or "")


def leave() -> None:
    st.session_state.pop(ACCESS_KEY, None)
    st.query_params.clear()


def open_created() -> None:
    """'Open the dashboard' after creating: the key moves from the created panel to this tab's access, never the URL."""
    created = st.session_state.pop(create.CREATED_KEY, None)
    if created is not None:
        st.session_state[ACCESS_KEY] = (created.id, created.facilitator_key)
        st.query_params["w"] = str(created.id)


def start_screen() -> None:
    """No workshop unlocked in this tab: open one with its number and key, or create one."""
    st.title("Facilitate a workshop", anchor=False)
    mode = st.segmented_control(
        "What to do",
        [create.OPEN_MODE, create.CREATE_MODE],
        key=create.MODE_KEY,
        default=create.OPEN_MODE,
        required=True,
        label_visibility="collapsed",
    )
    if mode != create.CREATE_MODE:
        key_form()
    elif create.CREATED_KEY in st.session_state:
        create.created_panel(engine, open_created)
    else:
        create.create_form(engine)


def key_form() -> None:
    if FORM_ID_KEY not in st.session_state:
        st.session_state[FORM_ID_KEY] = st.query_params.get("w", "")
    with st.form("wf_key_form"):
        st.text_input("Workshop number", key=FORM_ID_KEY, max_chars=12)
        st.text_input(
            "Facilitator key",
            key=FORM_KEY_KEY,
            type="password",
            help="Shown once when the workshop was created (here or by `foundations workshop create`); "
            "a lost key: `foundations workshop reset-key`",
        )
        st.form_submit_button("Open the dashboard", type="primary", on_click=unlock)


def toggle_open(access: Access, is_open: bool) -> None:
    with db.write_session(engine) as session:
        set_open(session, workshop_id=access[0], key=access[1], is_open=is_open)


def header(ov: WorkshopOverview, access: Access) -> None:
    st.title(plain(ov.title), anchor=False)
    state = "open" if ov.accepting_participants else ("closed" if ov.status == "closed" else "expired")
    st.caption(f"{plain(ov.organisation)} · {state} · links work until {widgets.local_time(ov.expires_at)}")
    code, link, action = st.columns([1, 2, 1], vertical_alignment="center")
    code.metric("Join code", ov.join_code if ov.accepting_participants else "closed")
    link.code(join_link(ww.app_address(), ov.join_code.replace("-", "")), language=None)
    buttons = action.container(horizontal=True)
    if ov.status == "closed":
        buttons.button(
            "Reopen",
            icon=":material/lock_open:",
            on_click=toggle_open,
            args=(access, True),
            help="Join code and participant links work again",
        )
    else:
        buttons.button(
            "Close",
            icon=":material/lock:",
            on_click=toggle_open,
            args=(access, False),
            help="Join code and participant links stop working; this dashboard stays",
        )
    buttons.button("Leave", icon=":material/logout:", on_click=leave, help="Forget the key in this tab")


def pick_team(ov: WorkshopOverview) -> int:
    ids = [t.workshop_team_id for t in ov.teams]
    if st.session_state.get(TEAM_KEY) not in ids:
        st.session_state[TEAM_KEY] = ids[0]
    names = {t.workshop_team_id: t.team for t in ov.teams}  # stable labels keep the selection across reruns
    chosen = st.segmented_control("Team", ids, key=TEAM_KEY, format_func=lambda i: names[i], required=True)
    return int(chosen or ids[0])


def live_board(access: Access, team_id: int) -> None:
    """Who has finished and the questions by disagreement; reruns alone, so the rest keeps its place."""
    with db.read_session(engine) as session:
        board = team_dashboard(session, workshop_id=access[0], key=access[1], workshop_team_id=team_id)
    people, table = st.columns([1, 3])
    rows = board_view.participant_rows(board)
    if rows.empty:
        people.info("Nobody from this team has joined yet.", icon=":material/hourglass_empty:")
    else:
        people.table(rows.set_index("Participant"))  # plain HTML: readable on a projector, names as text
    table.dataframe(
        board_view.question_rows(board),
        hide_index=True,
        key="wf_questions",
        height=420,
        column_config={
            "Distribution": st.column_config.BarChartColumn("Distribution", y_min=0),
            "Given": st.column_config.TextColumn("Given", width="medium"),
        },
    )
    st.caption(
        f"Updated {widgets.local_time(utcnow())}. Median and spread are on the 0-100 answer score; "
        "the widest spread comes first."
    )
    st.button("Refresh now", icon=":material/refresh:", type="tertiary", key="wf_refresh")


def pick_question(board: TeamDashboard) -> QuestionSpread:
    """The question being settled; starts at the widest disagreement and then stays put."""
    keys = [q.key for q in board.bank.questions]
    if (
        st.session_state.get(QUESTION_KEY) not in keys
        or st.session_state.get(QUESTION_TEAM_KEY) != board.workshop_team_id
    ):
        st.session_state[QUESTION_KEY] = board.questions[0].question.key  # a new team starts where it disagrees
        st.session_state[QUESTION_TEAM_KEY] = board.workshop_team_id
    numbers = {k: n for n, k in enumerate(keys, start=1)}
    chosen = st.selectbox(
        "Question to settle",
        keys,
        key=QUESTION_KEY,
        format_func=lambda k: f"{numbers[k]}. {board.bank.question(k).short}",
    )
    spread = next(s for s in board.questions if s.question.key == chosen)
    ww.question_heading(numbers[chosen], spread.question)
    return spread


def evidence(access: Access, team_id: int, spread: QuestionSpread) -> None:
    """The spread of this one question, and who said what (the facilitator's eyes only)."""
    if not spread.answered:
        st.info("Nobody in this team has answered this question yet.", icon=":material/hourglass_empty:")
        return
    st.altair_chart(board_view.distribution_chart(spread), width="stretch")
    st.caption(
        f"{spread.answered} answered · median {spread.median:.0f} · spread (IQR) {spread.iqr:.0f} · "
        f"range {spread.score_range}"
        if spread.median is not None
        else f"{spread.answered} answered"
    )
    with st.expander("Individual answers (only you see these)", icon=":material/visibility:"):
        with db.read_session(engine) as session:
            rows = individual_answers(
                session,
                workshop_id=access[0],
                key=access[1],
                workshop_team_id=team_id,
                question_key=spread.question.key,
            )
        for row in rows:
            st.markdown(f"**{plain(row.name)}**: {plain(row.text)}")


def record(access: Access, team_id: int, question: Question, expected_version: int) -> None:
    """Form callback: the room's answer becomes the team's answer, unless someone saved first."""
    answer = compose(question, ww.values(PREFIX, question))
    if answer is None:
        st.session_state[NOTICE_KEY] = ("error", "Choose the agreed answer first.")
        return
    try:
        with db.write_session(engine) as session:
            version = record_agreed_answer(
                session,
                workshop_id=access[0],
                key=access[1],
                workshop_team_id=team_id,
                question_key=question.key,
                answer=answer,
                expected_version=expected_version,
                by=str(st.session_state.get(BY_KEY) or "").strip() or "facilitator",
            )
    except InvalidLinkError:
        return  # the next run shows the "not valid" page
    except FoundationsError as exc:  # also AgreedAnswerConflict: someone recorded this answer first
        st.session_state[NOTICE_KEY] = ("error", question_sentence(str(exc), question.key))
        return
    st.session_state[NOTICE_KEY] = ("success", f"Recorded: {question.short} (version {version}).")


def agree_form(access: Access, team_id: int, spread: QuestionSpread) -> None:
    question, agreed = spread.question, spread.agreed
    if agreed:
        st.markdown(f"**Agreed so far:** {plain(agreed.text)}")
        st.caption(
            f"Recorded by {plain(agreed.by)} at {widgets.local_time(agreed.at)} (version {agreed.version})"
            + (f" · {plain(agreed.answer.note)}" if agreed.answer.note else "")
        )
    else:
        st.markdown("**Nothing agreed yet.**")
    if st.session_state.get(FILLED_KEY) != (team_id, question.key):
        ww.fill(PREFIX, question, agreed.answer if agreed else None)
        st.session_state[FILLED_KEY] = (team_id, question.key)
    with st.form("wf_agree_form"):
        ww.answer_inputs(PREFIX, question, always_reason=True)
        st.text_area("Note: why the room settled here", key=ww.key(PREFIX, "note", question.key), height=80)
        st.text_input("Recorded by", key=BY_KEY, max_chars=200)
        st.form_submit_button(
            "Record agreed answer",
            type="primary",
            on_click=record,
            args=(access, team_id, question, spread.agreed_version),
        )
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        (st.success if notice[0] == "success" else st.error)(notice[1])


def page() -> None:
    access = requested_access()
    if access is None:
        start_screen()
        return
    try:
        with db.read_session(engine) as session:
            ov = overview(session, workshop_id=access[0], key=access[1])
    except InvalidLinkError:
        ww.not_valid()
        start_screen()
        return
    st.session_state.pop(create.CREATED_KEY, None)  # a dashboard is open: a key from creating is not shown again
    st.session_state.setdefault(BY_KEY, ov.facilitator)
    header(ov, access)
    team_id = pick_team(ov)
    live = st.toggle(f"Live (refresh every {REFRESH_SECONDS} s)", key=LIVE_KEY, value=True)
    st.fragment(run_every=REFRESH_SECONDS if live else None)(live_board)(access, team_id)
    st.divider()
    st.subheader("Record the agreed answer", anchor=False)
    with db.read_session(engine) as session:
        board = team_dashboard(session, workshop_id=access[0], key=access[1], workshop_team_id=team_id)
    spread = pick_question(board)
    left, right = st.columns([3, 2], gap="large")
    with right:
        evidence(access, team_id, spread)
    with left:
        agree_form(access, team_id, spread)


page()
