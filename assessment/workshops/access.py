"""Who may see what: every workshop link and key is resolved here, and only here.

Every failure (unknown, expired or closed link, wrong key, a token or team from
another workshop) raises the same `InvalidLinkError` with the same message, so a
probe learns nothing about what exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in
from assessment.assessments.lookup import bank_of
from assessment.bank.model import Bank
from assessment.core.errors import FoundationsError, NotFoundError
from assessment.core.types import utcnow
from assessment.models.assessments import Assessment, BankVersion, Team
from assessment.models.workshops import Participant, Workshop, WorkshopTeam
from assessment.workshops.tokens import digest, matches, normalise_join_code

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
    """The workshop, if `key` is its facilitator key. Works while closed: the facilitator wraps up."""
    workshop = session.get(Workshop, workshop_id) if isinstance(workshop_id, int) else None
    if not matches(key, workshop.facilitator_key_hash if workshop else None) or workshop is None:
        raise InvalidLinkError()
    try:  # shared mode: the key alone is not enough, the facilitator's role must allow it too
        authorize_in(session, None, Action.RUN_WORKSHOPS, access.workshop(workshop.id or 0))
    except NotFoundError:  # not a member of the organisation: the same answer as a bad key
        raise InvalidLinkError() from None
    return workshop


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
