"""Pages that exist only for some people: built after sign-in, from the database.

Kept apart from `auth` so the dependency runs one way: `database` binds engines
with `auth`'s actor, and this module needs both.
"""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from assessment.access.policy import Action, may, visible_organisations
from assessment.core import db
from assessment.core.config import get_settings
from ui import database
from ui.identity import current_actor

ACCESS_PAGE = "ui/pages/access.py"


def shared_pages() -> list[StreamlitPage]:
    """The owners' page: "Access" in shared mode (owners and administrators), "Organisation" in local mode.

    A local install has no members to manage, but its user still owns the report branding.
    """
    if not get_settings().shared:
        return [st.Page(ACCESS_PAGE, title="Organisation", icon=":material/domain:")]
    who = current_actor()
    if who is None:
        return []
    with db.read_session(database.engine()) as session:
        owner = who.is_admin or any(
            may(session, who, Action.MANAGE_MEMBERS, o.id) for o in visible_organisations(session, who)
        )
    return [st.Page(ACCESS_PAGE, title="Access", icon=":material/admin_panel_settings:")] if owner else []
