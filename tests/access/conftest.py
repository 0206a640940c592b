"""Access fixtures: two organisations, one person per role in the first, an outsider who owns the second.

Organisation A ("Acme") has a team with a round and a workshop; organisation B
("Globex") has the same, so every check can be tried on a record of one's own
organisation and on a record of somebody else's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from assessment.access.policy import COMMAND_LINE, Actor, Role, acting_as, bind, signed_in
from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.config import get_settings
from assessment.models.access import AuditEvent
from assessment.models.assessments import Assessment, Team
from assessment.organisations.members import grant
from assessment.workshops.admin import create_workshop
from tests.conftest import empty_database


@dataclass(frozen=True)
class Org:
    id: int
    name: str
    team_id: int
    assessment_id: int
    workshop_id: int
    facilitator_key: str
    bank_version_id: int


@dataclass(frozen=True)
class World:
    engine: Engine
    a: Org
    b: Org

    def actor(self, role: Role) -> Actor:
        """The person holding `role` in organisation A."""
        return signed_in(f"{role.value}@acme.example")

    @property
    def outsider(self) -> Actor:
        """Owner of organisation B, nothing in A."""
        return signed_in("owner@globex.example")

    def as_(self, actor: Actor | None) -> Engine:
        """The database as `actor` sees it: what the app hands a signed-in page."""
        return bind(self.engine, actor)

    def audit(self) -> list[AuditEvent]:
        with db.read_session(self.engine) as session:
            return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)))  # type: ignore[arg-type]


def _org(engine: Engine, bank: Bank, name: str) -> Org:
    with acting_as(COMMAND_LINE), db.write_session(engine) as session:
        created = create_workshop(session, organisation=name, teams=["Payments"], bank=bank, facilitator="Fran")
        assessment_id = created.assessment_ids["Payments"]
        assessment = session.get(Assessment, assessment_id)
        assert assessment is not None
        team = session.exec(select(Team).where(Team.id == assessment.team_id)).one()
        return Org(
            team.organisation_id,
            name,
            team.id or 0,
            assessment_id,
            created.id,
            created.facilitator_key,
            assessment.bank_version_id,
        )


@pytest.fixture
def shared_mode(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """FOUNDATIONS_MODE=shared with one install administrator, for the length of the test."""
    monkeypatch.setenv("FOUNDATIONS_MODE", "shared")
    monkeypatch.setenv("FOUNDATIONS_ADMIN_EMAILS", "Admin@Install.example")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def build_world(engine: Engine, bank: Bank) -> World:
    a, b = _org(engine, bank, "Acme"), _org(engine, bank, "Globex")
    for role in Role:
        grant(engine, actor=COMMAND_LINE, organisation_id=a.id, email=f"{role.value}@acme.example", role=role)
    grant(engine, actor=COMMAND_LINE, organisation_id=b.id, email="owner@globex.example", role=Role.OWNER)
    return World(engine, a, b)


@pytest.fixture
def world(engine: Engine, bank: Bank, shared_mode: None) -> World:
    """A fresh world for a test that changes memberships or records."""
    return build_world(engine, bank)


@pytest.fixture(scope="module")
def module_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database for a module of read-mostly tests (a migration per test would dominate their time)."""
    with empty_database(tmp_path_factory.mktemp("access")) as url:
        yield url


@pytest.fixture(scope="module")
def shared_world(module_database: str, bank: Bank) -> Iterator[World]:
    """One world per module; tests on it only add rows (audit events, a new member, new organisations)."""
    engine = db.make_engine(module_database)
    db.upgrade(engine)
    yield build_world(engine, bank)
    engine.dispose()
