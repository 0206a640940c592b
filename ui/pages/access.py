"""Access: members and roles, invitations, report branding, the audit log (owners and administrators).

In a local install the page is called Organisation and has no members to manage.

Every change goes through `assessment.organisations.members`, which checks the role
again: the page only decides what to draw.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from assessment.access.policy import ALLOWED, PHRASES, Action, Role, may, visible_organisations
from assessment.core import db
from assessment.core.config import get_settings
from assessment.core.errors import FoundationsError
from assessment.organisations.members import audit_log, create_organisation, grant, members, revoke
from ui import auth, database, state, widgets
from ui.components.access.branding import branding_section
from ui.state import Slot, SlotFamily
from ui.text import plain, sentence

ORG = Slot[int | None]("acc_org", None)
EMAIL = Slot[str]("acc_email", "")  # the invitation form
ROLE = Slot[str | None]("acc_role", None)
NEW_ORG = Slot[str]("acc_new_org", "")  # administrators' "new organisation"
MEMBER_ROLE = SlotFamily[str | None]("acc_role:{}", None)  # one role picker per member, keyed by address
ROLE_HELP = {role: "may " + ", ".join(PHRASES[a] for a in Action if a in ALLOWED[role]) for role in Role}

engine = database.engine()
who = auth.actor()


def _run(change: str, *args: object) -> None:
    """Callback: make one change and leave its outcome as a notice for the next run."""
    try:
        said = _CHANGES[change](*args)
    except FoundationsError as exc:
        state.set_notice("error", sentence(str(exc)))
        return
    state.set_notice("success", said)


def _invite(org_id: int) -> str:
    said = grant(
        engine,
        actor=who,
        organisation_id=org_id,
        email=EMAIL.get(),
        role=ROLE.get() or Role.MEMBER,
    )
    EMAIL.set("")
    return said


def _change_role(org_id: int, email: str) -> str:
    return grant(engine, actor=who, organisation_id=org_id, email=email, role=MEMBER_ROLE(email).get() or "")


def _remove(org_id: int, email: str) -> str:
    return revoke(engine, actor=who, organisation_id=org_id, email=email)


def _create() -> str:
    org_id = create_organisation(engine, actor=who, name=NEW_ORG.get())
    NEW_ORG.set("")
    ORG.set(org_id)
    return "Organisation created. Invite its first owner below."


_CHANGES: dict[str, Callable[..., str]] = {
    "invite": _invite,
    "role": _change_role,
    "remove": _remove,
    "create": _create,
}


def managed_organisations() -> dict[int, str]:
    with db.read_session(engine) as session:
        return {
            o.id or 0: o.name
            for o in visible_organisations(session, who)
            if may(session, who, Action.MANAGE_MEMBERS, o.id)
        }


def member_rows(org_id: int) -> None:
    for m in members(engine, actor=who, organisation_id=org_id):
        email, role, change, remove = st.columns([3, 2, 1, 1], vertical_alignment="center")
        email.markdown(plain(m.email))
        role.selectbox(
            "Role",
            [r.value for r in Role],
            index=list(Role).index(m.role),
            key=MEMBER_ROLE(m.email).key,
            label_visibility="collapsed",
        )
        change.button("Change", key=f"acc_change:{m.email}", on_click=_run, args=("role", org_id, m.email))
        remove.button("Remove", key=f"acc_remove:{m.email}", on_click=_run, args=("remove", org_id, m.email))


def invite_form(org_id: int) -> None:
    with st.form("acc_invite", border=True):
        st.markdown("**Invite by e-mail address**: the address the person signs in with.")
        email, role = st.columns([3, 2])
        email.text_input("E-mail address", key=EMAIL.key, max_chars=254, placeholder="name@example.org")
        role.selectbox("Role", [r.value for r in Role], index=2, key=ROLE.key)
        st.form_submit_button(
            "Invite", type="primary", icon=":material/person_add:", on_click=_run, args=("invite", org_id)
        )
    st.caption("  \n".join(f"**{plain(r.value)}**: {plain(ROLE_HELP[r])}" for r in Role))


def audit(org_id: int) -> None:
    rows = audit_log(engine, actor=who, organisation_id=org_id)
    if not rows:
        st.caption("Nothing recorded yet.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "When": widgets.local_time(r.at),
                    "Who": r.actor,
                    "What": r.action.replace("_", " "),
                    "Outcome": r.outcome,
                    "On": r.target,
                    "Detail": r.detail,
                }
                for r in rows
            ]
        ),
        hide_index=True,
        width="stretch",
    )


shared = get_settings().shared
st.title("Access" if shared else "Organisation", anchor=False)
widgets.show_notice()
if who.is_admin:
    with st.expander("New organisation (install administrators)", icon=":material/domain_add:"):
        st.text_input("Organisation name", key=NEW_ORG.key, max_chars=200)
        st.button("Create organisation", key="acc_create", on_click=_run, args=("create",))
orgs = managed_organisations()
if not orgs:
    st.info(
        "You do not own an organisation here. An owner manages its members on this page.",
        icon=":material/info:",
    )
    st.stop()
ORG.keep_within(orgs, next(iter(orgs)))
org_id: int = st.selectbox("Organisation", list(orgs), format_func=orgs.__getitem__, key=ORG.key)
if shared:  # a local install has one user, who owns everything
    st.subheader("Members", anchor=False)
    member_rows(org_id)
    invite_form(org_id)
st.subheader("Report branding", anchor=False)
branding_section(engine, who, org_id, orgs[org_id])
st.subheader("Audit log", anchor=False)
st.caption("Refused actions, changes of members and of the branding, newest first.")
audit(org_id)
