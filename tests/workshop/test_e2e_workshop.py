"""A short workshop end to end in Chromium: a facilitator and two participants in three browser contexts.

The server is a real `streamlit run app.py` (tests/e2e/conftest.py). Screenshots go
to test-artifacts/workshop-*.png for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from assessment.assessments.repository import load_assessment
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.workshops.access import INVALID_LINK
from assessment.workshops.admin import CreatedWorkshop, create_workshop
from assessment.workshops.links import dashboard_link, join_link
from tests.support.e2e import Server, screenshot

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)  # a loaded two-core machine; expect() returns as soon as it holds
QUESTION = "rb_rollback_path"


@pytest.fixture
def workshop(server: Server) -> CreatedWorkshop:
    engine = db.make_engine(server.database_url)
    try:
        with db.write_session(engine) as session:
            return create_workshop(
                session,
                organisation="Northwind",
                teams=["Payments", "Checkout"],
                bank=default_bank(),
                facilitator="Fran",
                title="Northwind baseline",
            )
    finally:
        engine.dispose()


@pytest.fixture
def tabs(browser: Browser) -> Iterator[tuple[Page, Page, Page]]:
    """Three separate browser contexts: nothing (cookies, storage) is shared between them."""
    contexts = [browser.new_context(viewport={"width": 1366, "height": 900}) for _ in range(3)]
    yield tuple(c.new_page() for c in contexts)  # type: ignore[misc]
    for context in contexts:
        context.close()


def join(page: Page, server: Server, workshop: CreatedWorkshop, name: str) -> None:
    page.goto(join_link(server.url, workshop.join_code))
    page.get_by_label("Your name, as the facilitator will see it").fill(name)
    page.get_by_test_id("stRadio").get_by_text("Payments", exact=True).click()
    page.get_by_role("button", name="Join").click()
    expect(page).to_have_url(re.compile(r"/join\?p=[A-Za-z0-9_-]{43}$"))
    expect(page.get_by_text(f"You answer for Payments as {name}.")).to_be_visible()


def answer(page: Page, level_label: str, answered: int) -> None:
    """Answer the rollback-path question in the rollback foundation and wait for the saved count."""
    page.get_by_role("radio", name=re.compile(r"^Deployment rollback speed")).click()
    option = (
        page.locator(f".st-key-wj-question-{QUESTION}")
        .get_by_test_id("stRadioOption")
        .filter(has_text=re.compile("^" + re.escape(level_label)))
    )
    expect(option).to_have_count(1)  # this question's own option (the label text is unique to it) is drawn
    option.click()
    expect(page.get_by_text(f"{answered} of {len(default_bank().questions)} questions answered")).to_be_visible()


def test_a_short_workshop_from_join_to_agreed_answer(
    server: Server, workshop: CreatedWorkshop, tabs: tuple[Page, Page, Page]
) -> None:
    facilitator, ann, bob = tabs
    facilitator.goto(dashboard_link(server.url, workshop.id))  # the local user at this machine: no key needed
    expect(facilitator.get_by_role("heading", name="Northwind baseline")).to_be_visible()
    expect(facilitator).to_have_url(re.compile(rf"/facilitate\?w={workshop.id}$"))
    # The page's last element: a cold server's first run imports pandas, pyarrow and altair (slow when loaded).
    expect(facilitator.get_by_role("button", name="Record agreed answer")).to_be_visible(timeout=120_000)
    screenshot(facilitator, "workshop-01-facilitator-open")

    join(ann, server, workshop, "Ann Quill")
    answer(ann, "1 · Ad hoc: Someone who knows how", 1)
    join(bob, server, workshop, "Bob Marsh")
    answer(bob, "4 · Proven: As at level 3, with timed rollback drills", 1)
    bob.get_by_role("button", name="I am done").click()
    # 46 questions left: the page asks first, and says how many
    expect(bob.get_by_text("46 of 47 questions are still unanswered")).to_be_visible()
    bob.get_by_role("button", name="Yes, I am done").click()
    expect(bob.get_by_text("You told the facilitator you are done.")).to_be_visible()
    expect(bob.get_by_text("Quill")).to_have_count(0)  # nobody sees another participant
    screenshot(ann, "workshop-02-participant")

    facilitator.get_by_role("radio", name="Payments", exact=True).click()
    people = facilitator.get_by_test_id("stTable")
    expect(people).to_contain_text("Ann Quill")  # the live refresh brings the room in
    expect(people.locator("tr", has_text="Bob Marsh")).to_contain_text("✓")
    live = facilitator.get_by_test_id("stCheckbox").filter(has_text="Live (refresh every 5 s)")
    live.click()  # hold still for the camera: on a loaded machine the timer keeps redrawing the table
    expect(live.locator("input")).not_to_be_checked()
    screenshot(facilitator, "workshop-03-dashboard")
    facilitator.get_by_test_id("stSelectbox").click()
    facilitator.keyboard.type("Rollback path")  # the list is long and virtualised: filter it first
    facilitator.get_by_role("option", name=re.compile(r"\. Rollback path$")).click()
    expect(facilitator.get_by_text("2 answered · median 62 · spread (IQR) 38 · range 75")).to_be_visible()
    facilitator.get_by_text("Individual answers (only you see these)").click()
    expect(facilitator.get_by_text("level 1 (ad hoc)")).to_be_visible()
    facilitator.get_by_test_id("stRadioOption").filter(has_text=re.compile(r"^2 · Partial")).click()
    expect(facilitator.get_by_role("radio", name=re.compile(r"^2 · Partial"))).to_be_checked()
    form = facilitator.get_by_test_id("stForm")  # the answer sits above it: choosing "not applicable" asks why
    form.get_by_label("Note: why the room settled here").fill("Scripted for two services out of five")
    form.get_by_role("button", name="Record agreed answer").click()
    expect(facilitator.get_by_text("Recorded: Rollback path.")).to_be_visible()
    expect(facilitator.get_by_text("Agreed so far: level 2 (partial)")).to_be_visible()
    screenshot(facilitator, "workshop-04-agreed")

    engine = db.make_engine(server.database_url)
    try:
        with db.read_session(engine) as session:
            data = load_assessment(session, assessment_id=workshop.assessment_ids["Payments"])
    finally:
        engine.dispose()
    assert data.answers[QUESTION].value == 2
    assert data.answer_meta[QUESTION][0] == "Fran"

    facilitator.get_by_role("button", name="Close").click()
    expect(facilitator.get_by_role("button", name="Reopen")).to_be_visible()
    ann.reload()
    expect(ann.get_by_text(INVALID_LINK)).to_be_visible()
    expect(ann.get_by_text("Ask the facilitator for the current link or join code.")).to_be_visible()
    expect(ann.get_by_text("Northwind")).to_have_count(0)
    screenshot(ann, "workshop-05-closed-link")
