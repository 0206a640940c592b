"""Who is using the app: the local user, or (shared mode) the person signed in with OpenID Connect.

Streamlit's native sign-in does the protocol (`st.login`, `st.user`, `st.logout`,
configured in `.streamlit/secrets.toml`); the app never sees a password. The
address the provider vouches for becomes an `Actor`, and every domain call
checks that actor's role. `gate` runs in the router before any page: in shared
mode, only workshop participant links work without signing in.
"""

from __future__ import annotations

from typing import NoReturn

import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.navigation.page import StreamlitPage

from assessment.access.policy import Actor, bind, local_actor, signed_in
from assessment.core.config import get_settings
from assessment.core.errors import FoundationsError

PUBLIC_PAGES = frozenset({"join"})  # url_path of the workshop participant page: its link is the key


def _logged_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:
        return False


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def current_actor() -> Actor | None:
    """The actor of this browser session; None in shared mode until someone signs in with an address."""
    if not get_settings().shared:
        return local_actor()
    email = st.user.get("email") if _logged_in() else None
    try:
        return signed_in(email) if isinstance(email, str) else None
    except FoundationsError:
        return None


def as_signed_in(engine: Engine) -> Engine:
    """The engine as this session's actor sees the database (unchanged in local mode)."""
    return bind(engine, current_actor()) if get_settings().shared else engine


def author() -> str:
    """The name recorded on what this session writes: the signed-in address, or local mode's user."""
    who = current_actor()
    return str(who) if who is not None else get_settings().default_user


def actor() -> Actor:
    """The signed-in actor, for pages behind the gate (which guarantees there is one)."""
    found = current_actor()
    if found is None:
        _sign_in_screen()
    return found


def _sign_in_screen() -> NoReturn:
    st.title("Foundations", anchor=False)
    if _logged_in():  # signed in, but the provider did not share a usable e-mail address
        st.error(
            "Your sign-in provider did not tell us your e-mail address, so we cannot find your "
            "organisations. Ask the administrator to request the `email` scope.",
            icon=":material/mail:",
        )
        st.button("Sign out", key="auth_sign_out", on_click=st.logout)
        st.stop()
    st.markdown("This Foundations install is shared between organisations. Sign in to see yours.")
    if _auth_configured():
        st.button("Sign in", key="auth_sign_in", type="primary", icon=":material/login:", on_click=st.login)
    else:
        st.error(
            "Sign-in is not configured yet: add an `[auth]` section to `.streamlit/secrets.toml` "
            "(see `.streamlit/secrets.example.toml`).",
            icon=":material/settings:",
        )
    st.caption("Workshop participants do not sign in: open the join link the facilitator shared.")
    st.stop()


def creates_organisations() -> bool:
    """Local mode's user and install administrators create organisations (and load the demo one)."""
    who = current_actor()
    return who is not None and (who.local or who.is_admin)


def stop_unless_creating_organisations() -> None:
    """A signed-in person without any organisation: say how to get in, instead of offering to create one."""
    if creates_organisations():
        return
    who = current_actor()
    st.title("Foundations", anchor=False)
    st.info(
        f"You are signed in as {who}, but you do not belong to an organisation here yet. Ask an owner of "
        "your organisation to invite this address on the Access page.",
        icon=":material/group_add:",
    )
    st.stop()


def gate(page: StreamlitPage) -> None:
    """Before any page: in shared mode, sign in first (except on participant links), then show who is signed in."""
    if not get_settings().shared or page.url_path in PUBLIC_PAGES:
        return
    who = actor()
    bar = st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center")
    bar.caption(f"Signed in as {who.email}" + (" (administrator)" if who.is_admin else ""))
    bar.button("Sign out", key="auth_sign_out", type="tertiary", icon=":material/logout:", on_click=st.logout)
