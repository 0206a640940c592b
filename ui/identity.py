"""This browser session's verdict on who signed in, as `auth.identify` decided it at the start of the run.

Kept apart from `auth` (which checks sign-ins against the database and draws the
sign-in screens) so the imports run one way: `database` binds engines with the
actor found here, and `auth` uses `database`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st
from sqlalchemy.engine import Engine

from assessment.access.identity import Claims
from assessment.access.policy import Actor, bind, local_actor
from assessment.core.config import get_settings

_VERDICT = "_foundations_sign_in"


@dataclass(frozen=True)
class Verdict:
    """For one sign-in (its claims' key): the actor it signs in, or why it was refused."""

    key: tuple[str, str, str, int | None]
    actor: Actor | None
    refusal: str = ""


def logged_in() -> bool:
    """Whether Streamlit holds a signed-in user (the cookie), whatever Foundations makes of it."""
    try:
        return bool(st.user.is_logged_in)
    except Exception:  # no [auth] section: st.user has no is_logged_in at all
        return False


def claims() -> Claims | None:
    """The claims of the ID token this session signed in with; None when nobody is signed in."""
    if not logged_in():
        return None
    user: Mapping[str, Any] = st.user.to_dict()
    return Claims.of(user)


def remember(verdict: Verdict | None) -> None:
    st.session_state[_VERDICT] = verdict


def verdict() -> Verdict | None:
    """The verdict on this session's current sign-in, if one was made (None after a change of sign-in)."""
    found = st.session_state.get(_VERDICT)
    now = claims()
    return found if isinstance(found, Verdict) and now is not None and found.key == now.key else None


def current_actor() -> Actor | None:
    """The actor of this browser session; None in shared mode until a sign-in is accepted."""
    if not get_settings().shared:
        return local_actor()
    found = verdict()
    return found.actor if found is not None else None


def as_signed_in(engine: Engine) -> Engine:
    """The engine as this session's actor sees the database (unchanged in local mode)."""
    return bind(engine, current_actor()) if get_settings().shared else engine
