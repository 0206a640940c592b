"""Who is using the app: the local user, or (shared mode) the person signed in with OpenID Connect.

Streamlit's native sign-in does the protocol (`st.login`, `st.user`, `st.logout`,
configured in `.streamlit/secrets.toml`); the app never sees a password. At the
start of every run `identify` checks the ID token's claims (trusted issuer,
verified address, the account the address is bound to, not signed out since:
`assessment.access.identity`) and remembers the verdict (`ui.identity`); every
domain call then checks that actor's role. `gate` runs in the router before any
page: in shared mode, only workshop participant links work without signing in.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import suppress
from functools import lru_cache
from typing import NoReturn

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from assessment.access import configuration
from assessment.access import identity as sign_ins
from assessment.access.policy import Actor
from assessment.core.config import get_settings
from assessment.core.errors import FoundationsError
from ui import database
from ui.identity import Verdict, claims, current_actor, remember, verdict
from ui.text import plain, sentence

PUBLIC_PAGES = frozenset({"join"})  # url_path of the workshop participant page: its link is the key
log = logging.getLogger(__name__)


def _auth_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def _auth_section() -> Mapping[str, object] | None:
    if not _auth_configured():
        return None
    section: Mapping[str, object] = st.secrets["auth"]
    return section


@lru_cache(maxsize=8)
def _log_refusal(found: tuple[str, ...]) -> None:
    """Once per process and set of problems: the server log says why every page refuses."""
    log.error("shared mode refuses to start: %s", " ".join(found))


def refuse_unsafe_configuration() -> None:
    """Shared mode, before anything else: serve nothing while the sign-in settings are unsafe, and say why."""
    if not get_settings().shared:
        return
    found = configuration.problems(_auth_section(), get_settings())
    if not found:
        return
    _log_refusal(tuple(found))
    st.title("Foundations", anchor=False)
    st.error(
        "This shared install refuses to start: its sign-in settings are not safe to serve with.",
        icon=":material/gpp_bad:",
    )
    st.markdown("\n".join(f"- {plain(problem)}" for problem in found))
    st.markdown("Generate a secret with:")
    st.code(configuration.GENERATE, language="bash")
    st.caption("Fix the settings, then restart the app. See SECURITY.md and the README's Shared installs section.")
    st.stop()


def identify() -> None:
    """Before any page, every run: check this session's sign-in against the database and remember the verdict.

    Checking every run means a sign-out elsewhere ends this session at its next
    click. A refusal is kept for the session, so it is audited once, not per click.
    """
    if not get_settings().shared:
        return
    now = claims()
    if now is None:
        remember(None)
        return
    known = verdict()
    if known is not None and known.actor is None:
        return
    try:
        remember(Verdict(now.key, sign_ins.check(database.unbound(), now)))
    except FoundationsError as exc:
        remember(Verdict(now.key, None, str(exc)))


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


def _providers() -> list[str]:
    """The configured providers: "default" for one given in [auth] itself, then each [auth.NAME] section."""
    section = _auth_section()
    if section is None:
        return []
    named = [name for name, value in section.items() if isinstance(value, Mapping) and "client_id" in value]
    return (["default"] if "client_id" in section else []) + sorted(named)


def _sign_in_buttons() -> None:
    for provider in _providers():
        st.button(
            "Sign in" if provider == "default" else f"Sign in with {plain(provider)}",
            key=f"auth_sign_in_{provider}",
            type="primary",
            icon=":material/login:",
            on_click=st.login,
            args=(provider,),
        )


def _sign_in_screen() -> NoReturn:
    st.title("Foundations", anchor=False)
    found = verdict()
    if found is not None and found.refusal:  # the provider signed someone in, and Foundations does not accept it
        st.error(sentence(found.refusal), icon=":material/gpp_bad:")
        with st.container(horizontal=True):
            _sign_in_buttons()
            st.button("Sign out", key="auth_sign_out", on_click=st.logout)
        st.stop()
    st.markdown("This Foundations install is shared between organisations. Sign in to see yours.")
    if _auth_configured():
        _sign_in_buttons()
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
        f"You are signed in as {plain(str(who))}, but you do not belong to an organisation here yet. Ask an owner of "
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
    bar.caption(f"Signed in as {plain(str(who.email))}" + (" (administrator)" if who.is_admin else ""))
    bar.button("Sign out", key="auth_sign_out", type="tertiary", icon=":material/logout:", on_click=_sign_out)


def _sign_out() -> None:
    """End this session and every earlier one of this address in the database, then Streamlit's cookie."""
    now = claims()
    if now is not None:
        with suppress(FoundationsError):  # a refused sign-in has nothing here to end
            sign_ins.sign_out(database.unbound(), now)
    remember(None)
    st.logout()
