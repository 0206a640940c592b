"""Three people ask for a PDF at the same moment, in three browsers: each is queued, told its place, and gets its PDF.

Item 1 of issue 16: before, the render worker started on the first click (its start counted against the
60 s limit) and requests simply blocked on a lock with no word of how long.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import load_demo
from tests.support.builders import demo_round
from tests.support.e2e import Server, screenshot

pytestmark = pytest.mark.e2e
WAIT = 300_000  # ms: three reports one after the other on a busy two-core machine


def test_three_pdfs_asked_for_at_once_all_arrive(server: Server, browser: Browser) -> None:
    engine = db.make_engine(server.database_url)
    with db.write_session(engine) as session:
        load_demo(session, bank=default_bank())
    rounds = [demo_round(engine, team) for team in ("Checkout", "Payments", "Platform")]
    engine.dispose()
    contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in rounds]
    try:
        pages: list[Page] = [context.new_page() for context in contexts]
        for page, assessment_id in zip(pages, rounds, strict=True):
            page.goto(f"{server.url}/report?assessment={assessment_id}")
            expect(page.get_by_role("button", name="Prepare the PDF")).to_be_visible(timeout=WAIT)
        prepare = pages[0].get_by_role("button", name="Prepare the PDF").bounding_box()
        roadmap = pages[0].get_by_role("heading", name="Roadmap").bounding_box()
        assert prepare is not None
        assert roadmap is not None
        assert prepare["y"] < roadmap["y"]  # the PDF button at the top of Report, not under ~3,800 px of roadmap
        for group in ("Your team", "Leaders", "Workshops"):  # the navigation grouped by who comes for it
            expect(pages[0].get_by_test_id("stTopNavSection").filter(has_text=group)).to_have_count(1)
        for page in pages:  # one after the other, as fast as the browser can click
            page.get_by_role("button", name="Prepare the PDF").click()
        expect(pages[-1].get_by_text("ahead of yours")).to_be_visible(timeout=WAIT)
        screenshot(pages[-1], "pdf-queue")
        for page in pages:
            download = page.get_by_role("button", name="Download the PDF")
            expect(download).to_be_visible(timeout=WAIT)
            expect(page.get_by_text("could not be made")).to_have_count(0)
            with page.expect_download() as info:
                download.click()
            with open(info.value.path(), "rb") as pdf:
                assert pdf.read(5) == b"%PDF-"
    finally:
        for context in contexts:
            context.close()
