"""Assess: one foundation at a time, every change saved the moment it is made."""

from __future__ import annotations

import streamlit as st

from assessment.assessments.repository import AssessmentData
from assessment.bank.model import CONTEXT, Question
from assessment.core.numbers import plural
from ui import current, database, scroll, state, widgets
from ui.components.assess.actions import on_confirm, set_completed
from ui.components.assess.answer_form import render_question
from ui.state import Slot
from ui.text import plain

FOUNDATION = Slot[str | None]("foundation", None)  # the foundation shown (also in the URL)
FOCUS = Slot[str | None]("focus_question", None)  # the question "Go to first unanswered" marks

engine = database.engine()
state.follow_pending_page()
data = current.require_assessment(engine)
bank = data.bank

carried_from = current.carried_from(engine, data)
# The context questions come first: what the team already does decides how urgent each foundation is.
GROUPS = bank.sections()
group_title = bank.section_title


def first_unanswered(data: AssessmentData) -> str | None:
    return next((q.key for q in data.bank.questions if q.key not in data.answers), None)


def go_to_question(question_key: str) -> None:
    """Button callback: show the foundation holding this question, mark it, scroll to it and focus it."""
    go_to_foundation(bank.question(question_key).foundation)
    FOCUS.set(question_key)
    scroll.request(f"question-{question_key}")


def go_to_foundation(foundation_key: str) -> None:
    FOUNDATION.set(foundation_key)
    foundation_to_url()


def foundation_to_url() -> None:
    """Keep the shown foundation in the URL, so a refresh or a shared link opens it again; land on its top."""
    FOCUS.pop()
    st.query_params[state.FOUNDATION_PARAM] = FOUNDATION.get() or ""
    scroll.request()


def foundation_from_url(keys: list[str]) -> None:
    """On arrival, show the foundation the URL names (or the first)."""
    if FOUNDATION.get() not in keys:
        wanted = st.query_params.get(state.FOUNDATION_PARAM)
        FOUNDATION.set(wanted if wanted in keys else keys[0])


def answered_in(foundation_key: str) -> tuple[int, int]:
    """Answers given for this round (carried-over ones not yet confirmed do not count) and questions."""
    questions = bank.questions_for(foundation_key)
    return sum(1 for q in questions if q.key in data.answers and q.key not in data.carried_over), len(questions)


def carried_in(foundation_key: str | None = None) -> tuple[Question, ...]:
    """The questions whose answer is still carried over, in one foundation or the whole round."""
    questions = bank.questions_for(foundation_key) if foundation_key else bank.questions
    return tuple(q for q in questions if q.key in data.carried_over)


def progress_text(done: int, total: int, carried: int, what: str = "answered") -> str:
    """'6 of 34 answered · 28 to confirm': carried-over answers are what is left to confirm."""
    return f"{done:d} of {total:d} {plain(what)}" + (f" · {carried:d} to confirm" if carried else "")


def confirm_all_button(questions: tuple[Question, ...], key: str, *, stretch: bool = False) -> None:
    """'Confirm all N carried-over answers': of one foundation, or (in the sidebar) of the whole round."""
    st.button(
        f"Confirm all {plural(len(questions), 'carried-over answer')}",
        key=key,
        icon=":material/done_all:",
        on_click=on_confirm,
        args=(data.id, questions),
        width="stretch" if stretch else "content",
        help="Keep each of these answers as it is for this round; you are recorded as confirming them. "
        "Change any that no longer hold first.",
    )


def sidebar() -> str:
    """Progress, the foundation selector and the round's actions; returns the chosen foundation."""
    carried = carried_in()
    done, total = len(data.answers) - len(carried), len(bank.questions)
    with st.sidebar:
        st.markdown("**Progress**")
        st.progress(widgets.share(done, total), text=progress_text(done, total, len(carried), "questions answered"))
        keys = GROUPS
        foundation_from_url(keys)
        captions = [progress_text(*answered_in(k), len(carried_in(k))) for k in keys]
        chosen: str = st.radio(
            "Foundation",
            keys,
            key=FOUNDATION.key,
            captions=captions,
            format_func=lambda k: plain(group_title(k)),
            on_change=foundation_to_url,
        )
        target = first_unanswered(data)
        st.button(
            "Go to first unanswered",
            key="first_unanswered",
            icon=":material/skip_next:",
            disabled=target is None,
            on_click=go_to_question,
            args=(target or "",),
            width="stretch",
        )
        if carried:
            confirm_all_button(carried, "confirm_round", stretch=True)
        round_actions(len(data.answers), total, len(carried))
    return chosen


def round_actions(answered: int, total: int, carried: int) -> None:
    st.divider()
    if data.status == "completed":
        st.caption(":material/task_alt: This round is complete. Answers can still be changed.")
        st.button(
            "Reopen round",
            key="reopen_round",
            icon=":material/lock_open:",
            width="stretch",
            on_click=set_completed,
            args=(data.id, False),
        )
    else:
        if answered < total:
            st.caption(f"{total - answered:d} question(s) unanswered; they show as unanswered in the results.")
        if carried:
            st.caption(
                f"{plural(carried, 'answer')} still carried over from round {carried_from:d}: the results "
                "count them as they were then."
            )
        st.button(
            "Mark round complete",
            key="complete_round",
            type="primary",
            icon=":material/task_alt:",
            width="stretch",
            on_click=set_completed,
            args=(data.id, True),
        )
    st.page_link(
        state.RESULTS_PAGE,
        label="See results",
        icon=":material/insights:",
        query_params={state.ASSESSMENT_PARAM: str(data.id)},
    )


def foundation_intro(foundation_key: str) -> None:
    done, total = answered_in(foundation_key)
    title = group_title(foundation_key)
    st.header(plain(title), anchor=False)
    if foundation_key == CONTEXT:
        st.markdown(
            "These answers are not scored. They say what the team already does, which decides how urgent each "
            "foundation is: a slow rollback matters far more to a team that deploys every day."
        )
    else:
        foundation = bank.foundation(foundation_key)
        st.markdown(plain(foundation.summary))
        st.info(f"**Deciding test:** {plain(foundation.deciding_test)}", icon=":material/flag:")
    carried = carried_in(foundation_key)
    st.progress(
        widgets.share(done, total),
        text=progress_text(done, total, len(carried), f"answered in {title.lower()}"),
    )
    if carried:
        with st.container(horizontal=True, vertical_alignment="center", horizontal_alignment="distribute"):
            st.caption(
                f":material/history: {plural(len(carried), 'answer')} here carried over from round "
                f"{carried_from:d}: confirm each one that still holds, or change it."
            )
            confirm_all_button(carried, "confirm_foundation")


def foundation_steps(foundation_key: str) -> None:
    """Previous / next foundation buttons under the last question."""
    keys = GROUPS
    i = keys.index(foundation_key)
    back, _, forward = st.columns([1, 2, 1])
    if i > 0:
        back.button(
            plain(group_title(keys[i - 1])),
            key="previous_foundation",
            icon=":material/arrow_back:",
            on_click=go_to_foundation,
            args=(keys[i - 1],),
            width="stretch",
        )
    if i < len(keys) - 1:
        forward.button(
            plain(group_title(keys[i + 1])),
            key="next_foundation",
            icon=":material/arrow_forward:",
            icon_position="right",
            on_click=go_to_foundation,
            args=(keys[i + 1],),
            width="stretch",
        )
    else:  # the last foundation: what comes next is the results
        forward.page_link(
            state.RESULTS_PAGE,
            label="See results",
            icon=":material/insights:",
            query_params={state.ASSESSMENT_PARAM: str(data.id)},
            width="stretch",
        )


widgets.assessment_header(data, "Assess")
widgets.show_notice()
foundation_key = sidebar()
foundation_intro(foundation_key)
number = {q.key: n for n, q in enumerate(bank.questions, start=1)}
focus = FOCUS.get()
if focus in data.answers:
    FOCUS.pop()
    focus = None
for question in bank.questions_for(foundation_key):
    render_question(
        data.id,
        number[question.key],
        question,
        data.answers.get(question.key),
        data.answer_meta.get(question.key),
        focus=question.key == focus,
        carried_from=carried_from if question.key in data.carried_over else None,
    )
foundation_steps(foundation_key)
scroll.apply()
