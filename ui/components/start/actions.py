"""Widget callbacks of the Start page that change records: one short write each.

Callbacks run before the page is drawn again, so the page always shows what the
database now holds. Problems become a notice for the next run, never a traceback.
"""

from __future__ import annotations

from assessment.assessments.banks import bank_for_round
from assessment.assessments.repository import create_assessment
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.demo import DEMO_ORG, load_demo
from assessment.organisations.directory import ensure_organisation, ensure_team, find_organisation
from ui import auth, database, state
from ui.components.start.state import BANK, FIRST_ORG, FIRST_TEAM, NEW_ORG, NEW_TEAM, ORG, TEAM
from ui.text import sentence


def create_organisation() -> None:
    """Create (or find) the organisation typed in the 'new organisation' field and select it."""
    try:
        with db.write_session(database.engine()) as session:
            org = ensure_organisation(session, name=NEW_ORG.get())
            ORG.set(org.id)
    except FoundationsError as exc:
        state.set_notice("error", sentence(str(exc)))
        return
    NEW_ORG.set("")
    TEAM.pop()


def create_team(organisation_id: int) -> None:
    """Create (or find) the team typed in the 'new team' field and select it."""
    try:
        with db.write_session(database.engine()) as session:
            team = ensure_team(session, organisation_id=organisation_id, name=NEW_TEAM.get())
            TEAM.set(team.id)
    except FoundationsError as exc:
        state.set_notice("error", sentence(str(exc)))
        return
    NEW_TEAM.set("")


def start_round(team_id: int) -> None:
    """Start the team's next round on the bank picked (the shipped one unless the organisation published others)."""
    try:
        with db.write_session(database.engine()) as session:
            bank_version = bank_for_round(session, team_id=team_id, bank_version_id=BANK.get() or None)
            assessment = create_assessment(
                session, team_id=team_id, bank_version_id=bank_version.id or 0, created_by=auth.author()
            )
            assessment_id = assessment.id or 0
    except FoundationsError as exc:
        state.set_notice("error", sentence(str(exc)))
        return
    state.request_page(state.ASSESS_PAGE, assessment_id)


def start_first_assessment() -> None:
    """First visit: create the organisation, the team and round 1 from the welcome form."""
    try:
        with db.write_session(database.engine()) as session:
            org = ensure_organisation(session, name=FIRST_ORG.get())
            team = ensure_team(session, organisation_id=org.id or 0, name=FIRST_TEAM.get())
            org_id, team_id = org.id, team.id or 0
    except FoundationsError as exc:
        state.set_notice("error", sentence(str(exc)))
        return
    ORG.set(org_id)
    TEAM.set(team_id)
    start_round(team_id)


def load_demo_data() -> None:
    """Load the demo organisation (idempotent) and select it."""
    try:
        with db.write_session(database.engine()) as session:
            created = load_demo(session, bank=default_bank())
            org = find_organisation(session, name=DEMO_ORG)
            ORG.set(org.id if org else None)
    except FoundationsError as exc:
        state.set_notice("error", sentence(str(exc)))
        return
    TEAM.pop()
    if created:
        state.set_notice("success", f"Demo data loaded: {DEMO_ORG}, five teams, {len(created)} rounds.")
    else:
        state.set_notice("info", f"The demo organisation {DEMO_ORG} is already loaded.")
