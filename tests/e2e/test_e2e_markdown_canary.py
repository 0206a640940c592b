"""Nothing anybody typed is rendered as Markdown: every page, in Chromium, with every free-text field baited.

Each field people type (organisation and team names, round labels, notes, reasons,
who recorded an answer, the mapping name, a published bank's title and publisher,
the workshop title, a participant's
display name, the agreed answer's note) holds a Markdown image, a link, an autolink
and a bare address on a loopback canary server (tests/support/bait.py). The test
opens every page a team, a leader and a workshop use, waits until each has drawn,
and then asks the canary and the browser: no request reached the canary, and no
link on any page points at it. It runs in local mode and, signed in as the baited
organisation's owner through the test OpenID Connect provider, in shared mode. Before every piece of text went through
`ui.text.plain`, the facilitator's participant table, the team selector and the
join page's team radio fetched the image.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from assessment.access.policy import COMMAND_LINE, Role
from assessment.core import db
from assessment.organisations.members import grant
from tests.support.bait import Baited, Canary, bait_everything, canary_server
from tests.support.e2e import screenshot, serving
from tests.support.oidc import shared_app, sign_in, verified

pytestmark = pytest.mark.e2e
WAIT = 60_000  # ms: a page on a busy two-core machine can take a while to draw
OWNER = "owner@baited.example"  # signs in to the shared install


@dataclass(frozen=True)
class BaitedInstall:
    url: str
    canary: Canary
    baited: Baited


@pytest.fixture(scope="module")
def baited_install(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BaitedInstall]:
    """The app in local mode on a database whose every text field is bait for the canary."""
    folder = tmp_path_factory.mktemp("canary")
    database_url = f"sqlite:///{folder / 'baited.db'}"
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with canary_server() as canary:
        baited = bait_everything(engine, canary)
        engine.dispose()
        with serving(folder, {"FOUNDATIONS_DATABASE_URL": database_url}) as url:
            yield BaitedInstall(url, canary, baited)


@pytest.fixture(scope="module")
def shared_baited_install(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BaitedInstall]:
    """The same bait in shared mode, signing in against the test OpenID Connect provider; OWNER owns the
    baited organisation."""
    pytest.importorskip("oidc_provider_mock", reason="the test extra installs oidc-provider-mock")
    folder = tmp_path_factory.mktemp("canary-shared")
    database_url = f"sqlite:///{folder / 'baited.db'}"
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with canary_server() as canary:
        baited = bait_everything(engine, canary)
        grant(engine, actor=COMMAND_LINE, organisation_id=baited.organisation_id, email=OWNER, role=Role.OWNER)
        engine.dispose()
        with shared_app(folder, database_url, verified(OWNER)) as served:
            yield BaitedInstall(served.url, canary, baited)


def settled(page: Page) -> None:
    """The script has finished and every element is drawn (then the images it renders have been asked for)."""
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning", timeout=WAIT)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=WAIT)
    page.wait_for_load_state("networkidle")


def visit(page: Page, url: str, shot: str) -> None:
    page.goto(url)
    look(page, shot)


def look(page: Page, shot: str) -> None:
    """Wait for the page, open what is folded away (it renders when opened), and keep a screenshot."""
    settled(page)
    for expander in page.get_by_test_id("stExpander").all():  # what is folded away renders when opened
        expander.locator("summary").click()
    settled(page)
    screenshot(page, f"canary-{shot}")


def links_to(page: Page, canary: Canary) -> list[str]:
    return [str(a.get_attribute("href")) for a in page.locator(f'a[href^="{canary.base}"]').all()]


def crawl(browser: Browser, install: BaitedInstall, *, owner: str | None = None) -> None:
    """Every page a team, a leader, an owner and a workshop use, signed in as `owner` in shared mode; then the
    canary and the browser are asked whether anything reached the canary."""
    canary, baited = install.canary, install.baited
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    asked: list[str] = []
    context.on("request", lambda r: asked.append(r.url) if r.url.startswith(canary.base) else None)
    page = context.new_page()
    mode = "shared" if owner else "local"
    if owner:
        sign_in(page, install.url, owner)
    rounds = [f"assessment={r}" for r in baited.rounds]
    pages = {
        "start": "",
        "assess": f"assess?{rounds[1]}&foundation=rollback_speed",
        "results": f"results?{rounds[1]}",
        "results-completed": f"results?{rounds[0]}",
        "dora": f"dora?{rounds[1]}",
        "report": f"report?{rounds[1]}",
        "portfolio": "portfolio",
        "rounds": f"rounds?{rounds[1]}",
        "banks": "banks",
        **({"access": "access"} if owner else {}),  # members, the audit log and the branding: owners, shared mode
        "join": f"join?join={baited.join_code}",
        "participant": f"join?p={baited.token}",
    }
    leaked: dict[str, list[str]] = {}
    for name, path in pages.items():
        visit(page, f"{install.url}/{path}", f"{mode}-{name}")
        leaked[name] = links_to(page, canary)
    if owner:  # the owner's own pages drew (not a sign-in screen or a refusal)
        page.goto(f"{install.url}/portfolio")
        expect(page.get_by_text(f"Signed in as {owner}")).to_be_visible(timeout=WAIT)
    page.goto(f"{install.url}/facilitate")
    page.get_by_role("textbox", name="Workshop number").fill(str(baited.workshop_id))
    page.get_by_role("textbox", name="Facilitator key").fill(baited.key)
    page.get_by_role("button", name="Open the dashboard").click()
    expect(page.get_by_text("Record the agreed answer")).to_be_visible(timeout=WAIT)
    look(page, f"{mode}-facilitator-other-team")
    page.get_by_test_id("stButtonGroup").get_by_text(
        re.compile(r"^Team ")
    ).click()  # the team with a participant, a note and an agreed answer
    expect(page.get_by_test_id("stTable")).to_be_visible(timeout=WAIT)
    look(page, f"{mode}-facilitator")
    leaked["facilitator"] = links_to(page, canary)
    context.close()
    assert not canary.hits, f"the canary was asked for {canary.hits}"
    assert not asked, f"the browser asked the canary for {asked}"
    assert not {name: links for name, links in leaked.items() if links}, "live links to the canary"


def test_no_page_renders_what_people_typed(baited_install: BaitedInstall, browser: Browser) -> None:
    crawl(browser, baited_install)


def test_no_page_renders_what_people_typed_in_shared_mode(
    shared_baited_install: BaitedInstall, browser: Browser
) -> None:
    """The same crawl signed in as the baited organisation's owner, through the test OpenID Connect provider:
    shared mode adds the Access page (members, audit log, branding) and the signed-in person's caption."""
    crawl(browser, shared_baited_install, owner=OWNER)


def test_the_canary_hears_a_browser_that_asks(baited_install: BaitedInstall, page: Page) -> None:
    """The other half of the proof: a request the browser does make reaches the canary and is counted."""
    page.goto(f"{baited_install.canary.base}/i/control")
    assert "/i/control" in baited_install.canary.hits
    baited_install.canary.hits.remove("/i/control")


def test_no_table_offers_its_cells_for_download(baited_install: BaitedInstall, page: Page) -> None:
    """Streamlit's table toolbar wrote cells such as `=HYPERLINK(...)` into a CSV unchanged (formula injection):
    `client.disableDataExport` takes its download away; the pages' own CSV buttons write spreadsheet-safe cells."""
    page.goto(f"{baited_install.url}/portfolio")
    settled(page)
    page.get_by_test_id("stDataFrame").first.hover()
    expect(page.get_by_role("button", name="Search")).to_be_visible(timeout=WAIT)  # the table's toolbar is shown
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)
