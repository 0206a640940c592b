"""Issue 16, item 2 in Chromium: every move between foundations lands on the top of the new one, and
"Go to first unanswered" scrolls to that question and puts the cursor in it.

Before, Streamlit kept the window scrolled where it was: "Next foundation", pressed under the last
question, landed at the bottom of the next foundation, and "first unanswered" only added a link.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from assessment.core import db
from tests.support.builders import new_round
from tests.support.e2e import Server, screenshot

pytestmark = pytest.mark.e2e
expect.set_options(timeout=60_000)


def in_view(page: Page, locator: Locator) -> bool:
    """Whether the element's top is inside the window (what a person sees without scrolling)."""
    box = locator.bounding_box()
    height = page.viewport_size["height"] if page.viewport_size else 0
    return box is not None and 0 <= box["y"] < height


def test_moves_between_foundations_land_on_top_and_first_unanswered_is_focused(server: Server, page: Page) -> None:
    engine = db.make_engine(server.database_url)
    assessment_id = new_round(engine, org="Place", team="Kept")
    engine.dispose()
    page.goto(f"{server.url}/assess?assessment={assessment_id}&foundation=failure_isolation")
    heading = page.get_by_role("heading", name="Failure isolation")
    expect(heading).to_be_visible()
    forward = page.locator(".st-key-next_foundation button")
    forward.scroll_into_view_if_needed()
    assert not in_view(page, heading)  # at the bottom of the foundation
    forward.click()
    next_heading = page.get_by_role("heading", name="Incident observability")
    expect(next_heading).to_be_visible()
    page.wait_for_function(
        "() => { const h = [...document.querySelectorAll('h2')]"
        ".find(e => e.textContent.includes('Incident observability')); if (!h) return false;"
        " const r = h.getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }"
    )
    screenshot(page, "assess-next-foundation-top")

    page.locator(".st-key-next_foundation button").scroll_into_view_if_needed()
    page.get_by_role("button", name="Go to first unanswered").click()
    expect(page.get_by_text("First unanswered question.")).to_be_visible()
    page.wait_for_function(
        "() => { const q = document.querySelector('[class*=\"st-key-question-\"]');"
        " const a = document.activeElement; return !!q && !!a && q.contains(a)"
        " && q.getBoundingClientRect().top < window.innerHeight && q.getBoundingClientRect().bottom > 0; }"
    )
    screenshot(page, "assess-first-unanswered")
