"""Render helpers shared by the two workshop pages: the one "not valid" message, answer inputs, the app's address.

The answer inputs reuse the Assess page's option tokens and labels (`ui.components.assess.answer_fields`)
under their own key prefix (`AnswerWidgets`), so a workshop tab never disturbs an Assess tab's widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from assessment.bank.answers import MAX_TEXT
from assessment.bank.model import Question
from assessment.workshops.access import INVALID_LINK
from assessment.workshops.links import DEFAULT_BASE_URL, FACILITATE_PATH
from ui.components.assess.answer_fields import NOT_APPLICABLE, chosen_status
from ui.components.assess.answer_form import answer_widget, reason_prompt
from ui.components.assess.state import AnswerWidgets
from ui.text import plain


def not_valid() -> None:
    """The only thing shown for any link, code or key that does not open something: always the same."""
    st.error(INVALID_LINK, icon=":material/link_off:")
    st.caption("Ask the facilitator for the current link or join code.")


def app_address() -> str:
    """This app's address as the browser reached it, for the join link participants get.

    `st.context.url` is what the facilitator's browser shows (behind a proxy too),
    with the current page's path added: the Workshop page drops its own. Without a
    browser (AppTest) there is none, and the CLI's default address stands in.
    """
    url = str(st.context.url or "").split("?")[0].split("#")[0].rstrip("/")
    return url.removesuffix(f"/{FACILITATE_PATH}") or DEFAULT_BASE_URL


def answer_inputs(
    inputs: AnswerWidgets,
    question: Question,
    on_change: Callable[..., None] | None = None,
    args: tuple[Any, ...] = (),
) -> None:
    """The radio (or number input plus don't-know / n.a. pills) and, for n.a., the reason.

    Never inside a form: the reason field appears when "not applicable" is chosen, which needs the rerun.
    """
    answer_widget(inputs, question, on_change, args)
    chosen = chosen_status(question, inputs.values(question))
    if chosen == NOT_APPLICABLE:
        callback: dict[str, Any] = {"on_change": on_change, "args": (*args, "reason")} if on_change else {}
        st.text_input(
            "Why does this not apply?", key=inputs.key("reason", question.key), max_chars=MAX_TEXT, **callback
        )
        reason_prompt(inputs.values(question))


def question_heading(number: int, question: Question) -> None:
    gate = " :orange-badge[:material/flag: Deciding test]" if question.gate else ""
    st.subheader(f"{number:d}. {plain(question.short)}{gate}", anchor=False)
    st.markdown(f"**{plain(question.text)}**")
    st.caption(plain(question.help))
