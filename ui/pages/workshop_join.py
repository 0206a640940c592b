"""Join a workshop and answer on your own.

Three states, chosen by the URL alone so a link is all a participant needs:
`?p=TOKEN` answers (the token decides everything that is shown), `?join=CODE` asks
for a display name and a team, and neither asks for the code. Every bad link,
code or token gets the same message. Each answer is saved as it is given; a
refresh with the same address resumes.
"""

from __future__ import annotations

import streamlit as st

from assessment.bank.model import Question
from assessment.core import db
from assessment.core.errors import FoundationsError, InvalidAnswerError
from assessment.workshops.access import InvalidLinkError
from assessment.workshops.participants import (
    ParticipantView,
    join_view,
    join_workshop,
    participant_view,
    save_participant_answer,
    set_finished,
)
from assessment.workshops.tokens import normalise_join_code
from ui import database, scroll, widgets
from ui.components.assess.answer_fields import NOT_APPLICABLE, chosen_status, compose, widget_values
from ui.components.workshop import state as ws
from ui.components.workshop import throttle
from ui.components.workshop import widgets as ww
from ui.text import plain, question_sentence, sentence

engine = database.engine()


def enter_code() -> None:
    ws.clear_problems()
    st.query_params.pop("p", None)  # a code typed after a dead participant link starts afresh
    st.query_params["join"] = normalise_join_code(ws.JOIN_CODE.get())


def join(code: str) -> None:
    """Form callback: become a participant; the token goes into the address so a refresh resumes."""
    try:
        with db.write_session(engine) as session:
            token = join_workshop(
                session,
                code=code,
                display_name=ws.JOIN_NAME.get(),
                workshop_team_id=ws.JOIN_TEAM.get(),
            )
    except InvalidLinkError:
        return  # closed or changed meanwhile: the next run shows the "not valid" page
    except FoundationsError as exc:
        ws.clear_problems()
        ws.problems()["join"] = sentence(str(exc))
        return
    st.query_params.clear()
    st.query_params["p"] = token


def save(token: str, question: Question, field: str) -> None:
    """Input callback: store this answer as the inputs now describe it."""
    ws.OWN.tidy_flags(question, field)
    problems = ws.problems()
    problems.pop(question.key, None)
    current = ws.OWN.values(question)
    answer = compose(question, current)
    if answer is None:
        return
    if chosen_status(question, current) == NOT_APPLICABLE and not (current.get("reason") or "").strip():
        return  # the reason field asks for it calmly
    try:
        with db.write_session(engine) as session:
            save_participant_answer(session, token=token, question_key=question.key, answer=answer)
    except InvalidAnswerError as exc:
        problems[question.key] = question_sentence(str(exc), question.key)
        return
    except InvalidLinkError:
        return  # closed meanwhile: the next run shows the "not valid" page
    st.toast(f"Saved: {plain(question.short)}", icon=":material/cloud_done:")


def finish(token: str, done: bool) -> None:
    with db.write_session(engine) as session:
        set_finished(session, token=token, finished=done)
    ws.CONFIRM_DONE.set(False)


def code_page() -> None:
    st.title("Join a workshop", anchor=False)
    code_form()


def not_valid() -> None:
    """Every dead participant link or code: the same page, with the code field to try again."""
    ww.not_valid()
    code_form()


def code_form() -> None:
    with st.form("wj_code_form", border=False):
        st.text_input("Join code", key=ws.JOIN_CODE.key, max_chars=20, placeholder="ABCD-EFGH")
        st.form_submit_button("Continue", type="primary", on_click=enter_code)


def join_page(code: str) -> None:
    if throttle.blocked():  # too many codes that open nothing from this address: look nothing up
        st.error(throttle.TOO_MANY, icon=":material/hourglass_top:")
        code_form()
        return
    try:
        with db.read_session(engine) as session:
            view = join_view(session, code=code)
    except InvalidLinkError:
        throttle.failed(database.unbound())
        not_valid()
        return
    st.title(f"Join: {plain(view.title)}", anchor=False)
    st.caption(plain(view.organisation))
    with st.form("wj_join_form"):
        st.text_input("Your name, as the facilitator will see it", key=ws.JOIN_NAME.key, max_chars=80)
        st.radio(
            "Your team",
            [wt_id for wt_id, _ in view.teams],
            key=ws.JOIN_TEAM.key,
            index=None,
            format_func=lambda wt_id: plain(dict(view.teams)[wt_id]),
        )
        st.form_submit_button("Join", type="primary", on_click=join, args=(code,))
    problem = ws.problem("join")
    if problem:
        st.error(problem, icon=":material/error:")  # escaped: join() stores sentence(...)
    st.caption("Only the facilitator sees individual answers; the room discusses the spread.")


def load_widgets(view: ParticipantView, token: str) -> None:
    """Fill the inputs from the database once per token (a refresh starts a new session and refills)."""
    if ws.LOADED.get() == token:
        return
    for question in view.bank.questions:
        ws.OWN.fill(question, widget_values(question, view.answers.get(question.key)))
    ws.LOADED.set(token)


def answer_page(token: str, code: str | None) -> None:
    try:
        with db.read_session(engine) as session:
            view = participant_view(session, token=token, code=code)
    except InvalidLinkError:
        not_valid()
        return
    load_widgets(view, token)
    st.title(plain(view.workshop_title), anchor=False)
    st.caption(
        f"You answer for **{plain(view.team)}** as **{plain(view.display_name)}**. Each answer is saved "
        "as you give it; keep this page's address to come back to your answers."
    )
    done, total = len(view.answers), len(view.bank.questions)
    st.progress(widgets.share(done, total), text=f"{done:d} of {total:d} questions answered")
    foundation = foundation_picker(view)
    numbers = {q.key: n for n, q in enumerate(view.bank.questions, start=1)}
    for question in view.bank.questions_for(foundation):
        with st.container(border=True, key=f"wj-question-{question.key}"):
            ww.question_heading(numbers[question.key], question)
            ww.answer_inputs(ws.OWN, question, on_change=save, args=(token, question))
            problem = ws.problem(question.key)
            if problem:
                st.error(problem, icon=":material/error:")  # escaped: save() stores question_sentence(...)
    next_foundation(view, foundation)
    finish_line(view, token)
    scroll.apply()


def go_to(foundation: str) -> None:
    """Button callback: open this foundation at its top (the page would otherwise stay scrolled down)."""
    ws.FOUNDATION.set(foundation)
    ws.CONFIRM_DONE.set(False)
    scroll.request()


def next_foundation(view: ParticipantView, foundation: str) -> None:
    """ "Next foundation" under the last question, so finishing one part leads to the next rather than to "done"."""
    keys = view.bank.sections()
    i = keys.index(foundation) if foundation in keys else 0
    if i < len(keys) - 1:
        st.button(
            f"Next: {plain(view.bank.section_title(keys[i + 1]))}",
            key="wj_next",
            icon=":material/arrow_forward:",
            icon_position="right",
            on_click=go_to,
            args=(keys[i + 1],),
        )


def foundation_picker(view: ParticipantView) -> str:
    keys = view.bank.sections()
    ws.FOUNDATION.keep_within(keys, keys[0])

    def foundation_label(fkey: str) -> str:
        questions = view.bank.questions_for(fkey)
        answered = sum(1 for q in questions if q.key in view.answers)
        return f"{plain(view.bank.section_title(fkey))} ({answered:d}/{len(questions)})"

    chosen = st.segmented_control(
        "Foundation", keys, key=ws.FOUNDATION.key, format_func=foundation_label, label_visibility="collapsed"
    )
    return str(chosen or keys[0])


def finish_line(view: ParticipantView, token: str) -> None:
    if view.finished:
        st.success(
            "You told the facilitator you are done. You can still change any answer.",
            icon=":material/task_alt:",
        )
        st.button("I am not done yet", on_click=finish, args=(token, False), key="wj_undone")
    elif ws.CONFIRM_DONE.get():
        open_keys = [q.key for q in view.bank.questions if q.key not in view.answers]
        st.warning(
            f"{len(open_keys)} of {len(view.bank.questions)} questions are still unanswered; the facilitator "
            "will see them as unanswered. Are you done?",
            icon=":material/warning:",
        )
        first_open = view.bank.question(open_keys[0]).foundation if open_keys else view.bank.sections()[0]
        answer, done = st.columns(2)
        answer.button("Answer them first", key="wj_answer_first", on_click=go_to, args=(first_open,))
        done.button("Yes, I am done", type="primary", key="wj_done_anyway", on_click=finish, args=(token, True))
    else:
        unanswered = len(view.bank.questions) - len(view.answers)
        st.button(
            "I am done",
            type="primary",
            icon=":material/task_alt:",
            on_click=ws.CONFIRM_DONE.set if unanswered else finish,  # with questions left: ask first
            args=(True,) if unanswered else (token, True),
            key="wj_done",
            help="Lets the facilitator see you have finished; answers stay editable",
        )


token_param, code_param = st.query_params.get("p"), st.query_params.get("join")
if token_param is not None:
    answer_page(token_param, code_param)
elif code_param is not None:
    join_page(code_param)
else:
    code_page()
