"""Owners invite and change roles, a user sees only their organisations, refusals survive rollbacks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import select

from assessment.access import policy as access
from assessment.access.policy import (
    AccessDenied,
    Action,
    Role,
    authorize,
    authorize_in,
    local_actor,
    may,
    organisation,
    signed_in,
    visible_organisations,
)
from assessment.assessments.repository import create_assessment, list_assessments
from assessment.core import db
from assessment.core.config import Settings
from assessment.core.errors import FoundationsError, NotFoundError
from assessment.models.access import AuditEvent
from assessment.models.assessments import Team
from assessment.organisations.directory import ensure_organisation, list_organisations, list_teams
from assessment.organisations.members import audit_log, create_organisation, grant, members, revoke
from tests.support.access_world import World


def test_an_owner_invites_by_address_and_changes_roles(world: World) -> None:
    owner = world.actor(Role.OWNER)
    said = grant(world.engine, actor=owner, organisation_id=world.a.id, email="  Dana@Acme.Example ", role="viewer")
    assert said == "dana@acme.example joined Acme as viewer"
    dana = signed_in("DANA@acme.example")
    with db.read_session(world.engine) as session:
        assert [o.name for o in visible_organisations(session, dana)] == ["Acme"]
        assert not may(session, dana, Action.ANSWER, world.a.id)
    grant(world.engine, actor=owner, organisation_id=world.a.id, email="dana@acme.example", role=Role.MEMBER)
    with db.read_session(world.engine) as session:
        assert may(session, dana, Action.ANSWER, world.a.id)
    roles = {m.email: m.role for m in members(world.engine, actor=owner, organisation_id=world.a.id)}
    assert roles["dana@acme.example"] is Role.MEMBER
    assert len(roles) == 5
    log = audit_log(world.engine, actor=owner, organisation_id=world.a.id)
    assert log[0].detail == "dana@acme.example is now member in Acme (was viewer)"
    assert (log[0].actor, log[0].outcome) == ("owner@acme.example", "done")


def test_revoked_people_no_longer_see_the_organisation(world: World) -> None:
    viewer = world.actor(Role.VIEWER)
    revoke(world.engine, actor=world.actor(Role.OWNER), organisation_id=world.a.id, email="viewer@acme.example")
    with db.read_session(world.engine) as session:
        assert visible_organisations(session, viewer) == []
    with pytest.raises(NotFoundError):
        authorize(world.engine, viewer, Action.VIEW_RESULTS, organisation(world.a.id))
    with pytest.raises(NotFoundError, match="not a member of Acme"):
        revoke(
            world.engine,
            actor=world.actor(Role.OWNER),
            organisation_id=world.a.id,
            email="viewer@acme.example",
        )


def test_an_organisation_keeps_an_owner(world: World) -> None:
    owner = world.actor(Role.OWNER)
    with pytest.raises(FoundationsError, match="last owner of Acme"):
        revoke(world.engine, actor=owner, organisation_id=world.a.id, email="owner@acme.example")
    with pytest.raises(FoundationsError, match="last owner"):
        grant(world.engine, actor=owner, organisation_id=world.a.id, email="owner@acme.example", role="member")
    grant(world.engine, actor=owner, organisation_id=world.a.id, email="member@acme.example", role="owner")
    grant(world.engine, actor=owner, organisation_id=world.a.id, email="owner@acme.example", role="viewer")
    with pytest.raises(AccessDenied, match="You are a viewer in Acme"):
        grant(world.engine, actor=owner, organisation_id=world.a.id, email="x@acme.example", role="viewer")


def test_bad_input_says_what_is_wrong_and_saves_nothing(world: World) -> None:
    owner = world.actor(Role.OWNER)
    for email, message in [
        ("", "e-mail address is needed"),
        ("ana", "not an e-mail address"),
        ("a b@c.d", "not an e-mail address"),
        ("a@b@c", "not an e-mail address"),
        ("a" * 250 + "@b.cd", "at most 254"),
    ]:
        with pytest.raises(FoundationsError, match=message):
            grant(world.engine, actor=owner, organisation_id=world.a.id, email=email, role="viewer")
    with pytest.raises(FoundationsError, match="'boss' is not a role: choose one of owner, facilitator"):
        grant(world.engine, actor=owner, organisation_id=world.a.id, email="ok@acme.example", role="boss")
    assert len(members(world.engine, actor=owner, organisation_id=world.a.id)) == 4


def test_only_administrators_create_organisations_and_see_them_all(world: World) -> None:
    admin = signed_in("admin@install.example")
    new_id = create_organisation(world.engine, actor=admin, name=" Initech ")
    with pytest.raises(FoundationsError, match="already exists"):
        create_organisation(world.engine, actor=admin, name="Initech")
    with pytest.raises(AccessDenied, match="Only an install administrator can create organisations"):
        create_organisation(world.engine, actor=world.actor(Role.OWNER), name="Hooli")
    with db.read_session(world.engine) as session:
        assert [o.name for o in visible_organisations(session, admin)] == ["Acme", "Globex", "Initech"]
        assert [o.name for o in visible_organisations(session, world.outsider)] == ["Globex"]
        assert visible_organisations(session, signed_in("stranger@example.org")) == []
    grant(world.engine, actor=admin, organisation_id=new_id, email="boss@initech.example", role="owner")


def test_a_refusal_inside_a_rolled_back_write_is_still_logged(world: World) -> None:
    """authorize_in holds no second connection while the caller has SQLite's write lock, and logs afterwards."""

    def refused_inside_a_write() -> None:
        with db.write_session(world.engine) as session:
            session.add(Team(organisation_id=world.a.id, name="Ghost"))
            session.flush()  # the caller now holds the write lock
            authorize_in(session, world.actor(Role.VIEWER), Action.IMPORT_DORA, organisation(world.a.id))

    with pytest.raises(AccessDenied):
        refused_inside_a_write()
    with db.read_session(world.engine) as session:
        assert session.exec(select(Team).where(Team.name == "Ghost")).first() is None
        event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()  # type: ignore[union-attr]
    assert event is not None
    assert (event.actor, event.action, event.outcome) == (
        "viewer@acme.example",
        "import_dora",
        "denied",
    )


def test_a_refusal_inside_a_read_session_is_logged_when_it_closes(world: World) -> None:
    target = access.assessment(world.a.assessment_id)
    with (
        db.read_session(world.engine) as session,
        pytest.raises(NotFoundError, match="no assessment with id"),
    ):
        authorize_in(session, world.outsider, Action.VIEW_RESULTS, target)
    assert world.audit()[-1].detail == "not a member of the organisation"


def test_a_missing_record_is_not_found_for_everyone(world: World) -> None:
    before = len(world.audit())
    for actor in (world.actor(Role.OWNER), world.outsider):
        with pytest.raises(NotFoundError, match="no assessment with id 999999"):
            authorize(world.engine, actor, Action.VIEW_RESULTS, access.assessment(999999))
    assert len(world.audit()) == before


def test_local_mode_allows_everything_and_asks_nothing(engine: Engine) -> None:
    """The default: no actor needed, nothing logged, every organisation visible."""
    with db.write_session(engine) as session:
        org_id = ensure_organisation(session, name="Solo org").id or 0
    for action in Action:
        authorize(engine, None, action, organisation(org_id))
    with db.read_session(engine) as session:
        assert [o.name for o in visible_organisations(session, None)] == ["Solo org"]
        assert all(may(session, None, action, org_id) for action in Action)
        assert session.exec(select(AuditEvent)).first() is None
    assert local_actor().local
    assert str(local_actor()) == "local user"


def test_settings_refuse_unknown_modes_and_bad_admin_addresses() -> None:
    assert Settings().mode == "local"
    assert not Settings().shared
    assert Settings(mode=" Shared ").shared
    assert Settings(admin_emails=" A@X.org, b@y.org ,").admins == {"a@x.org", "b@y.org"}
    with pytest.raises(ValidationError, match="FOUNDATIONS_MODE must be 'local' or 'shared', not 'public'"):
        Settings(mode="public")
    with pytest.raises(ValidationError, match="FOUNDATIONS_ADMIN_EMAILS: 'nobody' is not an e-mail address"):
        Settings(admin_emails="a@x.org,nobody")


def test_another_organisations_team_is_not_found_and_never_listed(world: World) -> None:
    """Teams have no page of their own; every domain path that takes a team id hides other organisations'."""
    ana = world.as_(world.actor(Role.OWNER))
    with db.read_session(ana) as session:
        assert [o.name for o in list_organisations(session)] == ["Acme"]
        assert {s.organisation for s in list_assessments(session)} == {"Acme"}
        assert list_assessments(session, team_id=world.b.team_id) == []
        with pytest.raises(NotFoundError, match=f"no organisation with id {world.b.id}"):
            list_teams(session, organisation_id=world.b.id)
    with (
        pytest.raises(NotFoundError, match=f"no team with id {world.b.team_id}"),
        db.write_session(ana) as session,
    ):
        create_assessment(session, team_id=world.b.team_id, bank_version_id=world.b.bank_version_id, created_by="x")
    with db.read_session(world.as_(world.outsider)) as session:
        assert [t.name for t in list_teams(session, organisation_id=world.b.id)] == ["Payments"]
