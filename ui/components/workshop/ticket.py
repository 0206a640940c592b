"""The facilitator's ticket in a browser-session cookie: the dashboard survives a refresh, the key stays out of links.

A refresh starts a new Streamlit session, which has forgotten the key typed into
this tab. Once the dashboard opens with a key, the domain makes a ticket from it
(`assessment.workshops.access.session_ticket`: signed with the key's stored
digest, valid for hours, void once the key is replaced) and the page stores it in
a cookie with no expiry date, which the browser drops when it closes. The next
session reads it from the request (`st.context.cookies`) and passes it where the
key would go. The cookie is `SameSite=Strict` and `Secure` over HTTPS; its path
is the whole site because Streamlit reads cookies from its websocket
(`/_stcore/stream`), not from the page's address. "Leave" deletes it.
"""

from __future__ import annotations

import re

import streamlit as st

TICKET_FORMAT = re.compile(r"t1\.[0-9]{1,12}\.[0-9a-f]{64}")


def cookie_name(workshop_id: int) -> str:
    return f"foundations_facilitator_{workshop_id:d}"


def stored(workshop_id: int | None) -> str | None:
    """The ticket this browser holds for the workshop, if it looks like one (the domain checks the rest)."""
    if workshop_id is None:
        return None
    value = st.context.cookies.get(cookie_name(workshop_id))
    return value if isinstance(value, str) and TICKET_FORMAT.fullmatch(value) else None  # AppTest: no cookies


def _set_cookie(name: str, value: str, extra: str) -> None:
    # only our own characters reach the script: a real check, not an assert that `python -O` would drop
    if not (TICKET_FORMAT.fullmatch(value) or value == "") or extra not in ("", "; max-age=0"):
        raise ValueError("not a facilitator ticket")
    st.html(
        "<script>document.cookie = "
        f"'{name}={value}; path=/; SameSite=Strict{extra}'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def keep(workshop_id: int, ticket: str) -> None:
    """Leave the ticket in this browser until it closes."""
    _set_cookie(cookie_name(workshop_id), ticket, "")


def forget(workshop_id: int) -> None:
    """Delete the browser's ticket for this workshop."""
    _set_cookie(cookie_name(workshop_id), "", "; max-age=0")
