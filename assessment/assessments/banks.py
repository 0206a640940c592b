"""An organisation's question banks: publish a checked bank, list the banks its rounds may use, pick one for a round.

A published bank version is immutable: rounds already answered on it must keep
meaning what they meant, so publishing other content under a stored id and version
is refused (give the edit a new version) and publishing the same content again
changes nothing. The shipped bank is every organisation's default; it is stored the
first time a round uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assessment.access.policy import Action, Actor, acting, authorize, organisation, record_done
from assessment.assessments.lookup import bank_of, get_bank_version
from assessment.assessments.repository import store_bank
from assessment.bank.loader import default_bank
from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.errors import NotFoundError
from assessment.models.assessments import BankVersion, Organisation, Team
from assessment.models.banks import PublishedBank


@dataclass(frozen=True)
class BankChoice:
    """A bank an organisation's new rounds may use."""

    bank_version_id: int | None  # None: the shipped bank, stored when a round first uses it
    bank_id: str
    version: str
    title: str
    published_by: str | None = None
    published_at: datetime | None = None

    @property
    def label(self) -> str:
        """'Acme bank (acme 1.1), published by ana@acme.example' or '... (shipped)' for pickers."""
        where = "shipped with Foundations" if self.bank_version_id is None else f"published by {self.published_by}"
        return f"{self.title} ({self.bank_id} {self.version}), {where}"


@dataclass(frozen=True)
class Published:
    """What publishing did: the stored version, and whether it was new for the organisation."""

    choice: BankChoice
    new: bool
    said: str


def publish_bank(engine: Engine, *, actor: Actor | None, organisation_id: int, bank: Bank) -> Published:
    """Publish a checked bank for the organisation (owners only); the same content again is a no-op."""
    authorize(engine, actor, Action.PUBLISH_BANKS, organisation(organisation_id))
    with db.write_session(engine) as session:
        return store_published(session, organisation_id=organisation_id, bank=bank, by=str(acting(actor, engine)))


def store_published(session: Session, *, organisation_id: int, bank: Bank, by: str) -> Published:
    """Store the version (refused if that id and version hold other content) and its publication, with an audit row."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"no organisation with id {organisation_id}")
    stored = store_bank(session, bank=bank)
    row = session.exec(
        select(PublishedBank).where(
            PublishedBank.organisation_id == organisation_id, PublishedBank.bank_version_id == stored.id
        )
    ).first()
    name = f"{bank.id} {bank.version}"
    if row is not None:
        return Published(_choice(stored, row), False, f"{name} is already published for {org.name}: nothing changed")
    row = PublishedBank(organisation_id=organisation_id, bank_version_id=stored.id or 0, published_by=by)
    session.add(row)
    said = f"{name} ({bank.bank.title}) is published for {org.name}: new rounds may use it"
    record_done(
        session, by=by, action=Action.PUBLISH_BANKS, organisation_id=organisation_id, target=f"bank {name}", detail=said
    )
    session.flush()
    return Published(_choice(stored, row), True, said)


def _choice(stored: BankVersion, row: PublishedBank) -> BankChoice:
    return BankChoice(stored.id, stored.bank_id, stored.version, stored.title, row.published_by, row.published_at)


def shipped_choice() -> BankChoice:
    """The bank shipped with Foundations: every organisation's default."""
    bank = default_bank()
    return BankChoice(None, bank.id, bank.version, bank.bank.title)


def organisation_banks(session: Session, *, organisation_id: int) -> list[BankChoice]:
    """The shipped bank first, then the organisation's published versions, newest first (callers checked access)."""
    shipped = shipped_choice()
    rows = session.exec(
        select(BankVersion, PublishedBank)
        .join(PublishedBank, col(PublishedBank.bank_version_id) == BankVersion.id)
        .where(PublishedBank.organisation_id == organisation_id)
        .order_by(col(PublishedBank.published_at).desc(), col(PublishedBank.id).desc())
    ).all()
    published = [_choice(stored, row) for stored, row in rows]
    return [shipped, *(c for c in published if (c.bank_id, c.version) != (shipped.bank_id, shipped.version))]


def find_published(session: Session, *, organisation_id: int, bank_id: str, version: str | None = None) -> BankChoice:
    """A published bank by id (its newest publication when no version is given); NotFoundError names the choices."""
    choices = organisation_banks(session, organisation_id=organisation_id)
    found = [c for c in choices if c.bank_id == bank_id and version in (None, c.version)]
    if not found:
        known = ", ".join(f"{c.bank_id} {c.version}" for c in choices)
        wanted = f"{bank_id} {version}" if version else bank_id
        raise NotFoundError(f"no bank {wanted} published for this organisation; it may use: {known}")
    return found[0]


def bank_for_round(session: Session, *, team_id: int, bank_version_id: int | None) -> BankVersion:
    """The stored bank a new round of the team uses: the shipped one (None) or one its organisation published."""
    if bank_version_id is None:
        return store_bank(session, bank=default_bank())
    team = session.get(Team, team_id)
    published = session.exec(
        select(PublishedBank.id).where(
            PublishedBank.bank_version_id == bank_version_id,
            PublishedBank.organisation_id == (team.organisation_id if team else -1),
        )
    ).first()
    if published is None:
        raise NotFoundError(f"no bank version {bank_version_id} is published for this team's organisation")
    return get_bank_version(session, bank_version_id=bank_version_id)


def bank_of_choice(session: Session, choice: BankChoice) -> Bank:
    """The Bank a choice holds (the shipped one is read from its file, the others from their stored snapshot)."""
    if choice.bank_version_id is None:
        return default_bank()
    return bank_of(get_bank_version(session, bank_version_id=choice.bank_version_id))
