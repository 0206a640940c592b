"""What a workshop tab remembers: the facilitator's access, the create form, the dashboard, a participant's choices.

The facilitator key arrives through the key form or from creating the workshop,
never in a link: a facilitator usually projects the page, and a key in the URL
would be on the wall, in screenshots and in the browser history (a `key` in the
address is dropped unread). It is kept in this tab's session state, and the
dashboard leaves a ticket made from it in a browser-session cookie
(`ui.components.workshop.ticket`), so a refresh keeps the dashboard open. Whoever
may run workshops (the local user, or a person signed in with that role) needs no
key at all. The domain checks the key, ticket or role on every call, never here.
"""

from __future__ import annotations

import streamlit as st

from assessment.workshops.admin import CreatedWorkshop
from ui.components.assess.state import AnswerWidgets
from ui.state import Slot, SlotFamily

Access = tuple[int | None, str | None]  # (workshop id, key or ticket; None: the actor's role) as given
FIELDS = frozenset({"answer", "flag", "reason", "note"})  # the answer inputs both workshop pages draw

# --- the facilitator's page ---------------------------------------------------------------
AGREED = AnswerWidgets("wf", FIELDS)  # the agreed-answer form
_ACCESS = Slot[Access | None]("wf_access", None)
MODE = Slot[str | None]("wf_mode", None)  # open a workshop, or create one
FORM_ID = Slot[str]("wf_form_id", "")  # the key form's workshop number
FORM_KEY = Slot[str]("wf_form_key", "")  # the key form's key
TEAM = Slot[int | None]("wf_team", None)  # the team the dashboard shows
LIVE = Slot[bool]("wf_live", True)
QUESTION = Slot[str | None]("wf_question", None)  # the question being settled ...
QUESTION_TEAM = Slot[int | None]("wf_question_team", None)  # ... for this team
FILLED = Slot[tuple[int, str] | None]("wf_filled", None)  # (team, question) the agreed form was filled for
BY = Slot[str]("wf_by", "")  # "Recorded by"
NOTICE = Slot[tuple[str, str] | None]("wf_notice", None)  # (kind, message) left by the record callback

# --- creating a workshop ------------------------------------------------------------------
CREATE_ORG = Slot[int | None]("wc_org", None)
CREATE_NEW_ORG = Slot[str]("wc_new_org", "")
CREATE_NEW_TEAMS = Slot[str]("wc_new_teams", "")
CREATE_TEAMS = SlotFamily[list[str] | None]("wc_teams:{}", None)  # one team picker per organisation
CREATE_TITLE = Slot[str | None]("wc_title", None)
CREATE_DAYS = Slot[int | None]("wc_days", None)  # an emptied field holds None
CREATE_ERROR = Slot[str | None]("wc_error", None)
_CREATED = Slot[CreatedWorkshop | None]("wc_created", None)

# --- a participant's page -----------------------------------------------------------------
OWN = AnswerWidgets("wj", FIELDS)  # the participant's own answers
JOIN_CODE = Slot[str | None]("wj_code", None)
JOIN_NAME = Slot[str | None]("wj_name", None)
JOIN_TEAM = Slot[int | None]("wj_team", None)
FOUNDATION = Slot[str | None]("wj_foundation", None)
CONFIRM_DONE = Slot[bool]("wj_confirm_done", False)  # "I am done" pressed with questions left: ask first
LOADED = Slot[str | None]("wj_loaded", None)  # the participant token the inputs were filled for
_PROBLEMS = Slot[dict[str, str] | None]("wj_problems", None)


def parse_id(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() and 0 < int(text) < 2**31 else None


def drop_key_from_address() -> bool:
    """Remove a `key` from the address unread (links never carry keys); True when there was one."""
    if "key" not in st.query_params:
        return False
    del st.query_params["key"]
    return True


def requested_access() -> Access | None:
    """(workshop id, key) this tab unlocked; a `w` in the URL other than the one unlocked opens nothing."""
    stored = _ACCESS.get()
    if stored is None:
        return None
    wanted = st.query_params.get("w")
    if wanted is None and stored[0] is not None:
        st.query_params["w"] = str(stored[0])
    return (parse_id(wanted), stored[1]) if wanted is not None else stored


def requested_workshop() -> int | None:
    """The workshop number in the address, if any."""
    return parse_id(st.query_params.get("w"))


def remember(access: Access) -> None:
    """Open the dashboard with this access from now on (in this tab)."""
    _ACCESS.set(access)


def unlock() -> None:
    """Key form callback: remember what was typed; the next run checks it like any other key."""
    workshop_id = parse_id(str(FORM_ID.get() or "").strip())
    _ACCESS.set((workshop_id, str(FORM_KEY.get() or "").strip()))
    LEFT.set(False)
    FORM_KEY.set("")
    st.query_params["w"] = str(workshop_id or "")


TICKETED = Slot[tuple[int, str] | None]("wf_ticketed", None)  # the (workshop, key) a cookie ticket was left for
NEW_KEY = Slot[str | None]("wf_new_key", None)  # a key issued on this page, shown once
LEFT = Slot[bool]("wf_left", False)  # this tab left the dashboard: a ticket or role does not reopen it
LEFT_FROM = Slot[int | None]("wf_left_from", None)  # the workshop just left, whose browser ticket the page deletes


def leave(workshop_id: int | None = None) -> None:
    """Forget the key in this tab (and the workshop number in the URL); the page ends the browser's ticket too."""
    _ACCESS.pop()
    LEFT.set(True)
    LEFT_FROM.set(workshop_id)
    st.query_params.clear()


def forget_access() -> None:
    """Drop what this tab held (a key that no longer opens anything); the form asks again."""
    _ACCESS.pop()


def created() -> CreatedWorkshop | None:
    """The workshop this tab just created, with its key, until the dashboard opens or another is started."""
    return _CREATED.get()


def keep_created(workshop: CreatedWorkshop) -> None:
    _CREATED.set(workshop)


def discard_created() -> None:
    """The key leaves session state and can never be shown again."""
    _CREATED.pop()


def open_created() -> None:
    """'Open the dashboard' after creating: the key moves from the created panel to this tab's access, never the URL."""
    workshop = _CREATED.pop()
    if workshop is not None:
        _ACCESS.set((workshop.id, workshop.facilitator_key))
        LEFT.set(False)
        st.query_params["w"] = str(workshop.id)


def problems() -> dict[str, str]:
    """A participant's messages: 'join' for the join form, else the question key they belong to."""
    book = _PROBLEMS.get()
    if book is None:
        book = {}
        _PROBLEMS.set(book)
    return book


def problem(where: str) -> str | None:
    """The message waiting at one place ('join', or a question key), if any."""
    return (_PROBLEMS.get() or {}).get(where)


def clear_problems() -> None:
    _PROBLEMS.set({})
