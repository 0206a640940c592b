"""How the Rounds page draws a round comparison: metrics, tables and short lists, nothing computed here."""

from __future__ import annotations

import streamlit as st

from assessment.assessments.comparison import RoundComparison, level_text
from assessment.assessments.repository import AssessmentData
from assessment.bank.answers import describe_value
from ui.text import plain
from ui.widgets import titled_list

KIND_LABELS = {
    "changed": "changed",
    "newly answered": "newly answered",
    "no longer answered": "no longer answered",
    "question added": "new question",
    "question removed": "question removed",
}


def answer_line(data: AssessmentData, key: str) -> str:
    """'Rollback time: 45 minutes' for a picker (plain text, never Markdown)."""
    question = data.bank.question(key)
    return f"{question.short}: {describe_value(question, data.answers[key])}"


def _ready(value: bool | None) -> str:
    return "not in this bank" if value is None else ("ready" if value else "not ready")


def show_comparison(c: RoundComparison) -> None:
    """Everything the comparison holds, most important first."""
    first, second, third = st.columns(3)
    first.metric(
        "Overall score", f"{c.after.overall_score:d}/100", delta=int(c.after.overall_score - c.before.overall_score)
    )
    second.metric(
        "Roadmap items done",
        len(c.completed_items),
        help="On the earlier round's roadmap and no longer needed by the later round's answers",
    )
    third.metric("New risks / resolved", f"{len(c.new_risks)} / {len(c.resolved_risks)}")
    if c.bank_changed:
        st.info(
            f"The question bank changed from {plain(c.before.bank)} to {plain(c.after.bank)}: "
            f"{len(c.questions_added)} question(s) added, {len(c.questions_removed)} removed.",
            icon=":material/published_with_changes:",
        )
    st.dataframe(
        [
            {
                "Foundation": f.title,
                f"Round {c.before.round_number}": level_text(f.before_level),
                f"Round {c.after.round_number}": level_text(f.after_level),
                "Score change": "n/a" if f.delta is None else f"{f.delta:+d}",
            }
            for f in c.foundations
        ],
        hide_index=True,
        width="stretch",
    )
    moved = [r for r in c.readiness if r.before != r.after]
    for r in moved:
        st.markdown(f"**{plain(r.title)}**: {plain(_ready(r.before))} → {plain(_ready(r.after))}")
    _answers(c)
    _risks(c)
    _roadmap(c)


def _answers(c: RoundComparison) -> None:
    st.markdown(f"**Answers that changed** ({len(c.answers)})")
    if not c.answers:
        st.caption("No answer changed.")
        return
    st.dataframe(
        [
            {
                "Question": a.short,
                "What happened": KIND_LABELS.get(a.kind, a.kind),
                f"Round {c.before.round_number}": a.before or "",
                f"Round {c.after.round_number}": a.after or "",
            }
            for a in c.answers
        ],
        hide_index=True,
        width="stretch",
    )


def _risks(c: RoundComparison) -> None:
    new, resolved = st.columns(2)
    with new:
        titled_list("New risks", [f"{r.short} ({r.risk}): {r.answer or 'unanswered'}; {r.why}" for r in c.new_risks])
    with resolved:
        titled_list("Resolved risks", [f"{r.short}: {r.why}" for r in c.resolved_risks])


def _roadmap(c: RoundComparison) -> None:
    done, added = st.columns(2)
    with done:
        st.markdown(f"**Roadmap items completed** ({len(c.completed_items)})")
        for i in c.completed_items:
            st.markdown(f"- {plain(i.title)} ({plain(i.foundation)})")
        if not c.completed_items:
            st.caption("None: the later answers still call for every item of the earlier roadmap.")
    with added:
        st.markdown(f"**New on the roadmap** ({len(c.new_items)})")
        for i in c.new_items:
            st.markdown(f"- {plain(i.title)} ({plain(i.foundation)})")
        if not c.new_items:
            st.caption("None.")
