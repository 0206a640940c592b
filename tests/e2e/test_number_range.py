"""Issue 16, item 9: a number outside its question's range showed only the browser's tooltip; the page says it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from assessment.assessments.repository import answers_for
from assessment.core import db
from tests.support.builders import new_round
from tests.support.e2e import Server

pytestmark = pytest.mark.e2e
expect.set_options(timeout=60_000)


def test_an_out_of_range_number_is_refused_in_the_page(server: Server, page: Page) -> None:
    engine = db.make_engine(server.database_url)
    assessment_id = new_round(engine, org="Acme", team="Core")
    page.goto(f"{server.url}/assess?assessment={assessment_id}&foundation=failure_isolation")
    share = page.locator(".st-key-question-fi_kill_tested_share")
    field = share.get_by_label("Measured value (% of services)")
    field.fill("250")
    field.press("Enter")
    expect(share.get_by_text("Answer must be between 0 and 100 % of services, not 250.")).to_be_visible()
    expect(field).to_have_value(re.compile(r"^250(\.0+)?$"))  # what was typed stays, to be corrected
    with db.read_session(engine) as session:
        assert "fi_kill_tested_share" not in answers_for(session, assessment_id=assessment_id)
    engine.dispose()
