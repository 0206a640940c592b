"""The role x action matrix, each cell tried for real: allowed cells pass, denied cells raise and are logged.

The expected matrix is written out here by hand, not read from `ALLOWED`, so a
change to the code's matrix has to be made twice to pass. Each action goes
through the domain function that performs it (see `ACTIONS`).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assessment.access import policy as access
from assessment.access.policy import AccessDenied, Action, Actor, Role
from assessment.assessments.banks import publish_bank
from assessment.assessments.repository import load_assessment, save_answer
from assessment.assessments.rounds import start_round
from assessment.bank.answers import answered
from assessment.bank.loader import parse_bank_text
from assessment.core import db
from assessment.core.errors import NotFoundError
from assessment.dora.formats import Kind
from assessment.dora.ingest.pipeline import FileInput, ImportOptions, parse_inputs, write_import
from assessment.interchange.exports import organisation_csv
from assessment.organisations.brand import make_brand, save_brand
from assessment.organisations.members import audit_log, create_organisation, grant
from assessment.portfolio.data import portfolio_data
from assessment.workshops.access import INVALID_LINK, InvalidLinkError
from assessment.workshops.facilitator import overview
from tests.support.access_world import Org, World
from tests.support.banks import adapted_bank_text

EXPECTED = """
                    owner facilitator member viewer
view_results          y      y          y      y
answer                y      y          y      n
manage_rounds         y      y          y      n
download_report       y      y          y      y
export                y      y          n      n
view_portfolio        y      y          y      y
import_dora           y      y          y      n
run_workshops         y      y          n      n
manage_members        y      n          n      n
brand_reports         y      n          n      n
publish_banks         y      n          n      n
read_audit_log        y      n          n      n
create_organisation   n      n          n      n
"""


def _expected() -> dict[tuple[Role, Action], bool]:
    header, *rows = [line.split() for line in EXPECTED.strip().splitlines()]
    roles = [Role(name) for name in header]
    return {(role, Action(row[0])): cell == "y" for row in rows for role, cell in zip(roles, row[1:], strict=True)}


MATRIX = _expected()

# every test here only adds rows, so the module shares one world (see conftest), in shared mode
pytestmark = pytest.mark.usefixtures("shared_mode")


Call = Callable[[World, Org, Actor | None], object]
DEPLOYMENTS = b"id,service,deployed_at\nd1,api,2024-05-01T10:00:00Z\nd2,api,2024-05-02T10:00:00Z\n"


def view_results(w: World, org: Org, actor: Actor | None) -> object:
    with db.read_session(w.as_(actor)) as session:
        return load_assessment(session, assessment_id=org.assessment_id)


def answer(w: World, org: Org, actor: Actor | None) -> object:
    with db.write_session(w.as_(actor)) as session:
        return save_answer(
            session,
            assessment_id=org.assessment_id,
            question_key="fi_instance_kill",
            answer=answered(2),
            by=str(actor),
        )


def start_a_round(w: World, org: Org, actor: Actor | None) -> object:
    with db.write_session(w.as_(actor)) as session:
        return start_round(
            session, team_id=org.team_id, bank_version_id=org.bank_version_id, by=str(actor), prefill=True
        )


def download_report(w: World, org: Org, actor: Actor | None) -> object:
    """What the report page does before handing the loaded round to the PDF worker (rendering is not timed here)."""
    access.authorize(w.as_(actor), None, Action.DOWNLOAD_REPORT, access.assessment(org.assessment_id))
    return view_results(w, org, actor)


def export(w: World, org: Org, actor: Actor | None) -> object:
    with db.read_session(w.as_(actor)) as session:
        return organisation_csv(session, organisation=org.name)


def view_portfolio(w: World, org: Org, actor: Actor | None) -> object:
    with db.read_session(w.as_(actor)) as session:
        return portfolio_data(session, organisation_id=org.id)


def import_dora(w: World, org: Org, actor: Actor | None) -> object:
    parsed = parse_inputs([FileInput(Kind.DEPLOYMENTS, "deployments.csv", DEPLOYMENTS)], ImportOptions())
    with db.write_session(w.as_(actor)) as session:
        return write_import(session, organisation_id=org.id, team_id=org.team_id, parsed=parsed, by=str(actor))


def run_workshop(w: World, org: Org, actor: Actor | None) -> object:
    with db.write_session(w.as_(actor)) as session:
        return overview(session, workshop_id=org.workshop_id, key=org.facilitator_key)


ACTIONS: dict[Action, Call] = {
    Action.VIEW_RESULTS: view_results,
    Action.ANSWER: answer,
    Action.MANAGE_ROUNDS: start_a_round,
    Action.DOWNLOAD_REPORT: download_report,
    Action.EXPORT: export,
    Action.VIEW_PORTFOLIO: view_portfolio,
    Action.IMPORT_DORA: import_dora,
    Action.RUN_WORKSHOPS: run_workshop,
    Action.MANAGE_MEMBERS: lambda w, org, actor: grant(
        w.engine, actor=actor, organisation_id=org.id, email="new@acme.example", role=Role.VIEWER
    ),
    Action.BRAND_REPORTS: lambda w, org, actor: save_brand(
        w.engine, actor=actor, organisation_id=org.id, brand=make_brand(prepared_by=f"{actor}")
    ),
    Action.PUBLISH_BANKS: lambda w, org, actor: publish_bank(
        w.engine, actor=actor, organisation_id=org.id, bank=parse_bank_text(adapted_bank_text(), "acme.yaml")
    ),
    Action.READ_AUDIT_LOG: lambda w, org, actor: audit_log(w.engine, actor=actor, organisation_id=org.id),
    Action.CREATE_ORGANISATION: lambda w, org, actor: create_organisation(
        w.engine, actor=actor, name=f"New {org.name} {actor}"
    ),
}


def test_the_matrix_covers_every_role_and_action() -> None:
    assert set(MATRIX) == {(role, action) for role in Role for action in Action}
    assert set(ACTIONS) == set(Action)


@pytest.mark.parametrize(("role", "action"), sorted(MATRIX, key=str), ids=lambda v: v.value)
def test_role_may_or_may_not(shared_world: World, role: Role, action: Action) -> None:
    before = len(shared_world.audit())
    if MATRIX[role, action]:
        ACTIONS[action](shared_world, shared_world.a, shared_world.actor(role))
        assert [e.outcome for e in shared_world.audit()[before:]] in ([], ["done"])
        return
    with pytest.raises((AccessDenied, InvalidLinkError)) as denied:
        ACTIONS[action](shared_world, shared_world.a, shared_world.actor(role))
    text = str(denied.value)
    if action is Action.RUN_WORKSHOPS:  # a valid key in the wrong hands reads exactly like an invalid one
        assert isinstance(denied.value, InvalidLinkError)
        assert text == INVALID_LINK
    else:
        assert "administrator" in text if action is Action.CREATE_ORGANISATION else f"a {role.value} cannot" in text
    event = shared_world.audit()[-1]
    assert len(shared_world.audit()) == before + 1
    assert (event.actor, event.action, event.outcome) == (
        f"{role.value}@acme.example",
        action.value,
        "denied",
    )
    expected_org = None if action is Action.CREATE_ORGANISATION else shared_world.a.id
    assert event.organisation_id == expected_org
    assert event.at is not None
    assert event.target


@pytest.mark.parametrize("action", [a for a in Action if a is not Action.CREATE_ORGANISATION], ids=lambda a: a.value)
def test_another_organisations_records_do_not_exist_for_an_outsider(shared_world: World, action: Action) -> None:
    """The owner of B asks for A's records: 'not found', as for a mistyped id, and A's owners see the attempt."""
    with pytest.raises((NotFoundError, InvalidLinkError)) as missing:  # a workshop key says "not valid"
        ACTIONS[action](shared_world, shared_world.a, shared_world.outsider)
    assert "Acme" not in str(missing.value)
    event = shared_world.audit()[-1]
    assert (event.actor, event.organisation_id, event.outcome) == (
        "owner@globex.example",
        shared_world.a.id,
        "denied",
    )
    assert event.detail == "not a member of the organisation"
    ACTIONS[action](shared_world, shared_world.b, shared_world.outsider)  # their own organisation: allowed


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_an_install_administrator_may_do_everything_everywhere(shared_world: World, action: Action) -> None:
    admin = access.signed_in("admin@install.example")
    assert admin.is_admin
    ACTIONS[action](shared_world, shared_world.a, admin)
    ACTIONS[action](shared_world, shared_world.b, admin)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_nobody_signed_in_may_do_nothing(shared_world: World, action: Action) -> None:
    with pytest.raises((AccessDenied, InvalidLinkError), match=r"sign in|not valid"):
        ACTIONS[action](shared_world, shared_world.a, None)
    assert shared_world.audit()[-1].actor == "not signed in"
