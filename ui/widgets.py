"""Small render helpers shared by the pages: headers, notices, times, progress."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from assessment.assessments.banks import BankChoice
from assessment.assessments.repository import AssessmentData
from ui import state
from ui.state import Slot
from ui.text import plain

_NOTICE_ICONS = {
    "success": ":material/check_circle:",
    "error": ":material/error:",
    "warning": ":material/warning:",
    "info": ":material/info:",
}


def show_notice() -> None:
    """Show the message a callback left for this run, if any."""
    notice = state.pop_notice()
    if notice is None:
        return
    kind, message = notice  # Markdown: `state.set_notice` takes text its callers escaped
    icon = _NOTICE_ICONS.get(kind, _NOTICE_ICONS["info"])
    if kind == "success":
        st.success(message, icon=icon)  # escaped: by set_notice's callers
    elif kind == "error":
        st.error(message, icon=icon)  # escaped: by set_notice's callers
    elif kind == "warning":
        st.warning(message, icon=icon)  # escaped: by set_notice's callers
    else:
        st.info(message, icon=icon)  # escaped: by set_notice's callers


def assessment_header(data: AssessmentData, page: str) -> None:
    """Title line naming the team and round, with organisation, label and status underneath."""
    st.title(f"{plain(page)}: {plain(data.team)}, round {data.round_number:d}", anchor=False)
    status = "complete" if data.status == "completed" else f"in progress ({progress_text(data)})"
    parts = [data.organisation, data.label or "", f"{data.bank.bank.title} {data.bank.version}", status]
    st.caption(" · ".join(plain(p) for p in parts if p))


def progress_text(data: AssessmentData) -> str:
    """How far a round got, "12 of 47": the questions answered (the count the portfolio and Results show)."""
    questions = data.bank.questions
    return f"{sum(1 for q in questions if q.key in data.answers)} of {len(questions)}"


def titled_list(heading: str, items: list[str]) -> None:
    """A bold heading with its count, then one bullet per item (both typed text, escaped here), or "None." """
    st.markdown(f"**{plain(heading)}** ({len(items):d})")
    for item in items:
        st.markdown(f"- {plain(item)}")
    if not items:
        st.caption("None.")


def local_time(moment: datetime) -> str:
    """A stored UTC time in the browser's time zone (UTC when the browser does not say)."""
    zone_name = st.context.timezone
    try:
        zone = ZoneInfo(zone_name) if zone_name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    local = moment.astimezone(zone)
    today = datetime.now(zone).date()
    suffix = "" if zone is not UTC else " UTC"
    if local.date() == today:
        return f"{local:%H:%M:%S}{suffix}"
    return f"{local:%d %b %Y, %H:%M}{suffix}"


def share(done: int, total: int) -> float:
    """Progress as a 0-1 fraction that never divides by zero."""
    return done / total if total else 1.0


SHIPPED_BANK = 0  # a bank picker's value for the shipped bank (stored ids start at 1; None reads as no choice)
BANK_HELP = "The shipped bank, or one an owner published for the organisation on the Question banks page."


def bank_picker(
    label: str,
    slot: Slot[int],
    choices: list[BankChoice],
    fallback: int = SHIPPED_BANK,
    *,
    help_text: str | None = BANK_HELP,
) -> BankChoice:
    """A selectbox over the banks an organisation's new rounds may use; returns the one picked."""
    labels = {c.bank_version_id or SHIPPED_BANK: c.label for c in choices}
    slot.keep_within(labels, fallback)
    chosen = st.selectbox(
        plain(label),
        list(labels),
        format_func=labels.__getitem__,
        key=slot.key,
        help=plain(help_text) if help_text else None,
    )
    return next(c for c in choices if (c.bank_version_id or SHIPPED_BANK) == chosen)
