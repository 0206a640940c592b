"""A workshop participant in Chromium: join through a link, answer the rollback-path question."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from assessment.bank.loader import default_bank
from assessment.workshops.admin import CreatedWorkshop
from assessment.workshops.links import join_link

QUESTION = "rb_rollback_path"


def join_and_answer(page: Page, url: str, workshop: CreatedWorkshop, name: str, level: int) -> None:
    """Join the workshop's Payments team at `url` as `name` and answer QUESTION at `level`; wait for it saved."""
    page.goto(join_link(url, workshop.join_code))
    page.get_by_label("Your name, as the facilitator will see it").fill(name)
    page.get_by_test_id("stRadio").get_by_text("Payments", exact=True).click()
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text(f"You answer for Payments as {name}.")).to_be_visible()
    page.get_by_role("radio", name=re.compile(r"^Deployment rollback speed")).click()
    option = (
        page.locator(f".st-key-wj-question-{QUESTION}")
        .get_by_test_id("stRadioOption")
        .filter(has_text=re.compile(rf"^{level} · "))
    )
    option.click()
    expect(page.get_by_text(f"1 of {len(default_bank().questions)} questions answered")).to_be_visible()
