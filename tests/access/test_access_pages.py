"""The real app in AppTest: local mode unchanged; in shared mode, another organisation's ids show "not found".

`AppTest.user` plays the part of the OpenID Connect provider: it is what
`st.user` holds after a real sign-in (the browser test does the real one).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from assessment.access.policy import COMMAND_LINE, Role, acting_as
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.organisations.directory import find_organisation, find_team
from assessment.organisations.members import grant
from assessment.workshops.admin import create_workshop
from tests.app.conftest import demo_engine, demo_round, sqlite_templates  # noqa: F401 - fixtures
from tests.conftest import APP

OWNER, VIEWER, OTHER = "ana@northwind.example", "vic@northwind.example", "gus@globex.example"
SECRET = "Skunkworks"  # the other organisation's team: must never appear on a Northwind page


@dataclass(frozen=True)
class Install:
    engine: Engine
    northwind_round: int
    globex_round: int
    globex_workshop: int
    globex_key: str
    globex_code: str


@pytest.fixture(name="install")  # a name of its own, so tests importing it may take `install` as a parameter
def install_fixture(demo_engine: Engine, shared_mode: None) -> Install:  # noqa: F811
    """The demo organisation plus Globex (one team, one workshop); Ana owns Northwind, Vic views it, Gus owns Globex."""
    with acting_as(COMMAND_LINE), db.write_session(demo_engine) as session:
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
        grant(demo_engine, actor=COMMAND_LINE, organisation_id=org_id, email=email, role=role)
    with acting_as(COMMAND_LINE):
        northwind_round = demo_round(demo_engine, "Payments")
    return Install(
        demo_engine,
        northwind_round,
        created.assessment_ids[SECRET],
        created.id,
        created.facilitator_key,
        created.join_code,
    )


def open_as(email: str | None, page: str, **params: str) -> AppTest:
    """Run `page` as the signed-in `email` (None: nobody signed in), arriving with these query parameters."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.user = {"is_logged_in": True, "email": email} if email else {"is_logged_in": False}
    at.query_params.update(params)
    if page.startswith("ui/pages/workshop_"):
        at.run()  # pages with their own url_path are known only after a first run
    at.switch_page(page)
    return at.run()


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


def test_another_organisations_workshop_link_opens_nothing(install: Install) -> None:
    """Even with the right facilitator key: the key is not enough without a role in that organisation."""
    at = open_as(OWNER, "ui/pages/workshop_facilitator.py", w=str(install.globex_workshop), key=install.globex_key)
    assert not at.exception
    assert "This link is not valid." in shown(at)
    assert SECRET not in shown(at)
    assert "Globex" not in shown(at)
    theirs = open_as(OTHER, "ui/pages/workshop_facilitator.py", w=str(install.globex_workshop), key=install.globex_key)
    assert not theirs.exception
    assert "Record the agreed answer" in shown(theirs)


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
    assert "Signed in as vic@northwind.example" in shown(at)


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
def test_local_mode_is_unchanged(demo_engine: Engine, page: str) -> None:  # noqa: F811
    """The default: no sign-in screen, no signed-in bar, no Access page, every organisation shown."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["assessment"] = str(demo_round(demo_engine, "Payments"))
    at.switch_page(page)
    at.run()
    assert not at.exception
    assert "Sign in" not in shown(at)
    assert "Signed in as" not in shown(at)
    assert DEMO_ORG in shown(at) or "Payments" in shown(at)
    assert not [b for b in at.button if b.key in ("auth_sign_in", "auth_sign_out")]
