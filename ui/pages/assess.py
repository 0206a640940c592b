"""Assess: one foundation at a time, every change saved the moment it is made."""

from __future__ import annotations

import streamlit as st

from assessment.repository import AssessmentData
from ui import actions, current, database, state, widgets
from ui.answer_fields import plain
from ui.answer_form import render_question

FOUNDATION_KEY = "foundation"
FOCUS_KEY = "focus_question"

engine = database.engine()
state.follow_pending_page()
data = current.require_assessment(engine)
bank = data.bank


def first_unanswered(data: AssessmentData) -> str | None:
    return next((q.key for q in data.bank.questions if q.key not in data.answers), None)


def go_to_question(question_key: str) -> None:
    """Button callback: show the foundation holding this question and mark the question."""
    go_to_foundation(bank.question(question_key).foundation)
    st.session_state[FOCUS_KEY] = question_key


def go_to_foundation(foundation_key: str) -> None:
    st.session_state[FOUNDATION_KEY] = foundation_key
    foundation_to_url()


def foundation_to_url() -> None:
    """Keep the shown foundation in the URL, so a refresh or a shared link opens it again."""
    st.session_state.pop(FOCUS_KEY, None)
    st.query_params[state.FOUNDATION_PARAM] = st.session_state[FOUNDATION_KEY]


def foundation_from_url(keys: list[str]) -> None:
    """On arrival, show the foundation the URL names (or the first)."""
    if st.session_state.get(FOUNDATION_KEY) not in keys:
        wanted = st.query_params.get(state.FOUNDATION_PARAM)
        st.session_state[FOUNDATION_KEY] = wanted if wanted in keys else keys[0]


def answered_in(foundation_key: str) -> tuple[int, int]:
    questions = bank.questions_for(foundation_key)
    return sum(1 for q in questions if q.key in data.answers), len(questions)


def sidebar() -> str:
    """Progress, the foundation selector and the round's actions; returns the chosen foundation."""
    done, total = len(data.answers), len(bank.questions)
    with st.sidebar:
        st.markdown("**Progress**")
        st.progress(widgets.share(done, total), text=f"{done} of {total} questions answered")
        keys = [f.key for f in bank.foundations]
        foundation_from_url(keys)
        captions = ["{} of {} answered".format(*answered_in(k)) for k in keys]
        chosen: str = st.radio("Foundation", keys, key=FOUNDATION_KEY, captions=captions,
                               format_func=lambda k: plain(bank.foundation(k).title), on_change=foundation_to_url)
        target = first_unanswered(data)
        st.button("Go to first unanswered", key="first_unanswered", icon=":material/skip_next:",
                  disabled=target is None, on_click=go_to_question, args=(target or "",), width="stretch")
        round_actions(done, total)
    return chosen


def round_actions(done: int, total: int) -> None:
    st.divider()
    if data.status == "completed":
        st.caption(":material/task_alt: This round is complete. Answers can still be changed.")
        st.button("Reopen round", key="reopen_round", icon=":material/lock_open:", width="stretch",
                  on_click=actions.set_completed, args=(data.id, False))
    else:
        if done < total:
            st.caption(f"{total - done} question(s) unanswered; they show as unanswered in the results.")
        st.button("Mark round complete", key="complete_round", type="primary", icon=":material/task_alt:",
                  width="stretch", on_click=actions.set_completed, args=(data.id, True))
    st.page_link(state.RESULTS_PAGE, label="See results", icon=":material/insights:",
                 query_params={state.ASSESSMENT_PARAM: str(data.id)})


def foundation_intro(foundation_key: str) -> None:
    foundation = bank.foundation(foundation_key)
    done, total = answered_in(foundation_key)
    st.header(plain(foundation.title), anchor=False)
    st.markdown(plain(foundation.summary))
    st.info(f"**Deciding test:** {plain(foundation.deciding_test)}", icon=":material/flag:")
    st.progress(widgets.share(done, total), text=f"{done} of {total} answered in {foundation.title.lower()}")


def foundation_steps(foundation_key: str) -> None:
    """Previous / next foundation buttons under the last question."""
    keys = [f.key for f in bank.foundations]
    i = keys.index(foundation_key)
    back, _, forward = st.columns([1, 2, 1])
    if i > 0:
        back.button(plain(bank.foundations[i - 1].title), key="previous_foundation", icon=":material/arrow_back:",
                    on_click=go_to_foundation, args=(keys[i - 1],), width="stretch")
    if i < len(keys) - 1:
        forward.button(plain(bank.foundations[i + 1].title), key="next_foundation", icon=":material/arrow_forward:",
                       icon_position="right", on_click=go_to_foundation, args=(keys[i + 1],), width="stretch")


widgets.assessment_header(data, "Assess")
widgets.show_notice()
foundation_key = sidebar()
foundation_intro(foundation_key)
number = {q.key: n for n, q in enumerate(bank.questions, start=1)}
focus = st.session_state.get(FOCUS_KEY)
if focus in data.answers:
    st.session_state.pop(FOCUS_KEY, None)
    focus = None
elif focus:
    st.markdown(f":material/arrow_downward: First unanswered: [{number[focus]}. {plain(bank.question(focus).short)}]"
                f"(#q-{focus})")
for question in bank.questions_for(foundation_key):
    render_question(data.id, number[question.key], question, data.answers.get(question.key),
                    data.answer_meta.get(question.key), focus=question.key == focus)
foundation_steps(foundation_key)
