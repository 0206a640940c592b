"""Shared mode in a real browser against a real OpenID Connect provider on loopback.

The provider is `oidc-provider-mock`, started here on a free port: its sign-in
form takes a subject, and issues an ID token with the claims registered for it
(`USERS`: a verified address for each person, and the accounts an attacker would
use). Streamlit does the real authorization-code flow against it. The install
trusts the provider as `http://localhost:PORT`; the same provider reached as
`http://127.0.0.1:PORT` (the "partner" button) is another issuer, not trusted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import col, select

from assessment.access.policy import COMMAND_LINE, Role, acting_as
from assessment.assessments.repository import create_assessment, list_assessments, store_bank
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import DEMO_ORG, load_demo
from assessment.models.access import AuditEvent
from assessment.organisations.directory import ensure_organisation, ensure_team, find_organisation
from assessment.organisations.members import grant
from tests.support.e2e import screenshot
from tests.support.oidc import shared_app, verified
from tests.support.oidc import sign_in as signed_in
from tests.support.oidc import through_provider as provider_form
from ui.text import unlinked

oidc_provider_mock = pytest.importorskip("oidc_provider_mock", reason="the test extra installs oidc-provider-mock")

pytestmark = pytest.mark.e2e

ANA, VIC, GUS = "ana@northwind.example", "vic@northwind.example", "gus@globex.example"
SECRET_TEAM = "Skunkworks"
WAIT = 60_000  # ms: a page on a busy two-core machine can take a while to draw; absence is checked after
MALLORY, EVE = "mallory", "eve"  # another account claiming Ana's address; an account whose address is unverified
USERS = [
    *verified(ANA, VIC, GUS),
    oidc_provider_mock.User(sub=MALLORY, claims={"email": ANA, "email_verified": True}),
    oidc_provider_mock.User(sub=EVE, claims={"email": VIC, "email_verified": False}),
]


@dataclass(frozen=True)
class SharedInstall:
    url: str
    issuer: str
    database_url: str
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
    with shared_app(tmp, database_url, USERS) as served:
        yield SharedInstall(served.url, served.issuer, database_url, northwind_round, globex_round)


def through_provider(page: Page, install: SharedInstall, subject: str, *, button: str = "Sign in") -> None:
    """The app's sign-in button, then the provider's own form as `subject`; back at the app."""
    provider_form(page, install.url, subject, button=button)


def sign_in(page: Page, install: SharedInstall, email: str) -> None:
    """Through the app's sign-in button and the provider's own form, back to the app signed in."""
    signed_in(page, install.url, email)


def refused(page: Page, why: str) -> None:
    """The app says why it refused the sign-in, and shows nothing of any organisation."""
    expect(page.get_by_text(unlinked(why))).to_be_visible(timeout=WAIT)  # an address is shown as text
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    expect(page.get_by_text(DEMO_ORG)).to_have_count(0)
    expect(page.get_by_text("Catalogue")).to_have_count(0)


def audited(install: SharedInstall, detail: str) -> list[AuditEvent]:
    """The install's refused sign-ins whose detail contains `detail`."""
    engine = db.make_engine(install.database_url)
    with db.read_session(engine) as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.action == "sign_in", col(AuditEvent.detail).contains(detail))
        )
        found = [r for r in rows if r.outcome == "denied"]
    engine.dispose()
    return found


def sign_out(page: Page, install: SharedInstall) -> None:
    """The app's sign-out ends the provider's session too (RP-initiated logout), then comes back signed out."""
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{install.issuer}/**")
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible(timeout=WAIT)


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


def test_a_viewer_cannot_start_a_dora_import(signin_install: SharedInstall, page: Page) -> None:
    """The import tab asks the role first: a viewer gets no upload at all, so no file of theirs is ever read."""
    sign_in(page, signin_install, VIC)
    page.goto(f"{signin_install.url}/dora?assessment={signin_install.northwind_round}")
    page.get_by_role("tab", name="Import files").click()
    expect(
        page.get_by_text("Your role in this organisation shows the DORA figures but does not import data.")
    ).to_be_visible(timeout=WAIT)
    expect(page.locator("input[type=file]")).to_have_count(0)
    screenshot(page, "signin-6-viewer-import-refused")


def test_an_unverified_address_is_refused(signin_install: SharedInstall, page: Page) -> None:
    through_provider(page, signin_install, EVE)
    refused(page, f"Your sign-in provider has not verified the address {VIC}")
    screenshot(page, "signin-7-unverified-address")
    assert [e.actor for e in audited(signin_install, "email_verified is not true")] == [VIC]


def test_a_sign_in_from_an_issuer_not_listed_is_refused(signin_install: SharedInstall, page: Page) -> None:
    partner = signin_install.issuer.replace("localhost", "127.0.0.1")
    through_provider(page, signin_install, GUS, button="Sign in with partner")
    refused(page, f"Foundations does not accept sign-ins from {partner}")
    assert [e.actor for e in audited(signin_install, f"issuer {partner} is not in")] == [GUS]


def test_another_account_claiming_a_bound_address_is_refused_and_audited(
    signin_install: SharedInstall, page: Page
) -> None:
    sign_in(page, signin_install, ANA)  # binds Ana's address to her account (if no earlier test did)
    page.context.clear_cookies()
    through_provider(page, signin_install, MALLORY)
    refused(page, f"The address {ANA} belongs to another account of your sign-in provider")
    screenshot(page, "signin-8-another-account")
    assert [e.actor for e in audited(signin_install, f"subject {MALLORY} at {signin_install.issuer}")] == [ANA]


def test_a_cookie_replayed_after_sign_out_is_refused(signin_install: SharedInstall, page: Page) -> None:
    sign_in(page, signin_install, GUS)
    copied = [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]
    assert copied
    sign_out(page, signin_install)
    page.context.add_cookies(copied)  # type: ignore[arg-type]  # Cookie and SetCookieParam hold the same keys
    page.goto(signin_install.url)
    refused(page, "This session ended when you signed out. Sign in again.")
    expect(page.get_by_text("Globex")).to_have_count(0)
    screenshot(page, "signin-9-replayed-after-sign-out")
    assert [e.actor for e in audited(signin_install, "issued before the last sign-out")] == [GUS]
