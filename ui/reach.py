"""Who reaches which page: the person at this machine, a signed-in person, or a guest of a workshop.

Local mode has no sign-in: whoever uses the app is its one user, with every right.
That holds for the person at the machine, so the server listens on 127.0.0.1 by
default (`.streamlit/config.toml`). Opened to the network for a workshop
(`--server.address 0.0.0.0`), a browser connecting from another address is a
guest: it reaches the join page (participants) and the facilitator page with a
key, nothing else, and no navigation. Shared mode needs no such rule: every page
but the join page asks for a sign-in (`ui.auth.gate`).

Participants never see the navigation, in either mode: a join link is all they need.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import streamlit as st

from assessment.core.config import get_settings
from assessment.workshops.links import JOIN_PATH


def from_this_machine() -> bool:
    """Whether the browser connects from this machine (Streamlit reports no address for loopback, or none at all)."""
    address = st.context.ip_address
    if not isinstance(address, str):  # loopback, or no browser at all (AppTest has no connection)
        return True
    try:
        return ipaddress.ip_address(address.removeprefix("::ffff:")).is_loopback
    except ValueError:
        return False


def guest() -> bool:
    """A browser that may only join a workshop or facilitate one with its key (local mode, from another address)."""
    return not get_settings().shared and not from_this_machine()


def on_join_page() -> bool:
    """Whether this browser asked for the participants' page (they get no navigation)."""
    path = urlsplit(str(st.context.url or "")).path.rstrip("/")
    return path.endswith(f"/{JOIN_PATH}")
