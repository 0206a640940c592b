"""Facilitate a workshop: create or open one, then the join code, each team's live spread, the agreed answers.

Who opens the dashboard (`?w=ID` in the address, never a key): whoever may run
workshops in the organisation (the local user at this machine, or a person signed
in with that role), or someone holding the facilitator key, typed into the form
or handed over from creating the workshop here (`ui.components.workshop.create`).
The key stays in this tab's session state, and a ticket made from it in a
browser-session cookie (`ui.components.workshop.ticket`), so a refresh keeps the
dashboard open without the key ever being in a link, on the projected screen or in
the history. Whoever may run workshops can issue a new key here. Every call to the
domain passes the id and the key, ticket or nothing (the role), checked each time.
"""

from __future__ import annotations

import streamlit as st

from assessment.access import policy
from assessment.access.policy import Action, may, organisation_of
from assessment.bank.model import Question
from assessment.core import db
from assessment.core.config import get_settings
from assessment.core.errors import FoundationsError
from assessment.core.types import utcnow
from assessment.workshops.access import InvalidLinkError, session_ticket
from assessment.workshops.admin import any_workshop
from assessment.workshops.dashboard import QuestionSpread, TeamDashboard, individual_answers, team_dashboard
from assessment.workshops.facilitator import (
    WorkshopOverview,
    issue_new_key,
    overview,
    record_agreed_answer,
    set_open,
)
from assessment.workshops.links import join_link
from reports.charts.workshop import answer_spread_chart
from ui import auth, database, reach, widgets
from ui.components.assess.answer_fields import compose, widget_values
from ui.components.workshop import board as board_view
from ui.components.workshop import create, ticket
from ui.components.workshop import state as ws
from ui.components.workshop import widgets as ww
from ui.components.workshop.state import Access
from ui.text import plain, question_sentence, text_table

REFRESH_SECONDS = 5

engine = database.engine()


def start_screen() -> None:
    """No workshop unlocked in this tab: open one with its number and key, or create one."""
    st.title("Facilitate a workshop", anchor=False)
    if reach.guest():  # local mode, from another machine: a key opens a dashboard, nothing creates one
        key_form()
        return
    with db.read_session(engine) as session:
        first = not any_workshop(session)
    mode = st.segmented_control(
        "What to do",
        [create.OPEN_MODE, create.CREATE_MODE],
        key=ws.MODE.key,
        default=create.CREATE_MODE if first else create.OPEN_MODE,  # nothing to open yet: lead with creating
        required=True,
        label_visibility="collapsed",
    )
    created = ws.created()
    if mode != create.CREATE_MODE:
        key_form()
    elif created is not None:
        create.created_panel(engine, created)
    else:
        create.create_form(engine)


def key_form() -> None:
    ws.FORM_ID.set_default(st.query_params.get("w", ""))
    with st.form("wf_key_form"):
        st.text_input("Workshop number", key=ws.FORM_ID.key, max_chars=12)
        st.text_input(
            "Facilitator key",
            key=ws.FORM_KEY.key,
            type="password",
            help="Shown once when the workshop was created (here or by `foundations workshop create`). "
            "A lost key: whoever may run workshops opens this page signed in and issues a new one "
            "(New key), or runs `foundations workshop reset-key`.",
        )
        st.form_submit_button("Open the dashboard", type="primary", on_click=ws.unlock)


def issue_key(workshop_id: int) -> None:
    """Button callback: a new facilitator key (the old one and its tickets stop working), shown once below."""
    try:
        with db.write_session(engine) as session:
            key = issue_new_key(session, workshop_id=workshop_id)
    except InvalidLinkError:
        return  # the role changed meanwhile: the next run shows the "not valid" page
    ws.NEW_KEY.set(key)
    ws.remember((workshop_id, key))


def new_key_panel() -> None:
    key = ws.NEW_KEY.pop()
    if key is None:
        return
    st.warning(
        "A new facilitator key: shown only this once. The old key no longer opens this dashboard. "
        "Give it only to someone who may see every participant's individual answers.",
        icon=":material/key:",
    )
    st.code(key, language=None)


def may_issue_keys(workshop_id: int) -> bool:
    """Whether this person may run workshops here (a guest holding a key may not issue a new one)."""
    if reach.guest():
        return False
    with db.read_session(engine) as session:
        return may(session, None, Action.RUN_WORKSHOPS, organisation_of(session, policy.workshop(workshop_id)))


def toggle_open(access: Access, is_open: bool) -> None:
    with db.write_session(engine) as session:
        set_open(session, workshop_id=access[0], key=access[1], is_open=is_open)


def header(ov: WorkshopOverview, access: Access) -> None:
    st.title(plain(ov.title), anchor=False)
    state = "open" if ov.accepting_participants else ("closed" if ov.status == "closed" else "expired")
    st.caption(f"{plain(ov.organisation)} · {state} · links work until {widgets.local_time(ov.expires_at)}")
    code, link, action = st.columns([1, 2, 1], vertical_alignment="center")
    code.metric("Join code", ov.join_code if ov.accepting_participants else "closed")  # escaped: [A-Z0-9-]
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
    if ov.id and may_issue_keys(ov.id):
        buttons.button(
            "New key",
            icon=":material/key:",
            on_click=issue_key,
            args=(ov.id,),
            help="Issue a new facilitator key; the old one stops working",
        )
    buttons.button(
        "Leave", icon=":material/logout:", on_click=ws.leave, args=(ov.id,), help="Close the dashboard in this browser"
    )


def pick_team(ov: WorkshopOverview) -> int:
    ids = [t.workshop_team_id for t in ov.teams]
    ws.TEAM.keep_within(ids, ids[0])
    names = {t.workshop_team_id: t.team for t in ov.teams}  # stable labels keep the selection across reruns
    chosen = st.segmented_control("Team", ids, key=ws.TEAM.key, format_func=lambda i: plain(names[i]), required=True)
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
        people.table(text_table(rows.set_index("Participant")))  # plain HTML: readable on a projector, names as text
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
    if ws.QUESTION.get() not in keys or ws.QUESTION_TEAM.get() != board.workshop_team_id:
        ws.QUESTION.set(board.questions[0].question.key)  # a new team starts where it disagrees
        ws.QUESTION_TEAM.set(board.workshop_team_id)
    numbers = {k: n for n, k in enumerate(keys, start=1)}
    chosen = st.selectbox(
        "Question to settle",
        keys,
        key=ws.QUESTION.key,
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
    st.altair_chart(answer_spread_chart(spread.buckets), width="stretch")
    st.caption(
        f"{spread.answered:d} answered · median {spread.median:.0f} · spread (IQR) {spread.iqr:.0f} · "
        f"range {spread.score_range:.0f}"
        if spread.median is not None
        else f"{spread.answered:d} answered"
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
    answer = compose(question, ws.AGREED.values(question))
    if answer is None:
        ws.NOTICE.set(("error", "Choose the agreed answer first."))
        return
    try:
        with db.write_session(engine) as session:
            record_agreed_answer(
                session,
                workshop_id=access[0],
                key=access[1],
                workshop_team_id=team_id,
                question_key=question.key,
                answer=answer,
                expected_version=expected_version,
                by=str(ws.BY.get() or "").strip() or "facilitator",
            )
    except InvalidLinkError:
        return  # the next run shows the "not valid" page
    except FoundationsError as exc:  # also AgreedAnswerConflict: someone recorded this answer first
        ws.NOTICE.set(("error", question_sentence(str(exc), question.key)))
        return
    ws.NOTICE.set(("success", f"Recorded: {plain(question.short)}."))


def agree_form(access: Access, team_id: int, spread: QuestionSpread) -> None:
    question, agreed = spread.question, spread.agreed
    if agreed:
        st.markdown(f"**Agreed so far:** {plain(agreed.text)}")
        st.caption(
            f"Recorded by {plain(agreed.by)} at {widgets.local_time(agreed.at)}"
            + (f" · {plain(agreed.answer.note)}" if agreed.answer.note else "")
        )
    else:
        st.markdown("**Nothing agreed yet.**")
    if ws.FILLED.get() != (team_id, question.key):
        ws.AGREED.fill(question, widget_values(question, agreed.answer if agreed else None))
        ws.FILLED.set((team_id, question.key))
    # the answer outside the form: choosing "not applicable" reruns and asks for its reason; nothing else does
    ww.answer_inputs(ws.AGREED, question)
    with st.form("wf_agree_form"):
        st.text_area("Note: why the room settled here", key=ws.AGREED.key("note", question.key), height=80)
        st.text_input(
            "Recorded by",
            key=ws.BY.key,
            max_chars=200,
            help="In a shared install the answer is recorded by you, the person signed in; "
            "another name typed here is kept in the note.",
        )
        st.form_submit_button(
            "Record agreed answer",
            type="primary",
            on_click=record,
            args=(access, team_id, question, spread.agreed_version),
        )
    notice = ws.NOTICE.pop()
    if notice and notice[0] == "success":
        st.success(notice[1])  # escaped: record() stores Markdown made with plain and sentence
    elif notice:
        st.error(notice[1])  # escaped: record() stores Markdown made with plain and sentence


def requested_access() -> Access | None:
    """This tab's key; else the browser's ticket for the workshop in the address; else the person's role."""
    access = ws.requested_access()
    if access is not None or ws.LEFT.get():
        return access
    wanted = ws.requested_workshop()
    if wanted is None:
        return None
    held = ticket.stored(wanted)
    if held is not None:
        return (wanted, held)
    return None if reach.guest() else (wanted, None)


def keep_ticket(access: Access) -> None:
    """After a key opened the dashboard: a ticket in this browser, so a refresh keeps it open."""
    workshop_id, key = access
    if workshop_id is None or key is None or ticket.TICKET_FORMAT.fullmatch(key) or ws.TICKETED.get() == access:
        return
    with db.read_session(engine) as session:
        ticket.keep(workshop_id, session_ticket(session, workshop_id=workshop_id, key=key))
    ws.TICKETED.set((workshop_id, key))


def page() -> None:
    departed = ws.LEFT_FROM.pop()
    if departed is not None:  # "Leave" was pressed: the browser's ticket goes too
        ticket.forget(departed)
    if ws.drop_key_from_address():
        st.info("A facilitator key is never read from a link: type it below.", icon=":material/key:")
    access = requested_access()
    if access is None:
        start_screen()
        return
    try:
        with db.read_session(engine) as session:
            ov = overview(session, workshop_id=access[0], key=access[1])
    except InvalidLinkError:
        ws.forget_access()
        if access[1] is not None:  # a key or ticket that does not open it; no role is simply asked for a key
            if access[0] is not None and ticket.TICKET_FORMAT.fullmatch(access[1]):
                ticket.forget(access[0])  # expired, or the key was replaced
            ww.not_valid()
        start_screen()
        return
    keep_ticket(access)
    ws.discard_created()  # a dashboard is open: a key from creating is not shown again
    ws.BY.set_default(auth.author() if get_settings().shared else ov.facilitator)
    header(ov, access)
    new_key_panel()
    team_id = pick_team(ov)
    live = st.toggle(f"Live (refresh every {REFRESH_SECONDS} s)", key=ws.LIVE.key, value=True)
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
