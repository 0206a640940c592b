"""Two app instances on one database: a workshop of 30 participants joined through both, nothing lost or doubled.

Two real `streamlit run app.py` servers share the test database (a PostgreSQL schema
when FOUNDATIONS_TEST_DATABASE_URL is set, else one SQLite file); participants join
alternately through one and the other, each in a browser context of its own, and
answer the rollback-path question at a level of their own. Every answer must be
stored once, with its value, and the facilitator's dashboard on either instance
must count all 30. The facilitator then records the agreed answer on the second
instance, and the first instance's dashboard shows it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from assessment.assessments.repository import load_assessment
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.workshops.admin import CreatedWorkshop, create_workshop
from assessment.workshops.links import dashboard_link
from tests.support.e2e import serving
from tests.support.workshop_browser import QUESTION, join_and_answer

pytestmark = pytest.mark.e2e
expect.set_options(timeout=60_000)  # a loaded two-core machine; expect() returns as soon as it holds
PARTICIPANTS = 30


@pytest.fixture
def instances(database_url: str, tmp_path: Path) -> Iterator[tuple[str, str, CreatedWorkshop]]:
    """Two servers on the one database, and a workshop made in it."""
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with db.write_session(engine) as session:
        created = create_workshop(
            session, organisation="Northwind", teams=["Payments"], bank=default_bank(), facilitator="Fran"
        )
    engine.dispose()
    env = {"FOUNDATIONS_DATABASE_URL": database_url}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with serving(tmp_path / "a", env) as first, serving(tmp_path / "b", env) as second:
        yield first, second, created


def _dashboard_counts_everyone(page: Page, url: str, workshop: CreatedWorkshop) -> None:
    page.goto(dashboard_link(url, workshop.id))
    page.get_by_test_id("stSelectbox").click()
    page.keyboard.type("Rollback path")
    page.get_by_role("option", name=re.compile(r"\. Rollback path$")).click()
    expect(page.get_by_text(re.compile(rf"^{PARTICIPANTS} answered · "))).to_be_visible()


def _record_agreed(page: Page) -> None:
    """On the dashboard open on the rollback-path question: agree on level 2 with a note."""
    page.get_by_test_id("stRadioOption").filter(has_text=re.compile(r"^2 · Partial")).click()
    expect(page.get_by_role("radio", name=re.compile(r"^2 · Partial"))).to_be_checked()
    form = page.get_by_test_id("stForm")
    form.get_by_label("Note: why the room settled here").fill("Agreed on the second instance")
    form.get_by_role("button", name="Record agreed answer").click()
    expect(page.get_by_text("Recorded: Rollback path.")).to_be_visible()


def test_thirty_participants_through_two_instances(
    instances: tuple[str, str, CreatedWorkshop], browser: Browser, database_url: str
) -> None:
    first, second, workshop = instances
    levels = {f"P{n:02d}": 1 + n % 4 for n in range(PARTICIPANTS)}
    for n, (name, level) in enumerate(levels.items()):
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        try:
            join_and_answer(context.new_page(), first if n % 2 == 0 else second, workshop, name, level)
        finally:
            context.close()
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                sa.text(
                    "SELECT p.display_name, a.value_json FROM participant_answer a "
                    "JOIN participant p ON p.id = a.participant_id WHERE p.workshop_id = :w AND a.question_key = :q"
                ),
                {"w": workshop.id, "q": QUESTION},
            ).all()
    finally:
        engine.dispose()
    names = [name for name, _ in stored]
    assert sorted(names) == sorted(levels)  # every participant once: none lost, none doubled
    assert {name: json.loads(value) for name, value in stored} == levels
    contexts = [browser.new_context(viewport={"width": 1366, "height": 900}) for _ in range(3)]
    try:
        on_first, on_second, later_on_first = (context.new_page() for context in contexts)
        _dashboard_counts_everyone(on_first, first, workshop)
        _dashboard_counts_everyone(on_second, second, workshop)
        _record_agreed(on_second)
        _dashboard_counts_everyone(later_on_first, first, workshop)  # what the other instance wrote
        expect(later_on_first.get_by_text("Agreed so far: level 2 (partial)")).to_be_visible()
    finally:
        for context in contexts:
            context.close()
    engine = db.make_engine(database_url)
    try:
        with db.read_session(engine) as session:
            agreed = load_assessment(session, assessment_id=workshop.assessment_ids["Payments"]).answers[QUESTION]
    finally:
        engine.dispose()
    assert agreed.value == 2
    assert agreed.note == "Agreed on the second instance"
