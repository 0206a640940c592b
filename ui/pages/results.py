"""Results: foundation scores and levels, readiness verdicts, risks, and what is still unanswered."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment.assessments.rounds import latest_completed_round
from assessment.core import db
from assessment.core.numbers import plural
from assessment.judgement import judge
from assessment.scoring.engine import AssessmentScore, Risk
from assessment.scoring.gates import GateState
from assessment.scoring.verdicts import Readiness
from reports.charts.scores import scores_chart
from ui import current, database, state, widgets
from ui.components.dora import widgets as dora_widgets
from ui.text import plain

GATE_WORDS = {
    GateState.PASSED: "passed",
    GateState.FAILED: "failed",
    GateState.CONTESTED: "contested by the data",
    GateState.UNKNOWN: "don't know",
    GateState.UNANSWERED: "not answered",
}
RISK_WORDS = {Risk.HIGH: "High", Risk.MEDIUM: "Medium"}

engine = database.engine()
state.follow_pending_page()
data = current.require_assessment(engine)
bank = data.bank
with db.read_session(engine) as session:
    score = judge(session, data).score  # the answers with the team's delivery data, as the report judges them
VERDICT_ICONS = {
    Readiness.READY: ":material/check_circle:",
    Readiness.NOT_READY: ":material/block:",
    Readiness.EXPOSED: ":material/warning:",
}


def answer_now(foundation_key: str) -> None:
    """Button callback: open the Assess page on this foundation."""
    state.request_page(state.ASSESS_PAGE, data.id, foundation=foundation_key)


def headline(score: AssessmentScore) -> None:
    ready = sum(1 for v in score.verdicts if v.ready)
    high = sum(1 for r in score.risks if r.risk is Risk.HIGH)
    cells = st.columns(4)
    cells[0].metric("Overall score", f"{score.overall_score:d} / 100", border=True)
    cells[1].metric("Answered", f"{score.answered:d} of {score.total:d}", border=True)
    cells[2].metric("High risks", high, border=True)
    cells[3].metric("End states ready", f"{ready} of {len(score.verdicts)}", border=True)


def foundations_table(score: AssessmentScore) -> None:
    rows = [
        {
            "Foundation": f.title,
            "Score": f.score,
            "Level": f"{f.level} · {f.level_name}" if f.answered else "not answered",
            "Deciding test": GATE_WORDS[f.gate] + (" (caps the level)" if f.gate_capped else ""),
            "Answered": f"{f.answered} of {f.total}",
            "Don't know": f.dont_know,
        }
        for f in score.foundations.values()
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={"Score": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%d")},
    )


def verdicts(score: AssessmentScore) -> None:
    """Label, headline, then one line per missing foundation: the same words as the Report page and the PDF."""
    for verdict in score.verdicts:
        icon = VERDICT_ICONS[verdict.status]
        lines = [f"**{plain(verdict.label)} · {plain(verdict.title)}**", plain(verdict.headline)]
        lines += [f"- {plain(b)}" for b in verdict.bullets]
        body = "  \n".join(lines[:2]) + ("\n\n" + "\n".join(lines[2:]) if lines[2:] else "")
        if verdict.status is Readiness.READY:
            st.success(body, icon=icon)
        elif verdict.status is Readiness.EXPOSED:
            st.error(body, icon=icon)
        else:
            st.warning(body, icon=icon)


def deciding_tests(score: AssessmentScore) -> None:
    """Each deciding test that is not passed, with the measured answers behind it."""
    for f in score.foundations.values():
        if f.gate is GateState.PASSED or not f.checks:
            continue
        shown = [c for c in f.checks if c.state.value != "met"]
        detail = "; ".join(plain(c.sentence) for c in shown)
        contest = f" Data: {plain(f.contest.claim)}, against {plain(f.contest.figure)}." if f.contest else ""
        st.caption(f"**{plain(f.title)}**: deciding test {plain(GATE_WORDS[f.gate])}. {detail}{contest}")


def risks(score: AssessmentScore) -> None:
    if not score.risks:
        st.caption("No high or medium risks among the answers given.")
        return
    rows = [
        {
            "Risk": RISK_WORDS[r.risk],
            "Foundation": bank.foundation(r.foundation).title,
            "Question": bank.question(r.question_key).short,
            "Answer": r.answer_text or "",
        }
        for r in score.risks
    ]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        height="content",  # every row without scrolling, and no blank rows after the last
        column_config={"Answer": st.column_config.TextColumn(width="large")},
    )


def stale_evidence(score: AssessmentScore) -> None:
    """Answers whose evidence is older than its question allows: they still count, but prove nothing today."""
    aged = [q for q in score.questions.values() if q.stale is not None]
    if not aged:
        return
    st.subheader("Evidence gone stale", anchor=False)
    verb = "rests" if len(aged) == 1 else "rest"
    st.caption(
        f":material/schedule: {plural(len(aged), 'answer')} {verb} on evidence older than its question allows: "
        "each keeps its points, but cannot pass a deciding test or hold level 4 until the evidence is renewed."
    )
    rows = [
        {
            "Foundation": bank.foundation(q.foundation).title,
            "Question": bank.question(q.question_key).short,
            "Evidence dated": f"{q.stale.evidence_date:%-d %b %Y}",
            "Age": f"{q.stale.age_days} days",
            "Stays current": f"{q.stale.fresh_days} days",
        }
        for q in aged
        if q.stale is not None
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height="content", key="stale_evidence")


def unanswered() -> None:
    groups = [*bank.foundations]
    missing = [f for f in groups if any(q.key not in data.answers for q in bank.questions_for(f.key))]
    context = [q.short for q in bank.context_questions() if q.key not in data.answers]
    if context:
        st.markdown("**How you ship today** (not scored): " + ", ".join(plain(s) for s in context))
    if not missing and not context:
        st.caption(":material/task_alt: Every question is answered.")
        return
    for foundation in missing:
        open_questions = [q.short for q in bank.questions_for(foundation.key) if q.key not in data.answers]
        text, go = st.columns([5, 1], vertical_alignment="center")
        text.markdown(
            f"**{plain(foundation.title)}** ({len(open_questions)}): " + ", ".join(plain(s) for s in open_questions)
        )
        go.button(
            "Answer now",
            key=f"answer_now:{foundation.key}",
            icon=":material/edit_note:",
            on_click=answer_now,
            args=(foundation.key,),
            width="stretch",
        )


def in_progress_note() -> None:
    """Say that this round is not the team's state yet, and lead to the round that is."""
    with db.read_session(engine) as session:
        done = latest_completed_round(session, team_id=data.team_id)
    line = st.container(horizontal=True, vertical_alignment="center")
    line.caption(
        f":material/pending: Round {data.round_number:d} is in progress ({widgets.progress_text(data)} answered): "
        "these results follow the answers as they come in and are not the team's state until it is completed."
        + (f" The team's latest completed round is round {done.round_number:d}." if done else "")
    )
    if done is not None:
        line.page_link(
            state.RESULTS_PAGE,
            label=f"Results of round {done.round_number:d}",
            icon=":material/insights:",
            query_params={state.ASSESSMENT_PARAM: str(done.id)},
        )


def next_steps() -> None:
    """Where a team goes from its results: the roadmap and the PDF (top of Report), and its delivery data."""
    query = {state.ASSESSMENT_PARAM: str(data.id)}
    with st.container(horizontal=True, key="results_next"):
        st.page_link(
            state.REPORT_PAGE, label="Roadmap and PDF report", icon=":material/description:", query_params=query
        )
        st.page_link(state.DORA_PAGE, label="DORA: delivery data", icon=":material/speed:", query_params=query)


widgets.assessment_header(data, "Results")
if data.status != "completed":
    in_progress_note()
headline(score)
next_steps()
if data.carried_over:
    line = st.container(horizontal=True, vertical_alignment="center")
    line.caption(
        f":material/history: {plural(len(data.carried_over), 'answer')} still carried over from "
        f"round {current.carried_from(engine, data) or 0:d} and not yet confirmed: the results count them "
        "as they were then."
    )
    line.page_link(
        state.ASSESS_PAGE,
        label="Confirm or change them",
        icon=":material/edit_note:",
        query_params={state.ASSESSMENT_PARAM: str(data.id)},
    )
st.subheader("Foundations", anchor=False)
st.altair_chart(scores_chart(list(score.foundations.values())), width="stretch")
foundations_table(score)
deciding_tests(score)
st.subheader("Readiness", anchor=False)
verdicts(score)
st.subheader("Risks, high first", anchor=False)
risks(score)
stale_evidence(score)
st.subheader("Still unanswered", anchor=False)
unanswered()
dora_widgets.render_findings(engine, data.id)
