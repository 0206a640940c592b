"""Failed join codes, counted per client: a few tries a minute, each failure in the audit log.

A join code is short enough to read off a projector (about 39 bits), so guessing
must stay slow: after LIMIT failures within WINDOW_S seconds from one address, the
page says to wait and looks nothing up, whatever code comes next. Each failure is
written to the audit log with the address it came from. The count lives in this
server process (`st.cache_resource`): a restart or a second instance starts its
own count, which still bounds guessing to a few tries a minute per instance.
"""

from __future__ import annotations

import threading
import time
from collections import deque

import streamlit as st
from sqlalchemy.engine import Engine

from assessment.access.policy import DENIED, NOBODY, record_event

WINDOW_S = 60
LIMIT = 5
TOO_MANY = "Too many codes that do not work were tried from here. Wait a minute, then try again."


class _Book:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.failures: dict[str, deque[float]] = {}

    def recent(self, client: str, now: float) -> deque[float]:
        times = self.failures.setdefault(client, deque())
        while times and times[0] <= now - WINDOW_S:
            times.popleft()
        return times


@st.cache_resource(show_spinner=False)
def book() -> _Book:
    """The process's count of failures per client (tests clear it with `book.clear()`)."""
    return _Book()


def client() -> str:
    """The address the browser connects from ('this machine' for loopback and tests)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else "this machine"


def blocked() -> bool:
    """Whether this client has used up its tries for now."""
    shared = book()
    with shared.lock:
        return len(shared.recent(client(), time.monotonic())) >= LIMIT


def failed(engine: Engine) -> None:
    """Count one failed code from this client and audit it (the code itself is not kept)."""
    shared, who = book(), client()
    with shared.lock:
        shared.recent(who, time.monotonic()).append(time.monotonic())
    record_event(
        engine,
        {
            "actor": NOBODY,
            "action": "join_workshop",
            "outcome": DENIED,
            "organisation_id": None,
            "target": "a join code",
            "detail": f"a join code that opens nothing, from {who}",
        },
    )
