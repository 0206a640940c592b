"""Who may do what: roles per organisation, the role x action matrix, and the one check every action passes.

Local mode (the default) has one actor who may do everything, and the check costs
nothing. In shared mode a person signs in with an e-mail address, holds one role
per organisation, and sees only the organisations they belong to: to an outsider
another organisation's records do not exist (NotFoundError, the same message as a
mistyped id), while a member whose role does not allow an action is told so
(AccessDenied). Every refusal is written to the audit log in its own short
transaction, after the caller's has ended, so it survives the caller's rollback and
never waits on a lock the caller holds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from assessment.core import db
from assessment.core.config import get_settings
from assessment.core.emails import clean_email
from assessment.core.errors import FoundationsError, NotFoundError
from assessment.models.access import AuditEvent, Membership
from assessment.models.assessments import Assessment, Organisation, Team
from assessment.models.workshops import Workshop

log = logging.getLogger(__name__)

DENIED, DONE = "denied", "done"
NOBODY = "not signed in"


class Role(StrEnum):
    OWNER = "owner"
    FACILITATOR = "facilitator"
    MEMBER = "member"
    VIEWER = "viewer"


class Action(StrEnum):
    VIEW_RESULTS = "view_results"
    ANSWER = "answer"
    MANAGE_ROUNDS = "manage_rounds"
    DOWNLOAD_REPORT = "download_report"
    EXPORT = "export"
    VIEW_PORTFOLIO = "view_portfolio"
    IMPORT_DORA = "import_dora"
    RUN_WORKSHOPS = "run_workshops"
    MANAGE_MEMBERS = "manage_members"
    BRAND_REPORTS = "brand_reports"
    PUBLISH_BANKS = "publish_banks"
    READ_AUDIT_LOG = "read_audit_log"
    CREATE_ORGANISATION = "create_organisation"


PHRASES: Mapping[Action, str] = {
    Action.VIEW_RESULTS: "see assessments and results",
    Action.ANSWER: "answer questions",
    Action.MANAGE_ROUNDS: "start or close rounds",
    Action.DOWNLOAD_REPORT: "download reports",
    Action.EXPORT: "export data",
    Action.VIEW_PORTFOLIO: "see the portfolio",
    Action.IMPORT_DORA: "import DORA data",
    Action.RUN_WORKSHOPS: "run workshops",
    Action.MANAGE_MEMBERS: "invite members or change roles",
    Action.BRAND_REPORTS: "set the reports' branding",
    Action.PUBLISH_BANKS: "publish question banks",
    Action.READ_AUDIT_LOG: "read the audit log",
    Action.CREATE_ORGANISATION: "create organisations",
}

_READ = frozenset({Action.VIEW_RESULTS, Action.DOWNLOAD_REPORT, Action.VIEW_PORTFOLIO})
_TEAM_WORK = _READ | {Action.ANSWER, Action.MANAGE_ROUNDS, Action.IMPORT_DORA}

ALLOWED: Mapping[Role, frozenset[Action]] = {
    Role.OWNER: _TEAM_WORK
    | {
        Action.EXPORT,
        Action.RUN_WORKSHOPS,
        Action.MANAGE_MEMBERS,
        Action.BRAND_REPORTS,
        Action.PUBLISH_BANKS,
        Action.READ_AUDIT_LOG,
    },
    Role.FACILITATOR: _TEAM_WORK | {Action.EXPORT, Action.RUN_WORKSHOPS},
    Role.MEMBER: _TEAM_WORK,
    Role.VIEWER: _READ,
}
"""The role x action matrix. Creating organisations is an install-wide action: administrators only."""


class AccessDenied(FoundationsError):
    """The actor may see the organisation but their role does not allow this action."""


@dataclass(frozen=True)
class Actor:
    """Whoever acts: a signed-in address, the local user, or the command line (which holds the database)."""

    email: str | None
    is_admin: bool = False
    local: bool = False
    name: str = ""

    def __str__(self) -> str:
        return self.email or self.name or NOBODY


def local_actor() -> Actor:
    """The single user of a local install: allowed everything, asked nothing."""
    return Actor(email=None, is_admin=True, local=True, name=get_settings().default_user)


COMMAND_LINE = Actor(email=None, is_admin=True, local=True, name="command line")
_process_actor: ContextVar[Actor | None] = ContextVar("foundations_process_actor", default=None)
_ACTOR_OPTION = "foundations_actor"


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Within the block, an action given no actor is taken by `actor` (the CLI runs as COMMAND_LINE)."""
    token = _process_actor.set(actor)
    try:
        yield
    finally:
        _process_actor.reset(token)


def signed_in(email: str) -> Actor:
    """The actor for an address the sign-in provider vouched for; administrators come from configuration."""
    address = clean_email(email)
    return Actor(email=address, is_admin=address in get_settings().admins)


def bind(engine: Engine, actor: Actor | None) -> Engine:
    """The same database as seen by `actor`: every check made through it (or its sessions) uses that actor.

    The app hands each page an engine bound to whoever is signed in, so domain
    functions deep inside a call find the actor without it being passed down.
    """
    return engine.execution_options(**{_ACTOR_OPTION: actor})


def acting(actor: Actor | None, through: Engine | Connection | None = None) -> Actor | None:
    """Who acts: the actor given, else the one the engine is bound to, else the command line, else local mode's user.

    None means nobody: shared mode without a sign-in, which every check refuses.
    """
    if actor is not None:
        return actor
    options = through.get_execution_options() if through is not None else {}
    if _ACTOR_OPTION in options:
        bound: Actor | None = options[_ACTOR_OPTION]
        return bound
    actor = _process_actor.get()
    if actor is not None:
        return actor
    return None if get_settings().shared else local_actor()


def _through(session: Session) -> Engine | Connection:
    return session.get_bind()


class Kind(StrEnum):
    INSTALL = "install"
    ORGANISATION = "organisation"
    TEAM = "team"
    ASSESSMENT = "assessment"
    WORKSHOP = "workshop"


@dataclass(frozen=True)
class Target:
    """What an action is about; the check finds its organisation."""

    kind: Kind
    id: int = 0

    def __str__(self) -> str:
        return "the install" if self.kind is Kind.INSTALL else f"{self.kind.value} {self.id}"

    def not_found(self) -> NotFoundError:
        """The error for a missing record, worded like the domain's own lookups."""
        return NotFoundError(f"no {self.kind.value} with id {self.id}")


INSTALL = Target(Kind.INSTALL)


def organisation(organisation_id: int) -> Target:
    return Target(Kind.ORGANISATION, organisation_id)


def team(team_id: int) -> Target:
    return Target(Kind.TEAM, team_id)


def assessment(assessment_id: int) -> Target:
    return Target(Kind.ASSESSMENT, assessment_id)


def workshop(workshop_id: int) -> Target:
    return Target(Kind.WORKSHOP, workshop_id)


def _organisation_query(target: Target) -> Any:
    if target.kind is Kind.ORGANISATION:
        return select(Organisation.id).where(Organisation.id == target.id)
    if target.kind is Kind.TEAM:
        return select(Team.organisation_id).where(Team.id == target.id)
    if target.kind is Kind.ASSESSMENT:
        return (
            select(Team.organisation_id)
            .join(Assessment, col(Assessment.team_id) == Team.id)
            .where(Assessment.id == target.id)
        )
    return select(Workshop.organisation_id).where(Workshop.id == target.id)


def organisation_of(session: Session, target: Target) -> int | None:
    """The organisation a record belongs to (None for the install, or a record that does not exist)."""
    if target.kind is Kind.INSTALL:
        return None
    found: int | None = session.exec(_organisation_query(target)).first()
    return found


def role_in(session: Session, actor: Actor | None, organisation_id: int) -> Role | None:
    """The actor's role in the organisation; owners' rights for the local user and administrators."""
    if actor is None:
        return None
    if actor.local or actor.is_admin:
        return Role.OWNER
    role = session.exec(
        select(Membership.role).where(Membership.organisation_id == organisation_id, Membership.email == actor.email)
    ).first()
    return Role(role) if role else None


def may(session: Session, actor: Actor | None, action: Action, organisation_id: int | None) -> bool:
    """Whether the actor may take the action (for showing or hiding controls; it records nothing)."""
    actor = acting(actor, _through(session))
    if actor is not None and (actor.local or actor.is_admin):
        return True
    if action is Action.CREATE_ORGANISATION or organisation_id is None:
        return False
    role = role_in(session, actor, organisation_id)
    return role is not None and action in ALLOWED[role]


def visible_organisations(session: Session, actor: Actor | None) -> list[Organisation]:
    """The organisations the actor belongs to, by name (all of them for the local user and administrators)."""
    query = select(Organisation).order_by(Organisation.name)
    return list(session.exec(only_visible(session, query, col(Organisation.id), actor)))


_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


def only_visible(
    session: Session, query: _Query, organisation_id: Mapped[int | None] | Mapped[int], actor: Actor | None = None
) -> _Query:
    """Narrow a query to rows of organisations the actor belongs to (unchanged for the local user and admins)."""
    actor = acting(actor, _through(session))
    if actor is not None and (actor.local or actor.is_admin):
        return query
    if actor is None:
        return query.where(sa.false())
    return query.where(organisation_id.in_(select(Membership.organisation_id).where(Membership.email == actor.email)))


@dataclass(frozen=True)
class Refusal:
    """A decided refusal: the error to raise and the audit row to write once the caller's transaction ends."""

    error: FoundationsError
    event: dict[str, Any]


def _decide(session: Session, actor: Actor | None, action: Action, target: Target) -> Refusal | None:
    if actor is not None and (actor.local or actor.is_admin):
        return None
    org_id = organisation_of(session, target)
    if target.kind is not Kind.INSTALL and org_id is None:
        raise target.not_found()  # nothing to protect and nobody to tell
    event = {
        "actor": str(actor) if actor else NOBODY,
        "action": action.value,
        "outcome": DENIED,
        "organisation_id": org_id,
        "target": str(target),
    }
    if actor is None:
        return Refusal(
            AccessDenied("Please sign in first: this Foundations install is shared."),
            {**event, "detail": "not signed in"},
        )
    if org_id is None:
        return Refusal(
            AccessDenied(f"Only an install administrator can {PHRASES[action]}."),
            {**event, "detail": "not an administrator"},
        )
    role = role_in(session, actor, org_id)
    if role is None:
        return Refusal(target.not_found(), {**event, "detail": "not a member of the organisation"})
    if action in ALLOWED[role]:
        return None
    return Refusal(_denied(session, role, action, org_id), {**event, "detail": f"role {role.value}"})


def _denied(session: Session, role: Role, action: Action, organisation_id: int) -> AccessDenied:
    name = session.exec(select(Organisation.name).where(Organisation.id == organisation_id)).one()
    article = "an" if role is Role.OWNER else "a"
    return AccessDenied(
        f"You are {article} {role.value} in {name}, and a {role.value} cannot "
        f"{PHRASES[action]}. An owner of {name} can change your role."
    )


def record_done(session: Session, *, by: str, action: Action, organisation_id: int, target: str, detail: str) -> None:
    """The audit row of a change, in the caller's transaction: it is kept exactly when the change is."""
    session.add(
        AuditEvent(
            actor=by, action=action.value, outcome=DONE, organisation_id=organisation_id, target=target, detail=detail
        )
    )


def record_done_in(session: Session, action: Action, target: Target, detail: str) -> None:
    """The audit row of a change by whoever acts in this session (as `authorize_in` found them), kept with it."""
    actor = acting(None, _through(session))
    session.add(
        AuditEvent(
            actor=str(actor) if actor is not None else NOBODY,
            action=action.value,
            outcome=DONE,
            organisation_id=organisation_of(session, target),
            target=str(target),
            detail=detail,
        )
    )


def record_event(engine: Engine, event: Mapping[str, Any]) -> None:
    """Write one audit row in its own short transaction (a failure to log is logged, never raised)."""
    try:
        with db.write_session(engine) as session:
            session.add(AuditEvent(**event))
    except sa.exc.SQLAlchemyError:
        log.exception("could not record an audit event: %s", dict(event))


def authorize(engine: Engine, actor: Actor | None, action: Action, target: Target) -> None:
    """Allow, or record the refusal and raise it. Call it before opening your own write transaction."""
    actor = acting(actor, engine)
    if actor is not None and (actor.local or actor.is_admin):
        return
    with db.read_session(engine) as session:
        refusal = _decide(session, actor, action, target)
    if refusal is not None:
        record_event(engine, refusal.event)
        raise refusal.error


def authorize_in(session: Session, actor: Actor | None, action: Action, target: Target) -> None:
    """The same check inside the caller's session; the refusal is recorded once that transaction has ended.

    The check reads through the caller's own connection, and the audit row is
    written after the caller's transaction closes (normally rolled back by this
    very error), so SQLite's single writer never waits on itself.
    """
    actor = acting(actor, _through(session))
    if actor is not None and (actor.local or actor.is_admin):
        return
    refusal = _decide(session, actor, action, target)
    if refusal is None:
        return
    bind = session.get_bind()  # an engine, or the connection a DORA import stages its rows on
    engine = bind if isinstance(bind, Engine) else bind.engine
    if not session.in_transaction():
        record_event(engine, refusal.event)
        raise refusal.error
    pending = [refusal.event]

    def _record(_session: Session, transaction: Any) -> None:
        if transaction.parent is None and pending:  # the outermost transaction, once
            record_event(engine, pending.pop())

    sa.event.listen(session, "after_transaction_end", _record)
    raise refusal.error
