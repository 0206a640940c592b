"""In Chromium against a real server: answers survive a reload, and finishing a round shows its results."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect

from assessment.assessments.repository import answers_for, create_assessment, store_bank
from assessment.bank.answers import AnswerStatus, answered
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.organisations.directory import ensure_organisation, ensure_team
from tests.support.e2e import Server, screenshot

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)  # a loaded two-core CI machine; expect() still returns as soon as it holds
SAVED = re.compile(r"Saved \d")


def create_round(database_url: str) -> int:
    engine = db.make_engine(database_url)
    try:
        with db.write_session(engine) as session:
            org = ensure_organisation(session, name="Acme")
            team = ensure_team(session, organisation_id=org.id or 0, name="Core")
            stored = store_bank(session, bank=default_bank())
            return (
                create_assessment(session, team_id=team.id or 0, bank_version_id=stored.id or 0, created_by="e2e").id
                or 0
            )
    finally:
        engine.dispose()


def question(page: Page, key: str) -> Locator:
    return page.locator(f".st-key-question-{key}")


def option(page: Page, key: str, label_start: str) -> Locator:
    return question(page, key).get_by_role("radio", name=re.compile("^" + re.escape(label_start)))


def choose(page: Page, key: str, label_start: str) -> None:
    """Click a radio option by the start of its label and wait for the page to confirm the save."""
    question(page, key).get_by_test_id("stRadioOption").filter(
        has_text=re.compile("^" + re.escape(label_start))
    ).click()
    expect(option(page, key, label_start)).to_be_checked()
    expect(question(page, key).get_by_text(SAVED)).to_be_visible()


def type_and_leave(field: Locator, text: str, key: str = "Enter") -> None:
    field.fill(text)
    field.press(key)


def test_a_bad_link_gets_a_friendly_page(server: Server, page: Page) -> None:
    page.goto(f"{server.url}/assess?assessment=not-a-number")
    expect(page.get_by_text("This link does not point to an assessment.")).to_be_visible()
    expect(page.get_by_text("Traceback")).to_have_count(0)
    screenshot(page, "07-bad-link")
    page.get_by_role("link", name="Go to Start").click()
    expect(page.get_by_role("heading", name="Start your first assessment")).to_be_visible()  # runs first: empty
    expect(page.get_by_role("button", name="Load demo data")).to_be_visible()
    screenshot(page, "00-first-visit")


def test_answers_survive_a_reload_and_the_round_ends_on_its_results(server: Server, page: Page) -> None:
    assessment_id = create_round(server.database_url)
    page.goto(server.url)
    expect(page.get_by_role("heading", name="Core: rounds")).to_be_visible()
    expect(page.get_by_role("link", name="Continue")).to_be_visible()
    screenshot(page, "01-start")
    page.get_by_role("link", name="Continue").click()
    expect(page).to_have_url(re.compile(rf"/assess\?assessment={assessment_id}"))
    expect(page.get_by_role("heading", name="How you ship today")).to_be_visible()  # context questions first
    page.get_by_test_id("stSidebar").locator("label").filter(has_text="Failure isolation").click()
    expect(page.get_by_role("heading", name="Failure isolation")).to_be_visible()

    choose(page, "fi_instance_kill", "2 · Partial")
    choose(page, "fi_circuit_breakers", "Yes")
    choose(page, "fi_bulkheads", "Don't know")
    cascading = question(page, "fi_cascading_incidents")
    type_and_leave(cascading.get_by_label("Measured value (incidents)"), "2")
    expect(cascading.get_by_text(SAVED)).to_be_visible()
    timeouts = question(page, "fi_timeouts")
    choose(page, "fi_timeouts", "3 · Established")
    timeouts.get_by_text("Note and evidence").click()
    type_and_leave(timeouts.get_by_label("Evidence link"), "https://wiki.example.com/timeouts")
    expect(timeouts.get_by_text("with evidence link")).to_be_visible()
    type_and_leave(timeouts.get_by_label("Note"), "Set in the shared client library", "Tab")
    expect(timeouts.get_by_text("with note, evidence link")).to_be_visible()
    type_and_leave(timeouts.get_by_label("Evidence link"), "ftp://not-allowed")
    expect(timeouts.get_by_text("The evidence link must be a web address starting with http")).to_be_visible()
    expect(page.get_by_text(f"5 of {len(default_bank().questions)} questions answered")).to_be_visible()
    screenshot(page, "02-assess")

    with db.read_session(db.make_engine(server.database_url)) as session:
        stored = answers_for(session, assessment_id=assessment_id)
    assert stored["fi_instance_kill"] == answered(2)
    assert stored["fi_bulkheads"].status is AnswerStatus.DONT_KNOW
    assert stored["fi_cascading_incidents"] == answered(2)
    assert stored["fi_timeouts"] == answered(
        3, note="Set in the shared client library", evidence_url="https://wiki.example.com/timeouts"
    )

    page.reload()
    expect(option(page, "fi_instance_kill", "2 · Partial")).to_be_checked()
    expect(option(page, "fi_circuit_breakers", "Yes")).to_be_checked()
    expect(option(page, "fi_bulkheads", "Don't know")).to_be_checked()
    expect(option(page, "fi_timeouts", "3 · Established")).to_be_checked()
    expect(cascading.get_by_label("Measured value (incidents)")).to_have_value("2")
    expect(timeouts.get_by_label("Note")).to_have_value("Set in the shared client library")
    expect(timeouts.get_by_label("Evidence link")).to_have_value("https://wiki.example.com/timeouts")
    expect(option(page, "fi_timeouts", "0 · Absent")).not_to_be_checked()
    screenshot(page, "03-assess-after-reload")

    page.get_by_role("button", name="Go to first unanswered").click()
    expect(page.get_by_text("First unanswered question.")).to_be_visible()
    page.get_by_role("button", name="Mark round complete").click()
    expect(page).to_have_url(re.compile(rf"/results\?assessment={assessment_id}"))
    expect(page.get_by_role("heading", name="Results: Core, round 1")).to_be_visible()
    expect(page.get_by_text("Not ready for expanding deployment autonomy")).to_be_visible()
    expect(page.locator("[data-testid='stVegaLiteChart']")).to_be_visible()
    screenshot(page, "04-results")
    page.get_by_role("heading", name="Still unanswered").scroll_into_view_if_needed()
    screenshot(page, "05-results-lower")


def test_reloaded_evidence_date_is_kept(server: Server, page: Page) -> None:
    """The date picker is the one widget typed segment by segment; check it survives a reload too."""
    assessment_id = create_round(server.database_url)
    page.goto(f"{server.url}/assess?assessment={assessment_id}&foundation=rollback_speed")
    choose(page, "rb_rollback_path", "1 · Ad hoc")
    path = question(page, "rb_rollback_path")
    path.get_by_text("Note and evidence").click()
    path.get_by_role("spinbutton", name="year, Evidence date").click()
    page.keyboard.type("20261001")  # typed segment by segment; the calendar opens on the typed day
    page.get_by_role("button", name="Thursday, October 1, 2026").click()
    expect(path.get_by_text("with evidence dated 2026-10-01")).to_be_visible()
    page.reload()
    path = question(page, "rb_rollback_path")
    expect(path.get_by_role("spinbutton", name="year, Evidence date")).to_have_text("2026")
    expect(path.get_by_role("spinbutton", name="day, Evidence date")).to_have_text("01")
    with db.read_session(db.make_engine(server.database_url)) as session:
        assert answers_for(session, assessment_id=assessment_id)["rb_rollback_path"].evidence_date == date(2026, 10, 1)
