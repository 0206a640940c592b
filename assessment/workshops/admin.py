"""Workshop lifecycle: create (the CLI and the Workshop page), close, reopen, reset the key.

These functions take no facilitator key. Creating one checks the actor's role
(the CLI acts as the command line, which holds the database; the app as whoever
is signed in); close, reopen and reset-key are for whoever holds the database.
The facilitator page reaches close and reopen through `facilitator.py`, which
checks the key first.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in, only_visible
from assessment.assessments.repository import create_assessment, store_bank
from assessment.bank.model import Bank
from assessment.core.errors import FoundationsError, NotFoundError
from assessment.core.names import checked_author
from assessment.core.types import utcnow
from assessment.models.assessments import Answer, Organisation
from assessment.models.workshops import Participant, ParticipantAnswer, Workshop, WorkshopTeam
from assessment.organisations.directory import clean_name, ensure_organisation, ensure_team
from assessment.workshops.access import CLOSED, OPEN, accepts_participants, teams_of
from assessment.workshops.tokens import digest, format_join_code, new_join_code, new_secret

DEFAULT_VALID_DAYS = 7
MAX_VALID_DAYS = 90


@dataclass(frozen=True)
class CreatedWorkshop:
    """What creation hands back once: the facilitator key is not stored and cannot be shown again."""

    id: int
    join_code: str
    facilitator_key: str
    expires_at: datetime
    assessment_ids: dict[str, int]
    organisation_id: int


def _valid_until(days: int) -> datetime:
    if not 1 <= days <= MAX_VALID_DAYS:
        raise FoundationsError(f"a workshop can stay open for 1 to {MAX_VALID_DAYS} days, not {days}")
    return utcnow() + timedelta(days=days)


def _unused_code(session: Session) -> str:
    """A join code no workshop has ever had (a collision is rare; a handful of tries is plenty)."""
    for _ in range(20):
        code = new_join_code()
        if session.exec(select(Workshop.id).where(Workshop.join_code == code)).first() is None:
            return code
    raise FoundationsError("could not find an unused join code; try again")  # pragma: no cover


def _organisation_for(session: Session, name: str) -> Organisation:
    """The organisation the workshop is for: one the actor belongs to, else a new one.

    Running a workshop in an existing organisation needs only a role there, not the
    right to create organisations. A name the actor cannot see goes the way of a new
    organisation (administrators only in shared mode), so the answer never tells an
    outsider that the name exists.
    """
    name = clean_name("organisation", name)
    query = select(Organisation).where(Organisation.name == name)
    visible = session.exec(only_visible(session, query, col(Organisation.id))).first()
    return visible or ensure_organisation(session, name=name)


def create_workshop(
    session: Session,
    *,
    organisation: str,
    teams: list[str],
    bank: Bank,
    facilitator: str,
    title: str | None = None,
    valid_days: int = DEFAULT_VALID_DAYS,
) -> CreatedWorkshop:
    """Open a workshop with a new assessment round for each team (teams are created if missing).

    Every input is checked before anything is written, and the actor needs the
    right to run workshops in the organisation (shared mode); on any error the
    caller's transaction rolls back and nothing is saved.
    """
    expires_at = _valid_until(valid_days)
    names = [clean_name("team", t) for t in teams]
    if not names:
        raise FoundationsError("a workshop needs at least one team")
    seen: set[str] = set()
    for name in names:
        if name.casefold() in seen:
            raise FoundationsError(f"a team is named twice: {name}")
        seen.add(name.casefold())
    title = clean_name("workshop", title) if (title or "").strip() else None
    facilitator = checked_author(facilitator)
    org = _organisation_for(session, organisation)
    authorize_in(session, None, Action.RUN_WORKSHOPS, access.organisation(org.id or 0))
    title = title or f"{org.name} workshop {utcnow():%Y-%m-%d}"
    key = new_secret()
    workshop = Workshop(
        organisation_id=org.id or 0,
        title=title,
        join_code=_unused_code(session),
        facilitator_key_hash=digest(key),
        facilitator=facilitator,
        expires_at=expires_at,
    )
    session.add(workshop)
    session.flush()
    stored = store_bank(session, bank=bank)
    created: dict[str, int] = {}
    for name in names:
        team = ensure_team(session, organisation_id=org.id or 0, name=name)
        assessment = create_assessment(
            session,
            team_id=team.id or 0,
            bank_version_id=stored.id or 0,
            created_by=facilitator,
            label=workshop.title,
        )
        session.add(WorkshopTeam(workshop_id=workshop.id or 0, team_id=team.id or 0, assessment_id=assessment.id or 0))
        created[team.name] = assessment.id or 0
    return CreatedWorkshop(workshop.id or 0, workshop.join_code, key, workshop.expires_at, created, org.id or 0)


def any_workshop(session: Session) -> bool:
    """Whether a workshop was ever created here: until one is, the Workshop page opens on creating one."""
    return session.exec(select(Workshop.id).limit(1)).first() is not None


def get_workshop(session: Session, *, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFoundError(f"no workshop with id {workshop_id}")
    return workshop


def close_workshop(workshop: Workshop) -> None:
    """Stop the join code and every participant link; answers and the dashboard stay."""
    if workshop.status != CLOSED:
        workshop.status = CLOSED
        workshop.closed_at = utcnow()


def reopen_workshop(workshop: Workshop, *, valid_days: int = DEFAULT_VALID_DAYS) -> None:
    """Let the same code and links work again, for `valid_days` from now."""
    workshop.status = OPEN
    workshop.closed_at = None
    workshop.expires_at = _valid_until(valid_days)


def reset_facilitator_key(workshop: Workshop) -> str:
    """Replace a lost facilitator key; the old one stops working. Returns the new key (shown once)."""
    key = new_secret()
    workshop.facilitator_key_hash = digest(key)
    return key


@dataclass(frozen=True)
class TeamProgress:
    workshop_team_id: int
    team: str
    assessment_id: int
    participants: int
    finished: int
    individual_answers: int
    agreed_answers: int


def team_progress(session: Session, *, workshop_id: int) -> list[TeamProgress]:
    """Per team: how many joined, finished, answered individually, and how many answers are agreed."""
    rows = []
    for wt, name in teams_of(session, workshop_id=workshop_id):
        joined, finished = session.exec(
            select(func.count(), func.count(col(Participant.finished_at))).where(Participant.workshop_team_id == wt.id)
        ).one()
        given = session.exec(
            select(func.count())
            .select_from(ParticipantAnswer)
            .join(Participant, col(Participant.id) == ParticipantAnswer.participant_id)
            .where(Participant.workshop_team_id == wt.id)
        ).one()
        agreed = session.exec(
            select(func.count()).select_from(Answer).where(Answer.assessment_id == wt.assessment_id)
        ).one()
        rows.append(TeamProgress(wt.id or 0, name, wt.assessment_id, joined, finished, given, agreed))
    return rows


def workshop_status(session: Session, *, workshop_id: int) -> dict[str, object]:
    """Everything `foundations workshop status` prints, as plain data (no secrets)."""
    workshop = get_workshop(session, workshop_id=workshop_id)
    org = session.get(Organisation, workshop.organisation_id)
    return {
        "id": workshop.id,
        "title": workshop.title,
        "organisation": org.name if org else None,
        "join_code": format_join_code(workshop.join_code),
        "status": workshop.status,
        "accepting_participants": accepts_participants(workshop),
        "facilitator": workshop.facilitator,
        "created_at": workshop.created_at,
        "expires_at": workshop.expires_at,
        "closed_at": workshop.closed_at,
        "teams": [asdict(p) for p in team_progress(session, workshop_id=workshop_id)],
    }
