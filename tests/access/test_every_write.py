"""Every domain write refuses a viewer, and the refusal is audited (issue 15, "every write checked").

The write functions are found by reading `assessment/` (tests/support/writes.py: a function
that adds, deletes, builds an INSERT/UPDATE/DELETE or changes a table row it was handed, or
calls one that does), not listed by hand. Each one is either tried here as the viewer of
organisation A, who must be refused with nothing written and a "denied" row in the audit log, or
excused below with the reason it needs no role. A new write function is in neither table, so
`test_every_write_function_is_tried_or_excused` fails until it is checked and tried here
(finding 4: `save_mapping` wrote for anyone, and nothing listed it).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from assessment.access.policy import COMMAND_LINE, AccessDenied, Role, acting_as
from assessment.assessments.banks import publish_bank
from assessment.assessments.repository import clear_answer, create_assessment, save_answer, set_status
from assessment.assessments.rounds import confirm_answers, start_round
from assessment.bank.answers import answered
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import load_demo
from assessment.dora import service
from assessment.dora.figures import Typed, save_figures
from assessment.dora.formats import Kind
from assessment.dora.ingest.parsing import ParsedFile
from assessment.dora.ingest.pipeline import FileInput, ImportOptions, Target, import_files, parse_inputs, write_import
from assessment.dora.ingest.saved import save_mapping
from assessment.dora.ingest.store import store_files
from assessment.dora.lookback import set_organisation_lookback
from assessment.interchange.assessment_json import (
    ExportedAssessment,
    export_assessment,
    import_assessment,
    parse_export,
)
from assessment.interchange.bundle.check import parse_bundle
from assessment.interchange.bundle.export import organisation_json
from assessment.interchange.bundle.load import store_bundle
from assessment.interchange.bundle.schema import Bundle
from assessment.interchange.exports import ExportedOrganisation, import_organisation, parse_organisation_export
from assessment.organisations.brand import make_brand, save_brand
from assessment.organisations.directory import ensure_organisation, ensure_team
from assessment.organisations.members import create_organisation, grant, revoke
from assessment.workshops.access import InvalidLinkError
from assessment.workshops.admin import create_workshop
from assessment.workshops.facilitator import issue_new_key, record_agreed_answer, set_open
from tests.support.access_world import World
from tests.support.database import row_counts
from tests.support.writes import domain_sources, write_functions

DEPLOYMENTS = b"id,service,deployed_at\nd1,api,2024-05-01T10:00:00Z\n"
MAPPING = {Kind.DEPLOYMENTS: {"id": "iid"}}
Try = Callable[[World, Session], object]


def _parsed() -> list[ParsedFile]:
    return parse_inputs([FileInput(Kind.DEPLOYMENTS, "deployments.csv", DEPLOYMENTS)], ImportOptions())


def _round_doc(w: World) -> ExportedAssessment:
    with acting_as(COMMAND_LINE), db.read_session(w.engine) as session:
        return parse_export(export_assessment(session, assessment_id=w.a.assessment_id), "round.json")


def _bundle(w: World) -> Bundle:
    with acting_as(COMMAND_LINE), db.read_session(w.engine) as session:
        doc = organisation_json(session, organisation=w.a.name)
    doc = {**json.loads(json.dumps(doc, default=str)), "organisation": "Acme again"}
    return parse_bundle(doc, "org.json")


def _v1(w: World) -> ExportedOrganisation:
    with acting_as(COMMAND_LINE), db.read_session(w.engine) as session:
        exported = export_assessment(session, assessment_id=w.a.assessment_id)
    doc = {"format": "foundations.organisation", "format_version": 1, "organisation": "Acme"}
    return parse_organisation_export({**doc, "exported_at": "2026-01-01T00:00:00Z", "assessments": [exported]}, "v1")


def _into_team(w: World) -> Target:
    return Target(find=lambda _s: (w.a.id, w.a.team_id), make=lambda _s: (w.a.id, w.a.team_id))


def _agreed(w: World, s: Session) -> object:
    return record_agreed_answer(
        s,
        workshop_id=w.a.workshop_id,
        key=w.a.facilitator_key,
        workshop_team_id=None,
        question_key="rb_rollback_path",
        answer=answered(2),
        by="viewer",
        expected_version=0,
    )


# name -> how the viewer of organisation A tries it, in a write session of their own
TRIED: dict[str, Try] = {
    "assessment.assessments.repository.create_assessment": lambda w, s: create_assessment(
        s, team_id=w.a.team_id, bank_version_id=w.a.bank_version_id, created_by="viewer"
    ),
    "assessment.assessments.repository.set_status": lambda w, s: set_status(
        s, assessment_id=w.a.assessment_id, completed=True
    ),
    "assessment.assessments.repository.save_answer": lambda w, s: save_answer(
        s, assessment_id=w.a.assessment_id, question_key="rb_rollback_path", answer=answered(1), by="viewer"
    ),
    "assessment.assessments.repository.clear_answer": lambda w, s: clear_answer(
        s, assessment_id=w.a.assessment_id, question_key="rb_rollback_path", by="viewer"
    ),
    "assessment.assessments.rounds.confirm_answers": lambda w, s: confirm_answers(
        s, assessment_id=w.a.assessment_id, by="viewer"
    ),
    "assessment.assessments.rounds.start_round": lambda w, s: start_round(
        s, team_id=w.a.team_id, bank_version_id=w.a.bank_version_id, by="viewer", prefill=True
    ),
    "assessment.demo.load_demo": lambda w, s: load_demo(s, bank=default_bank()),
    "assessment.dora.figures.save_figures": lambda w, s: save_figures(
        s, team_id=w.a.team_id, by="viewer", values={"deployment_frequency": Typed(number=3)}
    ),
    "assessment.dora.service.save_typed_figures": lambda w, s: service.save_typed_figures(
        s, team_id=w.a.team_id, by="viewer", values={"deployment_frequency": Typed(number=3)}
    ),
    "assessment.dora.ingest.pipeline.write_import": lambda w, s: write_import(
        s, organisation_id=w.a.id, team_id=w.a.team_id, parsed=_parsed(), by="viewer"
    ),
    "assessment.dora.ingest.store.store_files": lambda w, s: store_files(
        s, organisation_id=w.a.id, team_id=w.a.team_id, files=_parsed(), by="viewer"
    ),
    "assessment.dora.service.store_import": lambda w, s: service.store_import(
        s, organisation_id=w.a.id, team_id=w.a.team_id, parsed=_parsed(), by="viewer"
    ),
    "assessment.dora.ingest.saved.save_mapping": lambda w, s: save_mapping(
        s, organisation_id=w.a.id, name="GitLab", mapping=MAPPING
    ),
    "assessment.dora.service.save_mapping": lambda w, s: service.save_mapping(
        s, organisation_id=w.a.id, name="GitLab", mapping=MAPPING
    ),
    "assessment.dora.lookback.set_organisation_lookback": lambda w, s: set_organisation_lookback(
        s, organisation_id=w.a.id, hours=48
    ),
    "assessment.dora.service.set_organisation_lookback": lambda w, s: service.set_organisation_lookback(
        s, organisation_id=w.a.id, hours=48
    ),
    "assessment.interchange.assessment_json.import_assessment": lambda w, s: import_assessment(
        s,
        doc=_round_doc(w),
        source="round.json",
    ),
    "assessment.interchange.exports.import_organisation": lambda w, s: import_organisation(
        s,
        doc=_v1(w),
        source="v1.json",
    ),
    "assessment.interchange.bundle.load.store_bundle": lambda w, s: store_bundle(
        s,
        doc=_bundle(w),
        source="org.json",
        with_access=True,
    ),
    "assessment.organisations.directory.ensure_organisation": lambda w, s: ensure_organisation(s, name="Initech"),
    "assessment.organisations.directory.ensure_team": lambda w, s: ensure_team(
        s, organisation_id=w.a.id, name="New team"
    ),
    "assessment.workshops.admin.create_workshop": lambda w, s: create_workshop(
        s, organisation=w.a.name, teams=["Payments"], bank=default_bank(), facilitator="viewer"
    ),
    "assessment.workshops.facilitator.issue_new_key": lambda w, s: issue_new_key(s, workshop_id=w.a.workshop_id),
    "assessment.workshops.facilitator.set_open": lambda w, s: set_open(
        s, workshop_id=w.a.workshop_id, key=w.a.facilitator_key, is_open=False
    ),
    "assessment.workshops.facilitator.record_agreed_answer": _agreed,
}
# the functions that open their own transaction: given the engine bound to the viewer
TRIED_ON_ENGINE: dict[str, Callable[[World, Engine], object]] = {
    "assessment.organisations.brand.save_brand": lambda w, e: save_brand(
        e, actor=None, organisation_id=w.a.id, brand=make_brand(prepared_by="viewer")
    ),
    "assessment.organisations.members.create_organisation": lambda w, e: create_organisation(
        e, actor=None, name="Initech"
    ),
    "assessment.organisations.members.grant": lambda w, e: grant(
        e, actor=None, organisation_id=w.a.id, email="viewer@acme.example", role=Role.OWNER
    ),
    "assessment.assessments.banks.publish_bank": lambda w, e: publish_bank(
        e, actor=None, organisation_id=w.a.id, bank=default_bank()
    ),
    "assessment.dora.ingest.pipeline.import_files": lambda w, e: import_files(
        e, target=_into_team(w), parsed=_parsed(), by="viewer"
    ),
    "assessment.dora.service.import_into": lambda w, e: service.import_into(
        e, target=_into_team(w), parsed=_parsed(), by="viewer"
    ),
    "assessment.organisations.members.revoke": lambda w, e: revoke(
        e, actor=None, organisation_id=w.a.id, email="owner@acme.example"
    ),
}

EXCUSED: dict[str, str] = {
    "assessment.access.identity.check": "the sign-in itself: it decides who acts "
    "(tests/access/test_sign_in_identity.py)",
    "assessment.access.identity.sign_out": "ends the signed-in person's own sessions, nobody else's",
    "assessment.access.identity.unbind": "`foundations access unbind` only: the command line holds the database",
    "assessment.assessments.repository.store_bank": "a question bank snapshot: install data found by its content "
    "hash, no organisation's; every round that uses one is checked (create_assessment)",
    "assessment.assessments.banks.store_published": "publish_bank's write, after its check",
    "assessment.assessments.banks.bank_for_round": "the shipped bank's snapshot (store_bank) for a new round, "
    "whose creation is checked (create_assessment)",
    "assessment.assessments.scores.refresh_scores": "derived: the stored scores of answers a checked write changed",
    "assessment.assessments.scores.refresh_many": "derived: stored scores, recomputed by `db upgrade` and imports",
    "assessment.assessments.scores.write_scores": "derived: refresh_scores' and refresh_many's write",
    "assessment.dora.crosscheck.findings_for": "derived: the round's stored cross-check findings, recomputed from "
    "what is stored when someone allowed to see the results reads them",
    "assessment.dora.crosscheck.refresh_team_findings": "derived: recomputed after a checked DORA import",
    "assessment.dora.crosscheck.store_findings": "derived: findings_for's write",
    "assessment.dora.service.assessment_findings": "derived: findings_for for the app",
    "assessment.demo.brand_demo": "load_demo's, after ensure_organisation's check",
    "assessment.dora.demo.load_demo_dora": "load_demo's, after ensure_organisation's check",
    "assessment.interchange.assessment_json.insert_answers": "the rows of a round that import_assessment or "
    "import_organisation created after their checks",
    "assessment.organisations.brand.store_brand": "save_brand's write, after its check (and the demo's branding)",
    "assessment.workshops.admin.close_workshop": "changes a workshop its caller loaded and checked (set_open, or the "
    "command line, which holds the database)",
    "assessment.workshops.admin.reopen_workshop": "as close_workshop",
    "assessment.workshops.admin.reset_facilitator_key": "as close_workshop (issue_new_key is the app's)",
    "assessment.workshops.participants.join_workshop": "a workshop guest's own write: the join code is the key, "
    "not a role (tests/workshop/test_participants.py)",
    "assessment.workshops.participants.save_participant_answer": "a guest's own answer: the participant's token",
    "assessment.workshops.participants.set_finished": "a guest's own 'I am done': the participant's token",
}

pytestmark = pytest.mark.usefixtures("shared_mode")


def test_every_write_function_is_tried_or_excused() -> None:
    found = write_functions(domain_sources())
    listed = set(TRIED) | set(TRIED_ON_ENGINE) | set(EXCUSED)
    assert not found - listed, f"write functions nobody tried as a viewer: {sorted(found - listed)}"
    assert not listed - found, f"listed here but not found writing: {sorted(listed - found)}"


def test_the_rule_finds_a_new_write_function() -> None:
    """The other half of the proof: an unchecked write added to the domain is found, and is in neither table."""
    new = """
from sqlmodel import Session
from assessment.models.assessments import Team
from assessment.organisations.directory import ensure_team


def rename_team(session: Session, *, team: Team, name: str) -> None:
    team.name = name


def add_note(session: Session, *, team_id: int, text: str) -> None:
    session.add(Note(team_id=team_id, text=text))


def new_team_named(session: Session, *, organisation_id: int) -> None:
    ensure_team(session, organisation_id=organisation_id, name="x")


def _helper(session: Session) -> None:
    session.delete(object())


def public_through_helper(session: Session) -> None:
    _helper(session)


def reads(session: Session) -> list[Team]:
    return list(session.exec(select(Team)))
"""
    found = write_functions({**domain_sources(), "assessment.organisations.notes": new})
    added = {name.rsplit(".", 1)[1] for name in found if name.startswith("assessment.organisations.notes.")}
    assert added == {"rename_team", "add_note", "new_team_named", "public_through_helper"}


def attempt(world: World, viewer: Engine, name: str) -> None:
    """Call the write as the viewer: in a write session of theirs, or given their engine."""
    if name in TRIED_ON_ENGINE:
        TRIED_ON_ENGINE[name](world, viewer)
        return
    with db.write_session(viewer) as session:
        TRIED[name](world, session)


@pytest.mark.parametrize("name", sorted(TRIED) + sorted(TRIED_ON_ENGINE))
def test_a_viewer_is_refused_every_write_and_the_refusal_is_audited(world: World, name: str) -> None:
    viewer = world.as_(world.actor(Role.VIEWER))
    before, audited = row_counts(world.engine), len(world.audit())
    with pytest.raises((AccessDenied, InvalidLinkError)):
        attempt(world, viewer, name)
    after = row_counts(world.engine)
    assert after["audit_event"] == before["audit_event"] + 1, "the refusal is not in the audit log"
    assert {t: n for t, n in after.items() if t != "audit_event"} == {
        t: n for t, n in before.items() if t != "audit_event"
    }
    event = world.audit()[audited]
    assert (event.actor, event.outcome) == ("viewer@acme.example", "denied")
    assert event.organisation_id in (world.a.id, None)  # None: an install-wide action (creating organisations)


SUCCESS_AUDITED: dict[str, tuple[Role, Try, str]] = {
    "set_status": (
        Role.MEMBER,
        lambda w, s: set_status(s, assessment_id=w.a.assessment_id, completed=True),
        "round 1 completed",
    ),
    "save_mapping": (
        Role.MEMBER,
        lambda w, s: save_mapping(s, organisation_id=w.a.id, name="ours", mapping=MAPPING),
        "DORA mapping “ours” saved",
    ),
    "set_open": (
        Role.FACILITATOR,
        lambda w, s: set_open(s, workshop_id=w.a.workshop_id, key=None, is_open=False),
        "closed the workshop",
    ),
    "set_organisation_lookback": (
        Role.MEMBER,
        lambda w, s: set_organisation_lookback(s, organisation_id=w.a.id, hours=48),
        "DORA attribution look-back set to 48 h",
    ),
}


@pytest.mark.parametrize("name", sorted(SUCCESS_AUDITED))
def test_a_change_that_is_allowed_is_audited_with_who_made_it(world: World, name: str) -> None:
    """Settings that steer what others see (a round's status, the mapping the next importer picks, the look-back)."""
    role, write, detail = SUCCESS_AUDITED[name]
    audited = len(world.audit())
    with db.write_session(world.as_(world.actor(role))) as session:
        write(world, session)
    events = world.audit()[audited:]
    assert [(e.actor, e.outcome, e.organisation_id, e.detail) for e in events] == [
        (f"{role.value}@acme.example", "done", world.a.id, detail)
    ]
