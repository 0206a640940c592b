"""Writes that once checked nobody (issue 15, findings 4 and 6): saved DORA column mappings need the importing role
(a viewer cannot overwrite the one the next importer picks; an outsider cannot read them; each refusal is audited),
and an agreed answer names the person signed in, not whatever was typed."""

from __future__ import annotations

import pytest
from sqlmodel import select

from assessment.access.policy import COMMAND_LINE, AccessDenied, Role
from assessment.assessments.repository import load_assessment
from assessment.bank.answers import answered
from assessment.core import db
from assessment.core.errors import NotFoundError
from assessment.dora.formats import Kind
from assessment.dora.ingest.saved import save_mapping, saved_mappings
from assessment.models.dora import DoraSavedMapping
from assessment.models.workshops import WorkshopDecision
from assessment.workshops.facilitator import overview, record_agreed_answer
from tests.support.access_world import World

MAPPING = {Kind.DEPLOYMENTS: {"id": "iid", "deployed_at": "finished_at"}}
HOSTILE = {Kind.DEPLOYMENTS: {"id": "iid", "deployed_at": "created_at"}}


def stored(world: World, organisation_id: int) -> dict[str, str]:
    with db.read_session(world.engine) as session:
        rows = session.exec(select(DoraSavedMapping).where(DoraSavedMapping.organisation_id == organisation_id))
        return {row.name: row.content for row in rows}


def test_a_viewer_cannot_save_or_overwrite_a_mapping_and_the_attempt_is_audited(world: World) -> None:
    with db.write_session(world.as_(world.actor(Role.MEMBER))) as session:
        save_mapping(session, organisation_id=world.a.id, name="GitLab", mapping=MAPPING)
    before = stored(world, world.a.id)
    viewer = world.as_(world.actor(Role.VIEWER))
    with pytest.raises(AccessDenied, match="a viewer cannot import DORA data"), db.write_session(viewer) as session:
        save_mapping(session, organisation_id=world.a.id, name="GitLab", mapping=HOSTILE)
    assert stored(world, world.a.id) == before
    event = world.audit()[-1]
    assert (event.actor, event.action, event.outcome, event.organisation_id) == (
        "viewer@acme.example",
        "import_dora",
        "denied",
        world.a.id,
    )


def test_an_outsider_neither_reads_nor_writes_anothers_mappings(world: World) -> None:
    with db.write_session(world.as_(world.actor(Role.OWNER))) as session:
        save_mapping(session, organisation_id=world.a.id, name="GitLab", mapping=MAPPING)
    for attempt in (
        lambda s: saved_mappings(s, organisation_id=world.a.id),
        lambda s: save_mapping(s, organisation_id=world.a.id, name="Mine", mapping=HOSTILE),
    ):
        with pytest.raises(NotFoundError), db.write_session(world.as_(world.outsider)) as session:
            attempt(session)
        assert world.audit()[-1].detail == "not a member of the organisation"
    with db.read_session(world.as_(world.actor(Role.VIEWER))) as session:
        assert list(saved_mappings(session, organisation_id=world.a.id)) == ["GitLab"]  # a viewer reads them


def test_an_agreed_answer_is_recorded_by_the_signed_in_person_and_a_typed_name_becomes_a_note(world: World) -> None:
    """Finding 6: 'Recorded by' was free text, so a facilitator could record the room's answer as someone else."""
    facilitator = world.actor(Role.FACILITATOR)
    with db.read_session(world.as_(facilitator)) as session:
        team = overview(session, workshop_id=world.a.workshop_id, key=None).teams[0]
    with db.write_session(world.as_(facilitator)) as session:
        record_agreed_answer(
            session,
            workshop_id=world.a.workshop_id,
            key=world.a.facilitator_key,
            workshop_team_id=team.workshop_team_id,
            question_key="rb_rollback_path",
            answer=answered(2, note="scripted for two services"),
            by="owner@acme.example",
            expected_version=0,
        )
    with db.read_session(world.as_(COMMAND_LINE)) as session:
        data = load_assessment(session, assessment_id=world.a.assessment_id)
        decision = session.exec(select(WorkshopDecision)).all()[-1]
    assert data.answer_meta["rb_rollback_path"][0] == "facilitator@acme.example"
    assert data.answers["rb_rollback_path"].note == "Recorded for owner@acme.example. scripted for two services"
    assert decision.decided_by == "facilitator@acme.example"
