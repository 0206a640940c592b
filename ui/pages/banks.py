"""Question banks: the banks new rounds may use, an owner's upload checked and published, two banks compared.

An uploaded file is checked on every run with the same loader as the command line,
so every problem shows with its line and YAML path before anything is stored; only
"Publish" writes, and only for an owner (the domain checks the role again).
"""

from __future__ import annotations

import streamlit as st

from assessment.access.policy import Action, authorize, may, organisation, visible_organisations
from assessment.assessments.banks import BankChoice, bank_of_choice, organisation_banks
from assessment.bank.diff import diff_banks
from assessment.bank.loader import BankError, parse_bank_bytes
from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.errors import FoundationsError
from ui import auth, database, state, widgets
from ui.components.banks import actions, views
from ui.components.banks.state import LEFT, ORG, RIGHT, UPLOAD
from ui.text import plain, sentence

engine = database.engine()
actor = auth.actor()
st.title("Question banks", anchor=False)
st.caption(
    "Each new round is asked from one bank: the one shipped with Foundations, or one an owner published for "
    "the organisation. A published version never changes, so rounds answered on it keep their meaning."
)
widgets.show_notice()

with db.read_session(engine) as session:
    organisations = {o.id or 0: o.name for o in visible_organisations(session, actor)}
if not organisations:
    st.info("There is no organisation yet. Start one on the Start page.", icon=":material/info:")
    st.page_link(state.START_PAGE, label="Go to Start", icon=":material/home:")
    st.stop()
ORG.keep_within(organisations, next(iter(organisations)))
org_id: int = st.selectbox("Organisation", list(organisations), format_func=organisations.__getitem__, key=ORG.key)
try:
    authorize(engine, actor, Action.VIEW_RESULTS, organisation(org_id))
    with db.read_session(engine) as session:
        choices = organisation_banks(session, organisation_id=org_id)
        may_publish = may(session, actor, Action.PUBLISH_BANKS, org_id)
except FoundationsError as exc:
    st.error(sentence(str(exc)), icon=":material/block:")
    st.stop()


def bank_of(choice: BankChoice) -> Bank:
    with db.read_session(engine) as session:
        return bank_of_choice(session, choice)


def listed() -> None:
    """The banks new rounds may use, the shipped one first."""
    st.subheader("Banks new rounds may use", anchor=False)
    st.dataframe(
        [
            {
                "Bank": c.title,
                "Id": c.bank_id,
                "Version": c.version,
                "Published by": c.published_by or "shipped with Foundations",
                "Published": c.published_at.date().isoformat() if c.published_at else "",
            }
            for c in choices
        ],
        hide_index=True,
        width="stretch",
    )


def upload() -> None:
    """The owner's upload: every problem, or what the bank holds and how it differs from the shipped one."""
    st.subheader("Publish a bank", anchor=False)
    if not may_publish:
        st.caption("Only an owner of the organisation publishes banks.")
        return
    st.caption(
        "Start from questions/foundations.yaml, give the bank its own id and a version, and upload it here. "
        "Nothing is stored until you publish; a version once published never changes (publish edits as a new version)."
    )
    file = st.file_uploader("Bank file (YAML)", type=["yaml", "yml"], key=UPLOAD, max_upload_size=2)
    if file is None:
        return
    try:
        bank = parse_bank_bytes(file.getvalue(), file.name)
    except BankError as exc:
        views.show_issues(file.name, exc.issues)
        return
    with st.container(border=True):
        checked(bank)


def checked(bank: Bank) -> None:
    """A sound upload: what it holds, the publish button, and what it changes from the bank it follows."""
    st.success(
        plain(views.bank_summary(bank)) + ". No problem found; nothing is stored yet.", icon=":material/task_alt:"
    )
    st.button(
        f"Publish for {plain(organisations[org_id])}",
        key="banks_publish",
        type="primary",
        icon=":material/publish:",
        on_click=actions.publish,
        args=(actor, org_id),
    )
    before = next((c for c in choices if c.bank_id == bank.id), choices[0])  # its newest published version
    st.markdown(f"**What changes from {plain(before.title)} ({plain(before.bank_id)} {plain(before.version)})**")
    views.show_diff(diff_banks(bank_of(before), bank))


def compare() -> None:
    """Two banks, or two versions of one, side by side."""
    st.subheader("Compare two banks", anchor=False)
    left, right = st.columns(2)
    with left:
        first = widgets.bank_picker("Bank A", LEFT, choices, help_text=None)  # the shipped bank
    with right:
        newest = choices[1].bank_version_id if len(choices) > 1 else None
        second = widgets.bank_picker("Bank B", RIGHT, choices, newest or widgets.SHIPPED_BANK, help_text=None)
    if first == second:
        st.info("Pick two different banks (or two versions of one) to compare.", icon=":material/compare_arrows:")
        return
    views.show_diff(diff_banks(bank_of(first), bank_of(second)))


listed()
upload()
compare()
