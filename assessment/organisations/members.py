"""Owners invite by e-mail, change roles, remove members and read the audit log; administrators create organisations.

Each function takes the engine, not a session: it checks the actor first (a
refusal is recorded on its own), then makes its change and the audit row that
describes it in one short transaction, so the log never claims a change that
was rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assessment.access.policy import (
    INSTALL,
    Action,
    Actor,
    Role,
    acting,
    authorize,
    organisation,
    record_done,
)
from assessment.core import db
from assessment.core.emails import clean_email
from assessment.core.errors import FoundationsError, NotFoundError
from assessment.models.access import AuditEvent, Membership
from assessment.models.assessments import Organisation
from assessment.organisations.directory import clean_name, find_organisation

AUDIT_PAGE = 200


def parse_role(text: str | None) -> Role:
    """A role from user text, or an error listing the four."""
    try:
        return Role((text or "").strip().lower())
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise FoundationsError(f"{text!r} is not a role: choose one of {names}") from None


@dataclass(frozen=True)
class MemberRow:
    email: str
    role: Role
    granted_by: str
    granted_at: datetime


def members(engine: Engine, *, actor: Actor | None, organisation_id: int) -> list[MemberRow]:
    """The organisation's members, owners first, then by address (for those who manage them)."""
    authorize(engine, actor, Action.MANAGE_MEMBERS, organisation(organisation_id))
    order = {role: i for i, role in enumerate(Role)}
    with db.read_session(engine) as session:
        _organisation(session, organisation_id)
        rows = session.exec(select(Membership).where(Membership.organisation_id == organisation_id))
        found = [MemberRow(m.email, Role(m.role), m.granted_by, m.granted_at) for m in rows]
    return sorted(found, key=lambda m: (order[m.role], m.email))


def _audit(session: Session, actor: Actor | None, organisation_id: int, target: str, detail: str) -> None:
    record_done(
        session,
        by=str(actor),
        action=Action.MANAGE_MEMBERS,
        organisation_id=organisation_id,
        target=target,
        detail=detail,
    )


def _organisation(session: Session, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"no organisation with id {organisation_id}")
    return org


def _other_owners(session: Session, organisation_id: int, email: str) -> int:
    """Owners besides `email`, their rows locked (PostgreSQL) so two owners cannot demote each other at once."""
    rows = session.exec(
        select(Membership.id)
        .where(
            Membership.organisation_id == organisation_id,
            Membership.role == Role.OWNER.value,
            Membership.email != email,
        )
        .with_for_update()
    )
    return len(list(rows))


def _keep_an_owner(session: Session, org: Organisation, existing: Membership) -> None:
    if existing.role == Role.OWNER.value and not _other_owners(session, org.id or 0, existing.email):
        raise FoundationsError(f"{existing.email} is the last owner of {org.name}: make someone else owner first")


def grant(engine: Engine, *, actor: Actor | None, organisation_id: int, email: str, role: Role | str) -> str:
    """Give the address this role in the organisation (inviting it, or changing its role); say what changed."""
    authorize(engine, actor, Action.MANAGE_MEMBERS, organisation(organisation_id))
    role = parse_role(role)
    address = clean_email(email)
    with db.write_session(engine) as session:
        org = _organisation(session, organisation_id)
        existing = session.exec(
            select(Membership).where(Membership.organisation_id == organisation_id, Membership.email == address)
        ).first()
        if existing is None:
            session.add(
                Membership(
                    organisation_id=organisation_id,
                    email=address,
                    role=role.value,
                    granted_by=str(acting(actor, engine)),
                )
            )
            said = f"{address} joined {org.name} as {role.value}"
        elif existing.role == role.value:
            return f"{address} already is {role.value} in {org.name}"
        else:
            if role is not Role.OWNER:
                _keep_an_owner(session, org, existing)
            said = f"{address} is now {role.value} in {org.name} (was {existing.role})"
            existing.role, existing.granted_by = role.value, str(acting(actor, engine))
            session.add(existing)
        _audit(session, acting(actor, engine), organisation_id, address, said)
    return said


def revoke(engine: Engine, *, actor: Actor | None, organisation_id: int, email: str) -> str:
    """Remove the address from the organisation; say what changed."""
    authorize(engine, actor, Action.MANAGE_MEMBERS, organisation(organisation_id))
    address = clean_email(email)
    with db.write_session(engine) as session:
        org = _organisation(session, organisation_id)
        existing = session.exec(
            select(Membership).where(Membership.organisation_id == organisation_id, Membership.email == address)
        ).first()
        if existing is None:
            raise NotFoundError(f"{address} is not a member of {org.name}")
        _keep_an_owner(session, org, existing)
        session.delete(existing)
        said = f"{address} no longer belongs to {org.name} (was {existing.role})"
        _audit(session, acting(actor, engine), organisation_id, address, said)
    return said


def create_organisation(engine: Engine, *, actor: Actor | None, name: str) -> int:
    """Create an organisation (install administrators only); return its id, or refuse a taken name."""
    authorize(engine, actor, Action.CREATE_ORGANISATION, INSTALL)
    name = clean_name("organisation", name)
    with db.write_session(engine) as session:
        if find_organisation(session, name=name) is not None:
            raise FoundationsError(f"an organisation named {name!r} already exists")
        org = Organisation(name=name)
        session.add(org)
        session.flush()
        _audit(session, acting(actor, engine), org.id or 0, f"organisation {org.id}", f"created {name}")
        return org.id or 0


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    outcome: str
    target: str
    detail: str


def audit_log(engine: Engine, *, actor: Actor | None, organisation_id: int, limit: int = AUDIT_PAGE) -> list[AuditRow]:
    """The organisation's audit log, newest first (owners only)."""
    authorize(engine, actor, Action.READ_AUDIT_LOG, organisation(organisation_id))
    with db.read_session(engine) as session:
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.organisation_id == organisation_id)
            .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
            .limit(limit)
        )
        return [AuditRow(e.at, e.actor, e.action, e.outcome, e.target, e.detail) for e in rows]
