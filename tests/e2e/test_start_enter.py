"""Issue 16, item 9: Enter in the new organisation's name did nothing; only the button created it."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from assessment.core import db
from assessment.organisations.directory import find_organisation
from tests.support.builders import new_round
from tests.support.e2e import Server

pytestmark = pytest.mark.e2e
expect.set_options(timeout=60_000)


def organisation_appears(database_url: str, name: str) -> bool:
    """Poll the database until the organisation exists (readiness polling, not a timing assert)."""
    engine = db.make_engine(database_url)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with db.read_session(engine) as session:
                if find_organisation(session, name=name) is not None:
                    return True
            time.sleep(0.25)
        return False
    finally:
        engine.dispose()


def test_enter_creates_an_organisation(server: Server, page: Page) -> None:
    engine = db.make_engine(server.database_url)
    new_round(engine, org="Existing", team="Core")
    engine.dispose()
    page.goto(server.url)
    expect(page.get_by_role("heading", name="Core: rounds")).to_be_visible()
    page.get_by_role("button", name="New").first.click()
    field = page.get_by_label("New organisation")
    field.fill("Entered Org")
    field.press("Enter")
    assert organisation_appears(server.database_url, "Entered Org")
    expect(field).to_have_value("")  # the field is emptied once the organisation is made


def test_a_new_organisation_shows_no_team_of_the_one_before(server: Server, page: Page) -> None:
    engine = db.make_engine(server.database_url)
    new_round(engine, org="First Org", team="Kept Team")
    engine.dispose()
    page.goto(server.url)
    page.get_by_label("Organisation").click()
    page.get_by_role("option", name="First Org").click()
    expect(page.get_by_role("heading", name="Kept Team: rounds")).to_be_visible()
    page.get_by_role("button", name="New").first.click()
    page.get_by_label("New organisation").fill("Empty Org")
    page.get_by_role("button", name="Create organisation").click()
    assert organisation_appears(server.database_url, "Empty Org")
    expect(page.get_by_role("heading", name="Kept Team: rounds")).to_have_count(0)
    team_box = page.get_by_test_id("stSelectbox").filter(has_text="Team")
    # the greyed box showed the team of the organisation chosen before
    expect(team_box.get_by_role("combobox")).to_have_value("")
    expect(team_box.get_by_role("combobox")).to_have_attribute("placeholder", "Add a team to start")
