"""Typed access to what a browser tab remembers: `Slot`, and the entries every page shares.

A `Slot` is one `st.session_state` entry with its key, type and unset value in one
place; pages and components read and write slots, never raw keys, and a widget that
edits one takes `key=slot.key`. Each area declares its own slots (in its page, or in
`ui/components/<area>/state.py` when its components share them); this module holds
the shared ones: the current assessment, a move to another page, a one-off notice.

The record of answers lives in the database only. The current assessment id lives in
the URL (`?assessment=12`) so a refresh, a bookmark or a second tab opens the same
assessment; the tab also remembers it, because moving between pages clears the URL.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Generic, TypeVar

import streamlit as st

T = TypeVar("T")

ASSESSMENT_PARAM = "assessment"
FOUNDATION_PARAM = "foundation"
START_PAGE = "ui/pages/start.py"
ASSESS_PAGE = "ui/pages/assess.py"
RESULTS_PAGE = "ui/pages/results.py"
REPORT_PAGE = "ui/pages/report.py"
DORA_PAGE = "ui/pages/dora.py"


class Slot(Generic[T]):
    """One thing this tab remembers, under one session-state key, with its type and its value while unset."""

    __slots__ = ("default", "key")

    def __init__(self, key: str, default: T) -> None:
        self.key, self.default = key, default

    def __repr__(self) -> str:
        return f"Slot({self.key!r})"

    def get(self) -> T:
        value: T = st.session_state.get(self.key, self.default)
        return value

    def set(self, value: T) -> None:
        st.session_state[self.key] = value

    def pop(self) -> T:
        """The value, now forgotten (the unset value when there was none)."""
        value: T = st.session_state.pop(self.key, self.default)
        return value

    def is_set(self) -> bool:
        return self.key in st.session_state

    def set_default(self, value: T) -> T:
        """The value, set to `value` first while unset (a widget's first value, kept across reruns after that)."""
        kept: T = st.session_state.setdefault(self.key, value)
        return kept

    def keep_within(self, options: Collection[T], fallback: T) -> None:
        """A choice no longer among the options (another organisation's team, a deleted round) becomes `fallback`."""
        if self.get() not in options:
            self.set(fallback)


class SlotFamily(Generic[T]):
    """Slots of one kind, one per id: `family(id)` is the slot whose key is the pattern filled with the id.

    `SlotFamily("acc_role:{}", None)("ana@example.org")` is keyed 'acc_role:ana@example.org'.
    """

    __slots__ = ("default", "pattern")

    def __init__(self, pattern: str, default: T) -> None:
        self.pattern, self.default = pattern, default

    def __call__(self, *ids: object) -> Slot[T]:
        return Slot(self.pattern.format(*ids), self.default)


_CURRENT = Slot[int | None]("current_assessment_id", None)
_PENDING = Slot[tuple[str, dict[str, str]] | None]("pending_page", None)
_NOTICE = Slot[tuple[str, str] | None]("notice", None)


class BadAssessmentLink(ValueError):
    """The URL names an assessment in a form that cannot be an id."""


def parse_assessment_id(raw: str) -> int:
    """A positive id from URL text, or BadAssessmentLink."""
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**31:
        raise BadAssessmentLink(raw)
    return int(text)


def requested_assessment_id() -> int | None:
    """The assessment named in the URL, else the one this tab last opened (written back to the URL)."""
    raw = st.query_params.get(ASSESSMENT_PARAM)
    if raw is None:
        remembered = _CURRENT.get()
        if remembered is not None:
            st.query_params[ASSESSMENT_PARAM] = str(remembered)
        return remembered
    assessment_id = parse_assessment_id(raw)
    _CURRENT.set(assessment_id)
    return assessment_id


def remember_assessment(assessment_id: int) -> None:
    _CURRENT.set(assessment_id)


def forget_assessment() -> None:
    """Drop a remembered id that no longer opens anything (and the URL's copy of it)."""
    _CURRENT.pop()
    if ASSESSMENT_PARAM in st.query_params:
        del st.query_params[ASSESSMENT_PARAM]


def request_page(page: str, assessment_id: int, **params: str) -> None:
    """Ask for a move to `page` on `assessment_id`; callbacks cannot switch pages themselves."""
    _PENDING.set((page, {ASSESSMENT_PARAM: str(assessment_id), **params}))


def follow_pending_page() -> None:
    """Carry out a move a callback asked for (call near the top of a page)."""
    pending = _PENDING.pop()
    if pending is not None:
        page, params = pending
        remember_assessment(int(params[ASSESSMENT_PARAM]))
        st.switch_page(page, query_params=params)


# --- a message a callback leaves for the next run ---------------------------------------


def set_notice(kind: str, message: str) -> None:
    """A one-off message (kind: success, error, warning, info) shown on the next run of the page.

    `message` is Markdown: escape what people typed or the domain said (`ui.text.plain`, `sentence`).
    """
    _NOTICE.set((kind, message))


def pop_notice() -> tuple[str, str] | None:
    return _NOTICE.pop()
