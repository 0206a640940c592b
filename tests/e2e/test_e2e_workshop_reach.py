"""Local mode exposes nothing: it listens on this machine only, and a browser from elsewhere reaches a workshop only.

Local mode has no sign-in, so whoever reaches it is its user with every right. The
server listens on 127.0.0.1 unless opened up; opened up for a workshop, a browser
connecting from another address (here: this machine's own network address, which
is not loopback) gets the join page wherever it goes, no navigation, and the
facilitator's page with the key only. A facilitator who typed the key keeps the
dashboard across a refresh, and the key never enters the address.
"""

from __future__ import annotations

import re
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from assessment.access.policy import COMMAND_LINE, acting_as
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.workshops.admin import CreatedWorkshop, create_workshop
from tests.support.e2e import free_port, screenshot, serving

pytestmark = pytest.mark.e2e
WAIT = 60_000


def network_address() -> str | None:
    """This machine's address on its network (no packet is sent), or None without one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") else address


@dataclass(frozen=True)
class OpenInstall:
    local: str  # the app as the person at this machine reaches it
    remote: str  # the same app through the network address: a guest
    workshop: CreatedWorkshop


def _workshop(database_url: str) -> CreatedWorkshop:
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with acting_as(COMMAND_LINE), db.write_session(engine) as session:
        created = create_workshop(
            session, organisation="Northwind", teams=["Payments"], bank=default_bank(), facilitator="Fran"
        )
    engine.dispose()
    return created


@pytest.fixture(scope="module")
def opened_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenInstall]:
    """Local mode opened to the network (`--server.address 0.0.0.0`) for a workshop."""
    address = network_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    folder = tmp_path_factory.mktemp("reach")
    database_url = f"sqlite:///{folder / 'reach.db'}"
    created = _workshop(database_url)
    port = free_port()
    env = {"FOUNDATIONS_DATABASE_URL": database_url}
    with serving(folder, env, port=port, args=("--server.address", "0.0.0.0")) as url:
        yield OpenInstall(url, f"http://{address}:{port}", created)


def test_by_default_only_this_machine_reaches_the_app(tmp_path_factory: pytest.TempPathFactory) -> None:
    address = network_address()
    if address is None:
        pytest.skip("this machine has no network address besides loopback")
    folder = tmp_path_factory.mktemp("bound")
    database_url = f"sqlite:///{folder / 'bound.db'}"
    _workshop(database_url)
    port = free_port()
    with serving(folder, {"FOUNDATIONS_DATABASE_URL": database_url}, port=port) as url:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
            assert response.status == 200
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(f"http://{address}:{port}/_stcore/health", timeout=10)


def guest_tab(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 1366, "height": 900}).new_page()


def test_a_guest_reaches_the_join_page_wherever_it_goes(opened_up: OpenInstall, browser: Browser) -> None:
    page = guest_tab(browser)
    for path in ("", "portfolio", "results?assessment=1", "rounds", "start"):
        page.goto(f"{opened_up.remote}/{path}")
        expect(page.get_by_role("heading", name="Join a workshop")).to_be_visible(timeout=WAIT)
        expect(page.get_by_text("Northwind")).to_have_count(0)
        expect(page.get_by_test_id("stTopNav")).to_have_count(0)  # no navigation
    screenshot(page, "reach-1-guest-lands-on-join")
    page.goto(f"{opened_up.remote}/join?join={opened_up.workshop.join_code}")
    expect(page.get_by_role("heading", name=re.compile("^Join: "))).to_be_visible(timeout=WAIT)
    page.get_by_label("Your name, as the facilitator will see it").fill("Ann")
    page.get_by_test_id("stRadio").get_by_text("Payments", exact=True).click()
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("You answer for Payments as Ann.")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("stTopNav")).to_have_count(0)
    screenshot(page, "reach-2-participant-no-navigation")
    page.context.close()


def test_a_guest_facilitates_with_the_key_only_and_keeps_the_dashboard_across_a_refresh(
    opened_up: OpenInstall, browser: Browser
) -> None:
    page, created = guest_tab(browser), opened_up.workshop
    page.goto(f"{opened_up.remote}/facilitate?w={created.id}")
    expect(page.get_by_role("button", name="Open the dashboard")).to_be_visible(timeout=WAIT)
    expect(page.get_by_text("Create a workshop")).to_have_count(0)  # a guest creates nothing
    page.get_by_role("textbox", name="Facilitator key").fill(created.facilitator_key)
    page.get_by_role("button", name="Open the dashboard").click()
    expect(page.get_by_text("Record the agreed answer")).to_be_visible(timeout=WAIT)
    expect(page.get_by_role("button", name="New key")).to_have_count(0)  # only whoever may run workshops
    page.reload()
    expect(page.get_by_text("Record the agreed answer")).to_be_visible(timeout=WAIT)  # the ticket, not the key
    expect(page).to_have_url(re.compile(rf"/facilitate\?w={created.id}$"))
    screenshot(page, "reach-3-guest-facilitator-after-refresh")
    history = page.evaluate("() => [location.href, document.cookie]")
    assert created.facilitator_key not in "".join(history)
    page.get_by_role("button", name="Leave").click()
    expect(page.get_by_role("button", name="Open the dashboard")).to_be_visible(timeout=WAIT)
    page.goto(f"{opened_up.remote}/facilitate?w={created.id}")
    expect(page.get_by_role("button", name="Open the dashboard")).to_be_visible(timeout=WAIT)  # the ticket went too
    page.context.close()


def test_the_person_at_this_machine_keeps_navigation_and_runs_workshops_without_the_key(
    opened_up: OpenInstall, page: Page
) -> None:
    page.goto(f"{opened_up.local}/facilitate?w={opened_up.workshop.id}")
    expect(page.get_by_text("Record the agreed answer")).to_be_visible(timeout=WAIT)
    expect(page.get_by_test_id("stTopNav")).to_be_visible()
    page.get_by_role("button", name="New key").click()
    expect(page.get_by_text("A new facilitator key: shown only this once.")).to_be_visible(timeout=WAIT)
    screenshot(page, "reach-4-local-user-new-key")
