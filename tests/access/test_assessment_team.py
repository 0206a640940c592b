"""Which team an assessment belongs to, for pages that start on it: only for those who may see it, never refused."""

from __future__ import annotations

from assessment.access.policy import COMMAND_LINE, Role, acting_as, signed_in
from assessment.assessments.repository import TeamRef, assessment_team
from assessment.core import db
from tests.support.access_world import World


def test_a_member_an_administrator_and_the_command_line_find_the_team(world: World) -> None:
    expected = TeamRef(world.a.id, world.a.team_id)
    for actor in (world.actor(Role.VIEWER), world.actor(Role.OWNER), signed_in("admin@install.example")):
        with db.read_session(world.as_(actor)) as session:
            assert assessment_team(session, assessment_id=world.a.assessment_id) == expected
    with acting_as(COMMAND_LINE), db.read_session(world.engine) as session:
        assert assessment_team(session, assessment_id=world.b.assessment_id) == TeamRef(world.b.id, world.b.team_id)


def test_an_outsider_or_a_missing_assessment_finds_nothing_and_nothing_is_recorded(world: World) -> None:
    before = len(world.audit())
    with db.read_session(world.as_(world.outsider)) as session:
        assert assessment_team(session, assessment_id=world.a.assessment_id) is None
        assert assessment_team(session, assessment_id=world.b.assessment_id) == TeamRef(world.b.id, world.b.team_id)
        assert assessment_team(session, assessment_id=10**6) is None
    assert len(world.audit()) == before
