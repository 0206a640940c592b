"""Shared mode in a real browser against a real OpenID Connect provider on loopback.

The provider is `oidc-provider-mock`, started here on a free port: its sign-in
form takes any subject, and issues an ID token whose `email` claim is that
subject. Streamlit does the real authorization-code flow against it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from assessment.access.policy import COMMAND_LINE, Role, acting_as
from assessment.assessments.repository import create_assessment, list_assessments, store_bank
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import DEMO_ORG, load_demo
from assessment.organisations.directory import ensure_organisation, ensure_team, find_organisation
from assessment.organisations.members import grant
from tests.support.e2e import free_port, screenshot, serving

oidc_provider_mock = pytest.importorskip("oidc_provider_mock", reason="the test extra installs oidc-provider-mock")

pytestmark = pytest.mark.e2e

ANA, VIC, GUS = "ana@northwind.example", "vic@northwind.example", "gus@globex.example"
SECRET_TEAM = "Skunkworks"
WAIT = 60_000  # ms: a page on a busy two-core machine can take a while to draw; absence is checked after
DEPLOYMENTS = "id,service,deployed_at\nd1,api,2024-05-01T10:00:00Z\nd2,api,2024-05-02T10:00:00Z\n"


@dataclass(frozen=True)
class SharedInstall:
    url: str
    issuer: str
    northwind_round: int
    globex_round: int


def _seed(database_url: str) -> tuple[int, int]:
    """Northwind (the demo) with an owner and a viewer; Globex with one round and its own owner."""
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with acting_as(COMMAND_LINE), db.write_session(engine) as session:
        load_demo(session, bank=default_bank())
        northwind = find_organisation(session, name=DEMO_ORG)
        globex = ensure_organisation(session, name="Globex")
        team = ensure_team(session, organisation_id=globex.id or 0, name=SECRET_TEAM)
        globex_round = create_assessment(
            session,
            team_id=team.id or 0,
            created_by="gus",
            bank_version_id=store_bank(session, bank=default_bank()).id or 0,
        ).id
        payments = next(s.id for s in list_assessments(session) if s.organisation == DEMO_ORG and s.team == "Payments")
    assert northwind is not None
    assert globex_round is not None
    for email, org_id, role in [
        (ANA, northwind.id, Role.OWNER),
        (VIC, northwind.id, Role.VIEWER),
        (GUS, globex.id, Role.OWNER),
    ]:
        grant(engine, actor=COMMAND_LINE, organisation_id=org_id or 0, email=email, role=role)
    engine.dispose()
    return payments, globex_round


@pytest.fixture(scope="module")
def signin_install(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedInstall]:
    """The app in shared mode on its own database, signing in against a mock provider; both stopped afterwards."""
    tmp = tmp_path_factory.mktemp("signin")
    database_url = f"sqlite:///{tmp / 'shared.db'}"
    northwind_round, globex_round = _seed(database_url)
    with oidc_provider_mock.run_server_in_thread() as provider:
        issuer = f"http://localhost:{provider.server_port}"
        port = free_port()
        url = f"http://localhost:{port}"  # the redirect URI's host must be the one the browser uses
        (tmp / "secrets.toml").write_text(
            f'[auth]\nredirect_uri = "{url}/oauth2callback"\ncookie_secret = "{secrets.token_urlsafe(32)}"\n'
            f'client_id = "foundations-test"\nclient_secret = "{secrets.token_urlsafe(16)}"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        env = {"FOUNDATIONS_DATABASE_URL": database_url, "FOUNDATIONS_MODE": "shared", "FOUNDATIONS_ADMIN_EMAILS": ""}
        args = ("--secrets.files", str(tmp / "secrets.toml"))
        with serving(tmp, env, host="localhost", port=port, args=args) as served:
            yield SharedInstall(served, issuer, northwind_round, globex_round)


def sign_in(page: Page, install: SharedInstall, email: str) -> None:
    """Through the app's sign-in button and the provider's own form, back to the app signed in."""
    page.goto(install.url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{install.issuer}/**")
    page.locator("input[name=sub]").fill(email)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text(f"Signed in as {email}")).to_be_visible(timeout=WAIT)


def sign_out(page: Page, install: SharedInstall) -> None:
    """The app's sign-out ends the provider's session too (RP-initiated logout), then comes back signed out."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{install.issuer}/**")
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=WAIT)


def test_two_people_of_two_organisations_each_see_only_their_own(signin_install: SharedInstall, page: Page) -> None:
    page.goto(signin_install.url)
    expect(page.get_by_text("Sign in to see yours")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(DEMO_ORG)).to_have_count(0)
    screenshot(page, "signin-1-signed-out")
    sign_in(page, signin_install, ANA)
    expect(page.get_by_text("Catalogue: rounds")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("combobox", name="Organisation")).to_have_value(DEMO_ORG)
    expect(page.get_by_text("Globex")).to_have_count(0)
    expect(page.get_by_text(SECRET_TEAM)).to_have_count(0)
    screenshot(page, "signin-2-northwind-owner")
    page.goto(f"{signin_install.url}/results?assessment={signin_install.globex_round}")
    expect(page.get_by_text("This assessment does not exist")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text(SECRET_TEAM)).to_have_count(0)
    screenshot(page, "signin-3-other-organisations-round")
    sign_out(page, signin_install)
    expect(page.get_by_text(f"Signed in as {ANA}")).to_have_count(0)
    screenshot(page, "signin-4-signed-out-again")
    sign_in(page, signin_install, GUS)
    expect(page.get_by_text(f"{SECRET_TEAM}: rounds")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("combobox", name="Organisation")).to_have_value("Globex")
    expect(page.get_by_text(DEMO_ORG)).to_have_count(0)
    screenshot(page, "signin-5-globex-owner")


def test_a_viewer_cannot_start_a_dora_import(signin_install: SharedInstall, page: Page, tmp_path: Path) -> None:
    sign_in(page, signin_install, VIC)
    page.goto(f"{signin_install.url}/dora?assessment={signin_install.northwind_round}")
    page.get_by_role("tab", name="Import files").click()
    upload = tmp_path / "deployments.csv"
    upload.write_text(DEPLOYMENTS, encoding="utf-8")
    page.locator("input[type=file]").first.set_input_files(str(upload))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(
        page.get_by_text(
            "Nothing was imported: You are a viewer in Northwind Streaming, and a viewer cannot import DORA data."
        )
    ).to_be_visible(timeout=WAIT)
    screenshot(page, "signin-6-viewer-import-refused")
