"""Two organisations to try every access check on: one person per role in the first, an outsider who owns the second.

Organisation A ("Acme") has a team with a round and a workshop; organisation B
("Globex") has the same, so every check can be tried on a record of one's own
organisation and on a record of somebody else's.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import select

from assessment.access.policy import COMMAND_LINE, Actor, Role, acting_as, bind, signed_in
from assessment.bank.loader import default_bank
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.models.access import AuditEvent
from assessment.models.assessments import Assessment, Team
from assessment.organisations.directory import find_organisation, find_team
from assessment.organisations.members import grant
from assessment.workshops.admin import create_workshop
from tests.support.builders import demo_round

OWNER, VIEWER, OTHER = "ana@northwind.example", "vic@northwind.example", "gus@globex.example"
SECRET = "Skunkworks"  # the other organisation's team: must never appear on a Northwind page
TEST_ISSUER = "https://sign-in.test"  # the issuer the page tests' sign-ins come from (FOUNDATIONS_TRUSTED_ISSUERS)


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


def build_world(engine: Engine, bank: Bank) -> World:
    """Acme and Globex, one person per role in Acme, and Globex's owner."""
    a, b = _org(engine, bank, "Acme"), _org(engine, bank, "Globex")
    for role in Role:
        grant(engine, actor=COMMAND_LINE, organisation_id=a.id, email=f"{role.value}@acme.example", role=role)
    grant(engine, actor=COMMAND_LINE, organisation_id=b.id, email="owner@globex.example", role=Role.OWNER)
    return World(engine, a, b)


# --- the demo install the page tests sign in to -------------------------------------------------------------


@dataclass(frozen=True)
class Install:
    engine: Engine
    northwind_round: int
    globex_round: int
    globex_workshop: int
    globex_key: str
    globex_code: str


def build_install(engine: Engine) -> Install:
    """The demo organisation plus Globex (one team, one workshop); Ana owns Northwind, Vic views it, Gus owns Globex."""
    with acting_as(COMMAND_LINE), db.write_session(engine) as session:
        created = create_workshop(
            session, organisation="Globex", teams=[SECRET], bank=default_bank(), facilitator=OTHER
        )
        northwind = find_organisation(session, name=DEMO_ORG)
        globex = find_team(session, team=SECRET, organisation="Globex").organisation_id
    assert northwind is not None
    for email, org_id, role in [
        (OWNER, northwind.id or 0, Role.OWNER),
        (VIEWER, northwind.id or 0, Role.VIEWER),
        (OTHER, globex, Role.OWNER),
    ]:
        grant(engine, actor=COMMAND_LINE, organisation_id=org_id, email=email, role=role)
    with acting_as(COMMAND_LINE):
        northwind_round = demo_round(engine, "Payments")
    return Install(
        engine,
        northwind_round,
        created.assessment_ids[SECRET],
        created.id,
        created.facilitator_key,
        created.join_code,
    )
