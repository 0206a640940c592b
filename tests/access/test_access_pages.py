"""The real app in AppTest: local mode unchanged; in shared mode, another organisation's ids show "not found".

`AppTest.user` plays the part of the OpenID Connect provider (see `open_as`).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from assessment.access.policy import COMMAND_LINE, acting_as
from assessment.assessments.banks import publish_bank
from assessment.bank.loader import default_bank, parse_bank_text
from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.models.access import AuditEvent
from assessment.organisations.directory import find_organisation
from assessment.workshops.admin import create_workshop
from tests.support.access_world import OTHER, OWNER, SECRET, VIEWER, Install
from tests.support.app import id_token_claims, open_as, open_page, texts
from tests.support.app import shown as shown_elements
from tests.support.banks import adapted_bank_text
from tests.support.builders import demo_round

FACILITATE_PAGE = "ui/pages/workshop_facilitator.py"
BANKS_PAGE = "ui/pages/banks.py"


def shown(at: AppTest) -> str:
    """Every piece of text the run drew, options of pickers included."""
    parts = [
        str(e.value)
        for kind in (
            "title",
            "header",
            "subheader",
            "markdown",
            "caption",
            "text",
            "error",
            "info",
            "success",
            "warning",
            "metric",
        )
        for e in getattr(at, kind)
    ]
    parts += [str(option) for box in at.selectbox for option in box.options]
    return "\n".join(parts)


@pytest.mark.parametrize(
    "page", ["ui/pages/results.py", "ui/pages/assess.py", "ui/pages/report.py", "ui/pages/dora.py"]
)
def test_another_organisations_round_in_the_url_is_not_found(install: Install, page: str) -> None:
    at = open_as(OWNER, page, assessment=str(install.globex_round))
    assert not at.exception
    assert "does not exist" in "\n".join(str(e.value) for e in at.error)
    assert SECRET not in shown(at)
    assert "Globex" not in shown(at)
    own = open_as(OWNER, page, assessment=str(install.northwind_round))
    assert not own.exception
    assert "Payments" in shown(own)


def facilitate_with_key(email: str, workshop_id: int, key: str) -> AppTest:
    """The facilitator page signed in as `email`, the key typed into its form."""
    at = open_as(email, FACILITATE_PAGE)
    at.text_input(key="wf_form_id").input(str(workshop_id))
    at.text_input(key="wf_form_key").input(key)
    at.button(key="FormSubmitter:wf_key_form-Open the dashboard").click()
    return at.run()


def test_another_organisations_workshop_opens_nothing_even_with_its_key(install: Install) -> None:
    """The key is not enough without a role in that organisation; its role alone opens it for the owner."""
    at = facilitate_with_key(OWNER, install.globex_workshop, install.globex_key)
    assert not at.exception
    assert "This link is not valid." in shown(at)
    assert SECRET not in shown(at)
    assert "Globex" not in shown(at)
    by_number = open_as(OWNER, FACILITATE_PAGE, w=str(install.globex_workshop))
    assert SECRET not in shown(by_number)
    theirs = open_as(OTHER, FACILITATE_PAGE, w=str(install.globex_workshop))  # signed in with the role: no key
    assert not theirs.exception
    assert "Record the agreed answer" in shown(theirs)


def test_a_viewer_holding_a_valid_key_is_told_the_link_is_not_valid(install: Install, demo_app_engine: Engine) -> None:
    """Finding 8: a viewer with a valid key got Streamlit's error page, telling a valid key from an invalid one."""
    with db.write_session(demo_app_engine) as session, acting_as(COMMAND_LINE):
        northwind = create_workshop(
            session, organisation=DEMO_ORG, teams=["Payments"], bank=default_bank(), facilitator="Ana"
        )
    at = facilitate_with_key(VIEWER, northwind.id, northwind.facilitator_key)
    assert not at.exception
    assert [e.value for e in at.error] == ["This link is not valid."]
    assert [k for k, _ in shown_elements(at)] == [k for k, _ in shown_elements(facilitate_with_key(VIEWER, 9999, "x"))]
    with db.read_session(demo_app_engine) as session:
        event = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc())).first()
    assert event is not None
    assert (event.actor, event.action, event.outcome) == (VIEWER, "run_workshops", "denied")


@pytest.mark.parametrize("page", ["ui/pages/start.py", "ui/pages/portfolio.py"])
def test_each_person_sees_only_their_organisations(install: Install, page: str) -> None:
    mine, theirs = open_as(OWNER, page), open_as(OTHER, page)
    assert not mine.exception
    assert not theirs.exception
    assert DEMO_ORG in shown(mine)
    assert "Globex" not in shown(mine)
    assert SECRET not in shown(mine)
    assert "Globex" in shown(theirs)
    assert DEMO_ORG not in shown(theirs)


def test_nobody_signed_in_sees_a_sign_in_screen_and_nothing_else(install: Install) -> None:
    at = open_as(None, "ui/pages/results.py", assessment=str(install.northwind_round))
    assert not at.exception
    assert "Sign in to see yours" in shown(at)
    assert "Payments" not in shown(at)
    assert DEMO_ORG not in shown(at)
    join = open_as(None, "ui/pages/workshop_join.py", join=install.globex_code)  # participants need no sign-in
    assert not join.exception
    assert "Sign in to see yours" not in shown(join)
    assert join.radio(key="wj_team").options == [SECRET]  # the join form, with the workshop's one team
    assert DEMO_ORG not in shown(join)


def test_a_viewer_reads_but_an_answer_is_refused_plainly(install: Install) -> None:
    at = open_as(VIEWER, "ui/pages/results.py", assessment=str(install.northwind_round))
    assert not at.exception
    assert "Payments" in shown(at)
    assert "Signed in as vic@northwind\\.example" in shown(at)  # escaped like every text shown


def test_owners_manage_members_on_the_access_page(install: Install) -> None:
    at = open_as(OWNER, "ui/pages/access.py")
    assert not at.exception
    at.text_input(key="acc_email").set_value("new@northwind.example")
    at.selectbox(key="acc_role").set_value("viewer")
    at.button(key="FormSubmitter:acc_invite-Invite").click().run()
    assert "new@northwind.example joined Northwind Streaming as viewer" in shown(at)
    assert "Globex" not in shown(at)
    assert OTHER not in shown(at)


@pytest.mark.parametrize("page", ["ui/pages/start.py", "ui/pages/results.py", "ui/pages/portfolio.py"])
def test_local_mode_is_unchanged(demo_app_engine: Engine, page: str) -> None:
    """The default: no sign-in screen, no signed-in bar, no Access page, every organisation shown."""
    at = open_page(page, demo_round(demo_app_engine, "Payments"))
    assert not at.exception
    assert "Sign in" not in shown(at)
    assert "Signed in as" not in shown(at)
    assert DEMO_ORG in shown(at) or "Payments" in shown(at)
    assert not [b for b in at.button if str(b.key).startswith("auth_")]


@pytest.mark.parametrize(
    ("changed", "refusal"),
    [
        ({"email_verified": False}, "has not verified the address ana@northwind.example"),
        ({"iss": "https://elsewhere.example"}, "does not accept sign-ins from https://elsewhere.example"),
        ({"sub": "mallory"}, "belongs to another account of your sign-in provider"),
    ],
)
def test_a_refused_sign_in_sees_why_and_nothing_else(install: Install, changed: dict[str, object], refusal: str):
    assert "Payments" in shown(open_as(OWNER, "ui/pages/results.py", assessment=str(install.northwind_round)))
    at = open_as(
        OWNER, "ui/pages/results.py", claims=id_token_claims(OWNER, **changed), assessment=str(install.northwind_round)
    )
    assert not at.exception
    assert refusal in texts(at, "error")
    assert "Payments" not in shown(at)
    assert DEMO_ORG not in shown(at)
    assert [b.label for b in at.button] == ["Sign out"]  # and a "Sign in" per provider (none configured here)


def test_a_session_replayed_after_sign_out_is_refused(install: Install) -> None:
    session = id_token_claims(OWNER)
    at = open_as(OWNER, "ui/pages/start.py", claims=session)
    assert DEMO_ORG in shown(at)
    at.button(key="auth_sign_out").click().run()
    replayed = open_as(OWNER, "ui/pages/start.py", claims=session)
    assert "This session ended when you signed out. Sign in again." in texts(replayed, "error")
    assert DEMO_ORG not in shown(replayed)
    again = open_as(OWNER, "ui/pages/start.py", claims=id_token_claims(OWNER, iat=int(time.time()) + 2))
    assert DEMO_ORG in shown(again)


def test_only_an_owner_publishes_banks_and_another_organisations_banks_stay_unseen(install: Install) -> None:
    with db.read_session(install.engine) as session:
        globex = find_organisation(session, name="Globex")
    assert globex is not None
    text = adapted_bank_text().replace("  id: acme\n", "  id: globex\n").replace("Acme adapted bank", f"{SECRET} bank")
    publish_bank(install.engine, actor=COMMAND_LINE, organisation_id=globex.id or 0, bank=parse_bank_text(text, "g"))
    viewer = open_as(VIEWER, BANKS_PAGE)
    assert not viewer.exception
    assert "Only an owner of the organisation publishes banks." in texts(viewer, "caption")
    assert not list(viewer.get("file_uploader"))  # no upload to try
    owner = open_as(OWNER, BANKS_PAGE)
    assert [u.proto.label for u in owner.get("file_uploader")] == ["Bank file (YAML)"]
    for at in (viewer, owner):
        assert SECRET not in shown(at) + repr(at.dataframe[0].value.to_dict())
        assert "Globex" not in shown(at)
    other = open_as(OTHER, BANKS_PAGE)
    assert f"{SECRET} bank" in repr(other.dataframe[0].value.to_dict())  # its own owner sees it
