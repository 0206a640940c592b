"""Creating a workshop on the Workshop page, in AppTest against the real app.py and a real database.

The form is driven as a browser would: the organisation picker reruns the page, the
rest of the form is filled and submitted in one go. Every check reads the database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select
from streamlit.testing.v1 import AppTest

from assessment.access.policy import COMMAND_LINE, Role, acting_as, bind, signed_in
from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.config import get_settings
from assessment.core.errors import FoundationsError
from assessment.core.types import utcnow
from assessment.models.access import AuditEvent
from assessment.models.assessments import Assessment, Organisation, Team
from assessment.models.workshops import Workshop, WorkshopTeam
from assessment.organisations.directory import find_organisation
from assessment.organisations.members import grant
from assessment.workshops.access import facilitated_workshop
from assessment.workshops.admin import create_workshop
from assessment.workshops.links import DEFAULT_BASE_URL, join_link
from tests.support.access_world import TEST_ISSUER
from tests.support.app import FACILITATE, all_text, open_as, open_page, unescaped
from tests.support.workshops import open_room

CREATE = "Create a workshop"


def create_mode(at: AppTest) -> AppTest:
    at.segmented_control(key="wf_mode").set_value(CREATE)
    return at.run()


def organisation_id(engine: Engine, name: str) -> int:
    with db.read_session(engine) as session:
        org = find_organisation(session, name=name)
    assert org is not None
    return org.id or 0


def fill(
    at: AppTest,
    *,
    org_id: int | None = None,
    new_org: str | None = None,
    pick: tuple[str, ...] = (),
    new_teams: str = "",
    title: str = "",
    days: int = 7,
) -> AppTest:
    """Choose the organisation (a rerun, as in the browser), fill the form and submit it (no rerun before)."""
    at.selectbox(key="wc_org").set_value(0 if new_org is not None else org_id)
    at.run()
    if new_org is not None:
        at.text_input(key="wc_new_org").input(new_org)
    if pick:
        at.multiselect(key=f"wc_teams:{org_id}").set_value(list(pick))
    at.text_area(key="wc_new_teams").input(new_teams)
    at.text_input(key="wc_title").input(title)
    at.number_input(key="wc_days").set_value(days)
    next(b for b in at.button if b.label == "Create the workshop").click()
    return at.run()


def counts(engine: Engine) -> tuple[int, ...]:
    """Organisations, teams, rounds, workshops and workshop teams: what a refused creation must leave alone."""
    with db.read_session(engine) as session:
        return tuple(
            session.exec(select(func.count()).select_from(table)).one()
            for table in (Organisation, Team, Assessment, Workshop, WorkshopTeam)
        )


def code_blocks(at: AppTest) -> list[str]:
    return [str(block.value) for block in at.code]


@pytest.fixture
def acme(app_engine: Engine, bank: Bank) -> int:
    """Organisation Acme with one team (Payments) that already has round 1, from an earlier workshop."""
    open_room(app_engine, bank, org="Acme", teams=("Payments",))
    return organisation_id(app_engine, "Acme")


def test_the_form_creates_the_workshop_shows_the_key_once_and_opens_the_dashboard(
    app_engine: Engine, acme: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every record, SQL statements with their parameters included
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    before = counts(app_engine)
    at = fill(
        create_mode(open_page(FACILITATE)),
        org_id=acme,
        pick=("Payments",),
        new_teams="Checkout\n\n  Search  \n",
        title="Acme offsite",
        days=3,
    )
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert counts(app_engine) == tuple(n + d for n, d in zip(before, (0, 2, 3, 1, 3), strict=True))
    with db.read_session(app_engine) as session:
        workshop = session.exec(select(Workshop).order_by(col(Workshop.id).desc())).first()
        assert workshop is not None
        assert workshop.title == "Acme offsite"
        assert workshop.organisation_id == acme
        assert workshop.facilitator == get_settings().default_user
        assert timedelta(days=3) - timedelta(minutes=5) < workshop.expires_at - utcnow() <= timedelta(days=3)
        rounds = {
            name: (a.round_number, a.label)
            for name, a in session.exec(
                select(Team.name, Assessment)
                .join(Assessment, col(Assessment.team_id) == Team.id)
                .join(WorkshopTeam, col(WorkshopTeam.assessment_id) == Assessment.id)
                .where(WorkshopTeam.workshop_id == workshop.id)
            )
        }
    assert rounds == {
        "Payments": (2, "Acme offsite"),
        "Checkout": (1, "Acme offsite"),
        "Search": (1, "Acme offsite"),
    }
    link, key = code_blocks(at)
    assert link == join_link(DEFAULT_BASE_URL, workshop.join_code)  # AppTest has no browser address
    assert f"{workshop.join_code[:4]}-{workshop.join_code[4:]}" in [t.value for t in at.title]
    with db.read_session(app_engine) as session:  # the key shown is the workshop's key
        assert facilitated_workshop(session, workshop_id=workshop.id, key=key).id == workshop.id
        assert workshop.facilitator_key_hash != key
        assert key not in workshop.facilitator_key_hash
    assert "Shown only this once" in at.warning[0].value
    assert dict(at.query_params) == {}
    assert key not in repr(dict(at.query_params))
    next(b for b in at.button if b.label == "Open the dashboard").click().run()
    assert not at.exception
    assert not at.error
    assert dict(at.query_params) == {"w": str(workshop.id)}
    assert at.title[0].value == "Acme offsite"
    assert key not in all_text(at)
    assert at.metric[0].value == f"{workshop.join_code[:4]}-{workshop.join_code[4:]}"
    assert list(at.segmented_control(key="wf_team").options) == ["Checkout", "Payments", "Search"]
    next(b for b in at.button if b.label == "Leave").click().run()
    create_mode(at)
    assert key not in all_text(at)
    assert any(b.label == "Create the workshop" for b in at.button)
    assert "INSERT INTO workshop " in caplog.text
    assert key not in caplog.text


def test_a_new_organisation_typed_in_the_form_is_created_with_its_teams(app_engine: Engine, acme: int) -> None:
    at = fill(create_mode(open_page(FACILITATE)), new_org="  Globex ", new_teams="Search\nAds")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    globex = organisation_id(app_engine, "Globex")
    with db.read_session(app_engine) as session:
        teams = set(session.exec(select(Team.name).where(Team.organisation_id == globex)))
        workshop = session.exec(select(Workshop).where(Workshop.organisation_id == globex)).one()
    assert teams == {"Search", "Ads"}
    assert workshop.title.startswith("Globex workshop ")
    assert at.success[0].value.startswith(f"Workshop {workshop.id} is open: **Globex workshop")
    next(b for b in at.button if b.label == "Create another workshop").click().run()
    assert not at.code
    assert at.selectbox(key="wc_org").value == globex


BAD_INPUT: dict[str, tuple[dict[str, Any], str]] = {
    "no team": ({"pick": (), "new_teams": "\n  \n"}, "A workshop needs at least one team."),
    "picked and typed": (
        {"pick": ("Payments",), "new_teams": "payments"},
        "A team is named twice: payments.",
    ),
    "typed twice": ({"new_teams": "Search\nSearch"}, "A team is named twice: Search."),
    "long team name": ({"new_teams": "x" * 201}, "Team name is longer than 200 characters."),
    "zero days": ({"new_teams": "Search", "days": 0}, "A workshop can stay open for 1 to 90 days, not 0."),
    "too many days": (
        {"new_teams": "Search", "days": 91},
        "A workshop can stay open for 1 to 90 days, not 91.",
    ),
    "no organisation name": (
        {"new_org": "  ", "new_teams": "Search"},
        "Organisation name must not be empty.",
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_explained_beside_the_form_and_saves_nothing(app_engine: Engine, acme: int, case: str) -> None:
    values, message = BAD_INPUT[case]
    before = counts(app_engine)
    at = create_mode(open_page(FACILITATE))
    at = fill(at, **({"org_id": acme} | values))
    assert not at.exception
    assert [unescaped(e.value) for e in at.error] == [message]
    assert counts(app_engine) == before
    assert not at.code
    assert not at.warning
    assert at.text_area(key="wc_new_teams").value == values.get("new_teams", "")  # kept, to be corrected


def test_the_domain_checks_before_writing(engine: Engine, bank: Bank) -> None:
    """The same checks without the page: each refused creation leaves the database as it was."""
    cases: list[dict[str, Any]] = [
        {"teams": []},
        {"teams": ["A", "a"]},
        {"teams": ["A"], "valid_days": 0},
        {"teams": ["A"], "title": "t" * 201},
    ]
    for kwargs in cases:
        with pytest.raises(FoundationsError), db.write_session(engine) as session:
            create_workshop(session, organisation="Acme", bank=bank, facilitator="Fran", **kwargs)
        with db.read_session(engine) as session:
            assert session.exec(select(func.count()).select_from(Organisation)).one() == 0


# --- shared mode: the role decides, in the domain ------------------------------------------------------------

VIEWER, FACILITATOR, OUTSIDER = "vic@acme.example", "fay@acme.example", "gus@globex.example"


@pytest.fixture
def acme_and_globex(app_engine: Engine, bank: Bank, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, int]]:
    """Shared mode with Acme (Vic views, Fay facilitates) and Globex (Gus owns); yields their ids."""
    monkeypatch.setenv("FOUNDATIONS_MODE", "shared")
    monkeypatch.setenv("FOUNDATIONS_ADMIN_EMAILS", "admin@install.example")
    monkeypatch.setenv("FOUNDATIONS_TRUSTED_ISSUERS", TEST_ISSUER)
    get_settings.cache_clear()
    with acting_as(COMMAND_LINE):
        open_room(app_engine, bank, org="Acme", teams=("Payments",))
        open_room(app_engine, bank, org="Globex", teams=("Skunkworks",))
    acme, globex = organisation_id(app_engine, "Acme"), organisation_id(app_engine, "Globex")
    for email, org, role in (
        (VIEWER, acme, Role.VIEWER),
        (FACILITATOR, acme, Role.FACILITATOR),
        (OUTSIDER, globex, Role.OWNER),
    ):
        grant(app_engine, actor=COMMAND_LINE, organisation_id=org, email=email, role=role)
    yield acme, globex
    get_settings.cache_clear()


def create_as(email: str) -> AppTest:
    """The Workshop page in create mode, as the signed-in `email`."""
    return create_mode(open_as(email, FACILITATE))


def audit(engine: Engine) -> list[tuple[str, str, str]]:
    with db.read_session(engine) as session:
        return [(e.actor, e.action, e.outcome) for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]


def test_a_viewer_is_refused_in_plain_words_and_nothing_is_saved(
    app_engine: Engine, acme_and_globex: tuple[int, int]
) -> None:
    acme, _ = acme_and_globex
    before = counts(app_engine)
    at = create_as(VIEWER)
    assert at.selectbox(key="wc_org").options == ["Acme"]  # no other organisation, no "new organisation"
    at = fill(at, org_id=acme, new_teams="Search")
    assert [unescaped(e.value) for e in at.error] == [
        "You are a viewer in Acme, and a viewer cannot run workshops. An owner of Acme can change your role."
    ]
    assert counts(app_engine) == before
    assert not at.code
    assert (VIEWER, "run_workshops", "denied") in audit(app_engine)


def test_a_facilitator_creates_one_in_their_organisation_and_opens_its_dashboard(
    app_engine: Engine, acme_and_globex: tuple[int, int]
) -> None:
    acme, _ = acme_and_globex
    at = fill(create_as(FACILITATOR), org_id=acme, pick=("Payments",), new_teams="Search", title="Acme retro")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    with db.read_session(app_engine) as session:
        workshop = session.exec(select(Workshop).where(Workshop.title == "Acme retro")).one()
    assert workshop.facilitator == FACILITATOR
    next(b for b in at.button if b.label == "Open the dashboard").click().run()
    assert at.title[0].value == "Acme retro"
    assert dict(at.query_params) == {"w": str(workshop.id)}


def test_another_organisations_name_is_answered_like_a_new_one(
    app_engine: Engine, acme_and_globex: tuple[int, int], bank: Bank
) -> None:
    """A facilitator typing Globex (which they cannot see) learns nothing: only administrators create organisations."""
    before = counts(app_engine)
    messages = []
    for name in ("Globex", "No Such Org"):
        with (
            pytest.raises(FoundationsError) as refused,
            db.write_session(bind(app_engine, signed_in(FACILITATOR))) as session,
        ):
            create_workshop(session, organisation=name, teams=["Search"], bank=bank, facilitator=FACILITATOR)
        messages.append(str(refused.value))
    assert messages == ["Only an install administrator can create organisations."] * 2
    assert counts(app_engine) == before


def test_a_typed_name_in_an_error_is_text_not_markup(app_engine: Engine, acme: int) -> None:
    name = "![x](https://attacker.example/p.png)"
    at = fill(create_mode(open_page(FACILITATE)), org_id=acme, new_teams=f"{name}\n{name}")
    [error] = [e.value for e in at.error]
    assert "\\!\\[x\\]\\(https\u2060\\:" in error  # every Markdown character escaped: no image, no link
    assert unescaped(error) == f"A team is named twice: {name}."


def test_with_no_workshop_yet_the_page_opens_on_creating_one(app_engine: Engine, bank: Bank) -> None:
    at = open_page(FACILITATE)
    assert at.segmented_control(key="wf_mode").value == CREATE  # it opened on "Open", with nothing to open
    assert any(b.label == "Create the workshop" for b in at.button)
    open_room(app_engine, bank, org="Acme", teams=("Payments",))
    assert open_page(FACILITATE).segmented_control(key="wf_mode").value == "Open a workshop"  # one to open now
