"""Who may see what: every workshop link and key is resolved here, and only here.

Every failure (unknown, expired or closed link, wrong key, a token or team from
another workshop) raises the same `InvalidLinkError` with the same message, so a
probe learns nothing about what exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in
from assessment.assessments.lookup import bank_of
from assessment.bank.model import Bank
from assessment.core.config import get_settings
from assessment.core.errors import FoundationsError
from assessment.core.types import utcnow
from assessment.models.assessments import Assessment, BankVersion, Team
from assessment.models.workshops import Participant, Workshop, WorkshopTeam
from assessment.workshops.tokens import TICKET_HOURS, digest, matches, normalise_join_code, ticket, ticket_matches

INVALID_LINK = "This link is not valid."
OPEN = "open"
CLOSED = "closed"


class InvalidLinkError(FoundationsError):
    """Any link, code, key or token that does not open what it was used for."""

    def __init__(self) -> None:
        super().__init__(INVALID_LINK)


def accepts_participants(workshop: Workshop, now: datetime | None = None) -> bool:
    """Open and not expired: the only state in which join codes and tokens work."""
    return workshop.status == OPEN and workshop.expires_at > (now or utcnow())


def workshop_by_code(session: Session, *, code: str | None) -> Workshop:
    """The workshop a join code opens, if it currently accepts participants."""
    workshop = session.exec(select(Workshop).where(Workshop.join_code == normalise_join_code(code))).first()
    if workshop is None or not accepts_participants(workshop):
        raise InvalidLinkError()
    return workshop


@dataclass(frozen=True)
class ParticipantSeat:
    """A resolved participant token: the participant, their workshop and team, and the bank."""

    participant: Participant
    workshop: Workshop
    workshop_team: WorkshopTeam
    team_name: str
    bank: Bank


def participant_seat(session: Session, *, token: str | None) -> ParticipantSeat:
    """Resolve a participant token in one query; refused once the workshop is closed or expired."""
    if not token:
        raise InvalidLinkError()
    hashed = digest(token)
    row = session.execute(
        sa.select(Participant, Workshop, WorkshopTeam, col(Team.name), BankVersion)
        .join(Workshop, col(Workshop.id) == Participant.workshop_id)
        .join(WorkshopTeam, col(WorkshopTeam.id) == Participant.workshop_team_id)
        .join(Team, col(Team.id) == WorkshopTeam.team_id)
        .join(Assessment, col(Assessment.id) == WorkshopTeam.assessment_id)
        .join(BankVersion, col(BankVersion.id) == Assessment.bank_version_id)
        .where(col(Participant.token_hash) == hashed)
        .options(defer(BankVersion.content))  # type: ignore[arg-type]  # SQLModel types the column as str
    ).first()
    if row is None or not matches(token, row[0].token_hash) or not accepts_participants(row[1]):
        raise InvalidLinkError()
    participant, workshop, workshop_team, team_name, version = row
    return ParticipantSeat(participant, workshop, workshop_team, team_name, bank_of(version))


def facilitated_workshop(session: Session, *, workshop_id: int | None, key: str | None) -> Workshop:
    """The workshop, for its facilitator. Works while closed: the facilitator wraps up.

    `key` is the facilitator key, a ticket made from it for one browser session
    (`session_ticket`), or None for whoever may run workshops in the organisation
    (the local user, or a person signed in with that role). In shared mode a key
    also needs that role. Every refusal, a viewer holding a valid key included, is
    the same `InvalidLinkError`, and a refused role is audited.
    """
    workshop = session.get(Workshop, workshop_id) if isinstance(workshop_id, int) else None
    stored = workshop.facilitator_key_hash if workshop else None
    if workshop is None:
        matches(key, stored)  # the same work as for a workshop that exists
        raise InvalidLinkError()
    if key is not None and not (
        matches(key, stored) or ticket_matches(key, workshop.id or 0, stored, int(utcnow().timestamp()))
    ):
        raise InvalidLinkError()
    if key is not None and not get_settings().shared:
        return workshop  # local mode: the key is the facilitator's proof
    try:  # shared mode, or no key: the role must allow running workshops here
        authorize_in(session, None, Action.RUN_WORKSHOPS, access.workshop(workshop.id or 0))
    except FoundationsError:  # not a member, or a role that may not: the same answer as a bad key
        raise InvalidLinkError() from None
    return workshop


def session_ticket(session: Session, *, workshop_id: int | None, key: str | None) -> str:
    """A pass that opens this workshop's dashboard for TICKET_HOURS, so a refresh does not ask for the key again.

    Made only for a valid key (or a ticket, which is renewed); it stops working
    when the key is replaced.
    """
    workshop = facilitated_workshop(session, workshop_id=workshop_id, key=key)
    expires = int((utcnow() + timedelta(hours=TICKET_HOURS)).timestamp())
    return ticket(workshop.id or 0, workshop.facilitator_key_hash, expires)


def workshop_team(session: Session, *, workshop: Workshop, workshop_team_id: int | None) -> WorkshopTeam:
    """A team of this workshop; a team id from any other workshop is refused like a bad link."""
    found = session.get(WorkshopTeam, workshop_team_id) if isinstance(workshop_team_id, int) else None
    if found is None or found.workshop_id != workshop.id:
        raise InvalidLinkError()
    return found


def teams_of(session: Session, *, workshop_id: int) -> list[tuple[WorkshopTeam, str]]:
    """The workshop's teams with their names, in name order."""
    return [
        (wt, name)
        for wt, name in session.exec(
            select(WorkshopTeam, Team.name)
            .join(Team, col(Team.id) == WorkshopTeam.team_id)
            .where(WorkshopTeam.workshop_id == workshop_id)
            .order_by(Team.name)
        )
    ]


def bank_of_assessment(session: Session, *, assessment_id: int) -> Bank:
    """The bank an assessment was created against (the large content is read only on a cache miss)."""
    version = session.exec(
        select(BankVersion)
        .join(Assessment, col(Assessment.bank_version_id) == BankVersion.id)
        .where(Assessment.id == assessment_id)
        .options(defer(BankVersion.content))  # type: ignore[arg-type]  # SQLModel types the column as str
    ).one()
    return bank_of(version)
