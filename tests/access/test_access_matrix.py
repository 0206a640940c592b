"""The role x action matrix, each cell tried for real: allowed cells pass, denied cells raise and are logged.

The expected matrix is written out here by hand, not read from `ALLOWED`, so a
change to the code's matrix has to be made twice to pass. Each action goes
through the domain function that performs it (see `ACTIONS`).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assessment import access
from assessment.access import AccessDenied, Action, Actor, Role
from assessment.access_members import audit_log, create_organisation, grant
from assessment.errors import NotFoundError
from tests.access.conftest import Org, World

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
read_audit_log        y      n          n      n
create_organisation   n      n          n      n
"""


def _expected() -> dict[tuple[Role, Action], bool]:
    header, *rows = [line.split() for line in EXPECTED.strip().splitlines()]
    roles = [Role(name) for name in header]
    return {(role, Action(row[0])): cell == "y" for row in rows for role, cell in zip(roles, row[1:], strict=True)}


MATRIX = _expected()


@pytest.fixture
def world(shared_world: World, shared_mode: None) -> World:
    """Every test here only adds rows, so the module shares one world (see conftest)."""
    return shared_world

Call = Callable[[World, Org, Actor], object]


def _check(action: Action, target: Callable[[Org], access.Target]) -> Call:
    return lambda w, org, actor: access.authorize(w.engine, actor, action, target(org))


ACTIONS: dict[Action, Call] = {
    Action.VIEW_RESULTS: _check(Action.VIEW_RESULTS, lambda o: access.assessment(o.assessment_id)),
    Action.ANSWER: _check(Action.ANSWER, lambda o: access.assessment(o.assessment_id)),
    Action.MANAGE_ROUNDS: _check(Action.MANAGE_ROUNDS, lambda o: access.team(o.team_id)),
    Action.DOWNLOAD_REPORT: _check(Action.DOWNLOAD_REPORT, lambda o: access.assessment(o.assessment_id)),
    Action.EXPORT: _check(Action.EXPORT, lambda o: access.organisation(o.id)),
    Action.VIEW_PORTFOLIO: _check(Action.VIEW_PORTFOLIO, lambda o: access.organisation(o.id)),
    Action.IMPORT_DORA: _check(Action.IMPORT_DORA, lambda o: access.organisation(o.id)),
    Action.RUN_WORKSHOPS: _check(Action.RUN_WORKSHOPS, lambda o: access.workshop(o.workshop_id)),
    Action.MANAGE_MEMBERS: lambda w, org, actor: grant(w.engine, actor=actor, organisation_id=org.id,
                                                       email="new@acme.example", role=Role.VIEWER),
    Action.READ_AUDIT_LOG: lambda w, org, actor: audit_log(w.engine, actor=actor, organisation_id=org.id),
    Action.CREATE_ORGANISATION: lambda w, org, actor: create_organisation(w.engine, actor=actor,
                                                                          name=f"New {org.name} {actor}"),
}


def test_the_matrix_covers_every_role_and_action() -> None:
    assert set(MATRIX) == {(role, action) for role in Role for action in Action}
    assert set(ACTIONS) == set(Action)


@pytest.mark.parametrize(("role", "action"), sorted(MATRIX, key=str), ids=lambda v: v.value)
def test_role_may_or_may_not(world: World, role: Role, action: Action) -> None:
    before = len(world.audit())
    if MATRIX[role, action]:
        ACTIONS[action](world, world.a, world.actor(role))
        assert [e.outcome for e in world.audit()[before:]] in ([], ["done"])
        return
    with pytest.raises(AccessDenied) as denied:
        ACTIONS[action](world, world.a, world.actor(role))
    text = str(denied.value)
    assert "administrator" in text if action is Action.CREATE_ORGANISATION else f"a {role.value} cannot" in text
    event = world.audit()[-1]
    assert len(world.audit()) == before + 1
    assert (event.actor, event.action, event.outcome) == (f"{role.value}@acme.example", action.value, "denied")
    expected_org = None if action is Action.CREATE_ORGANISATION else world.a.id
    assert event.organisation_id == expected_org and event.at is not None and event.target


@pytest.mark.parametrize("action", [a for a in Action if a is not Action.CREATE_ORGANISATION],
                         ids=lambda a: a.value)
def test_another_organisations_records_do_not_exist_for_an_outsider(world: World, action: Action) -> None:
    """The owner of B asks for A's records: 'not found', as for a mistyped id, and A's owners see the attempt."""
    with pytest.raises(NotFoundError) as missing:
        ACTIONS[action](world, world.a, world.outsider)
    assert "Acme" not in str(missing.value)
    event = world.audit()[-1]
    assert (event.actor, event.organisation_id, event.outcome) == ("owner@globex.example", world.a.id, "denied")
    assert event.detail == "not a member of the organisation"
    ACTIONS[action](world, world.b, world.outsider)  # their own organisation: allowed


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_an_install_administrator_may_do_everything_everywhere(world: World, action: Action) -> None:
    admin = access.signed_in("admin@install.example")
    assert admin.is_admin
    ACTIONS[action](world, world.a, admin)
    ACTIONS[action](world, world.b, admin)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_nobody_signed_in_may_do_nothing(world: World, action: Action) -> None:
    with pytest.raises(AccessDenied, match="sign in"):
        ACTIONS[action](world, world.a, None)  # type: ignore[arg-type]
    assert world.audit()[-1].actor == "not signed in"
