"""Issue 16, item 9: the risks table on Results ended in blank rows (its height was reckoned with a row height
Streamlit does not use); it is as tall as its rows."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import load_demo
from tests.support.builders import demo_round
from tests.support.e2e import Server

pytestmark = pytest.mark.e2e
expect.set_options(timeout=60_000)


def test_the_risks_table_ends_with_its_last_risk(server: Server, page: Page) -> None:
    engine = db.make_engine(server.database_url)
    with db.write_session(engine) as session:
        load_demo(session, bank=default_bank())
    assessment_id = demo_round(engine, "Catalogue")  # 23 risks
    engine.dispose()
    page.goto(f"{server.url}/results?assessment={assessment_id}")
    expect(page.get_by_text("Risks, high first")).to_be_visible()
    tables = page.get_by_test_id("stDataFrame")
    expect(tables).to_have_count(2)  # foundations (at most ten rows: drawn as tall as its rows), then risks
    expect(tables.nth(1).locator("tr")).not_to_have_count(0)
    heights = [tables.nth(i).bounding_box() or {"height": 0.0} for i in range(2)]
    rows = [tables.nth(i).locator("tr").count() for i in range(2)]  # the header and each row
    row_px = heights[0]["height"] / rows[0]
    blank = heights[1]["height"] - row_px * rows[1]
    assert abs(blank) < row_px / 4, f"{blank:.0f} px after the last risk (a row is {row_px:.1f} px)"
