"""Create a workshop from the Workshop page: the form, and the panel that shows the key once.

The domain (`create_workshop`) checks every input and the actor's role and writes
nothing on any error; this module only gathers the form's values, shows the
domain's message in plain words, and keeps what creation returned in this tab's
session state until the facilitator opens the dashboard or starts another one.
The facilitator key is never put in the address, a query parameter or a log: it
is shown once on the page (it has to be, to be copied) and handed to the
dashboard through session state.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.core.types import utcnow
from assessment.organisations.directory import MAX_NAME, list_organisations, list_teams
from assessment.workshops.access import InvalidLinkError
from assessment.workshops.admin import DEFAULT_VALID_DAYS, MAX_VALID_DAYS, CreatedWorkshop, create_workshop
from assessment.workshops.facilitator import WorkshopOverview, overview
from assessment.workshops.links import JOIN_PATH, join_link
from ui import auth, widgets
from ui.components.workshop import state as ws
from ui.components.workshop import widgets as ww
from ui.text import plain, sentence

OPEN_MODE, CREATE_MODE = "Open a workshop", "Create a workshop"
NEW_ORG = 0  # the "new organisation" choice; stored ids start at 1
SUBMIT_LABEL = "Create the workshop"


def new_team_names(text: str | None) -> list[str]:
    """Team names typed one per line; blank lines are layout, not teams (the domain checks the rest)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def create(engine: Engine, organisation: str | None, organisation_id: int) -> None:
    """Form callback: create the workshop, or leave the domain's message beside the form (nothing is saved)."""
    ws.CREATE_ERROR.pop()
    days = ws.CREATE_DAYS.get() or 0  # an emptied field reads as 0 days, which the domain refuses
    teams = [*(ws.CREATE_TEAMS(organisation_id).get() or []), *new_team_names(ws.CREATE_NEW_TEAMS.get())]
    try:
        with db.write_session(engine) as session:
            created = create_workshop(
                session,
                organisation=organisation if organisation is not None else ws.CREATE_NEW_ORG.get(),
                teams=teams,
                bank=default_bank(),
                facilitator=auth.author(),
                title=ws.CREATE_TITLE.get(),
                valid_days=int(days),
            )
    except FoundationsError as exc:  # bad input or a refused role: the same plain sentence, nothing written
        ws.CREATE_ERROR.set(sentence(str(exc)))
        return
    ws.keep_created(created)
    ws.CREATE_ORG.set(created.organisation_id)
    for field in (ws.CREATE_NEW_ORG, ws.CREATE_NEW_TEAMS, ws.CREATE_TITLE):
        field.set("")
    ws.CREATE_TEAMS(organisation_id).set([])
    ws.CREATE_DAYS.set(DEFAULT_VALID_DAYS)


def create_form(engine: Engine) -> None:
    """Organisation (an existing one, or a new name where allowed), teams, title, days; then create."""
    with db.read_session(engine) as session:
        names = {org.id or 0: org.name for org in list_organisations(session)}
    options = [*names, *([NEW_ORG] if auth.creates_organisations() else [])]
    if not options:
        st.info(
            "You do not belong to an organisation here yet, so there is nobody to run a workshop for. "
            "Ask an owner of your organisation to invite you on the Access page.",
            icon=":material/group_add:",
        )
        return
    st.caption(
        "Each team gets a new assessment round; participants answer it on their own and you record "
        "the agreed answers. New teams are added to the organisation."
    )
    ws.CREATE_ORG.keep_within(options, options[0])
    org_id: int = st.selectbox(
        "Organisation", options, key=ws.CREATE_ORG.key, format_func=lambda i: names.get(i, "New organisation…")
    )
    teams: list[str] = []
    if org_id != NEW_ORG:
        with db.read_session(engine) as session:
            teams = [team.name for team in list_teams(session, organisation_id=org_id)]
    ws.CREATE_DAYS.set_default(DEFAULT_VALID_DAYS)
    with st.form("wc_form", border=True):
        if org_id == NEW_ORG:
            st.text_input(
                "Name of the new organisation",
                key=ws.CREATE_NEW_ORG.key,
                max_chars=MAX_NAME,
                placeholder="e.g. Northwind Streaming",
            )
        if teams:
            st.multiselect(
                "Teams taking part", teams, key=ws.CREATE_TEAMS(org_id).key, placeholder="Pick existing teams"
            )
        st.text_area(
            "New teams, one per line" if teams else "Teams taking part, one per line",
            key=ws.CREATE_NEW_TEAMS.key,
            height=96,
            placeholder="e.g. Payments\nCheckout",
        )
        title, days = st.columns([3, 1])
        title.text_input(
            "Title (optional)",
            key=ws.CREATE_TITLE.key,
            max_chars=MAX_NAME,
            placeholder=f"{names.get(org_id, 'Organisation')} workshop {utcnow():%Y-%m-%d}",
        )
        days.number_input(
            "Links work for (days)",
            key=ws.CREATE_DAYS.key,
            step=1,
            help=f"1 to {MAX_VALID_DAYS} days; the workshop can be closed or reopened at any time",
        )
        error = ws.CREATE_ERROR.pop()
        if error:
            st.error(error, icon=":material/error:")  # escaped: create() stores sentence(...)
        st.form_submit_button(
            SUBMIT_LABEL,
            type="primary",
            icon=":material/group_add:",
            on_click=create,
            args=(engine, names.get(org_id), org_id),
        )


def created_panel(engine: Engine, created: CreatedWorkshop) -> None:
    """What the facilitator needs right after creation: the join code and link, and the key, once."""
    try:
        with db.read_session(engine) as session:
            ov = overview(session, workshop_id=created.id, key=created.facilitator_key)
    except InvalidLinkError:  # the workshop went away or the role changed since: nothing more to show
        ws.discard_created()
        ww.not_valid()
        return
    st.success(
        f"Workshop {ov.id:d} is open: **{plain(ov.title)}** ({plain(ov.organisation)}) for "
        f"{', '.join(plain(t.team) for t in ov.teams)}. Links work until {widgets.local_time(ov.expires_at)}.",
        icon=":material/check_circle:",
    )
    people, facilitator = st.columns(2, gap="large")
    with people.container(border=True):
        participants(ov)
    with facilitator.container(border=True):
        key_once(created)
    buttons = st.container(horizontal=True)
    buttons.button(
        "Open the dashboard",
        key="wc_open",
        type="primary",
        icon=":material/monitoring:",
        on_click=ws.open_created,
    )
    buttons.button(
        "Create another workshop",
        key="wc_another",
        icon=":material/add:",
        on_click=ws.discard_created,
        help="The facilitator key above can no longer be shown after this",
    )


def participants(ov: WorkshopOverview) -> None:
    """The join code large enough to read off a projector, and the link in a copyable block."""
    st.subheader("For participants", anchor=False)
    st.caption("Join code")
    st.title(ov.join_code, anchor=False)  # escaped: a join code is letters, digits and one hyphen
    base = ww.app_address()
    st.markdown(
        f"Participants open this link, or open {plain(base)}/{JOIN_PATH} and type the code. "
        "They give a display name, pick their team and answer on their own."
    )
    st.code(join_link(base, ov.join_code.replace("-", "")), language=None, wrap_lines=True)


def key_once(created: CreatedWorkshop) -> None:
    st.subheader("Facilitator key", anchor=False)
    st.warning(
        "Shown only this once. Foundations keeps only a hash of the key, so it cannot show it again: "
        "copy it now and keep it private. With the workshop number it opens the dashboard, which shows "
        "every participant's individual answers. Project the dashboard, not this screen.",
        icon=":material/key:",
    )
    st.code(created.facilitator_key, language=None)
    st.caption(
        f"Workshop number {created.id:d} · a lost key is replaced on the server with "
        f"`foundations workshop reset-key {created.id:d}`"
    )
