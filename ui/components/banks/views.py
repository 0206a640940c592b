"""How the Question banks page draws a checked upload and two banks side by side; nothing is computed here."""

from __future__ import annotations

import streamlit as st

from assessment.bank.diff import BankDiff
from assessment.bank.loader import BankIssue
from assessment.bank.model import Bank
from ui.text import plain
from ui.widgets import titled_list


def issue_line(issue: BankIssue) -> str:
    """'line 49 · bank.gate_pass_score: Input should be ...' (plain text: the caller escapes)."""
    where = f"line {issue.line} · " if issue.line else ""
    return f"{where}{issue.path or '(top level)'}: {issue.message}"


def show_issues(file: str, issues: list[BankIssue]) -> None:
    """Every problem of an uploaded bank, each with its line and YAML path; nothing is stored."""
    st.error(
        f"{plain(file)} has {len(issues):d} problem(s); nothing is stored until every one is fixed:\n"
        + "\n".join(f"- {plain(issue_line(i))}" for i in issues),
        icon=":material/error:",
    )


def bank_summary(bank: Bank) -> str:
    """'Acme adapted bank (acme 1.0.0): 5 foundations, 47 questions, 24 investments' (plain text)."""
    return (
        f"{bank.bank.title} ({bank.id} {bank.version}): {len(bank.foundations)} foundations, "
        f"{len(bank.questions)} questions, {len(bank.investments)} investments"
    )


def show_diff(d: BankDiff) -> None:
    """Two banks side by side: counts first, then what only one asks, what changed, which thresholds moved."""
    if d.same:
        st.info(f"{plain(d.before)} and {plain(d.after)} ask the same questions with the same thresholds.")
        return
    added, removed, changed, moved = st.columns(4)
    added.metric("Questions added", len(d.added))
    removed.metric("Questions removed", len(d.removed))
    changed.metric("Questions changed", len(d.changed))
    moved.metric("Thresholds changed", len(d.thresholds))
    left, right = st.columns(2)
    with left:
        titled_list(f"Only in {d.before}", [f"{q.short} ({q.key})" for q in d.removed])
    with right:
        titled_list(f"Only in {d.after}", [f"{q.short} ({q.key})" for q in d.added])
    _changed(d)
    _thresholds(d)


def _changed(d: BankDiff) -> None:
    st.markdown(f"**Questions both ask, changed** ({len(d.changed):d})")
    if not d.changed:
        st.caption("None.")
        return
    st.dataframe(
        [
            {
                "Question": c.short,
                "Key": c.key,
                "What changed": ", ".join(c.parts),
                "Answers carried to a new round": "yes" if c.same_meaning else "no: asked again",
            }
            for c in d.changed
        ],
        hide_index=True,
        width="stretch",
    )


def _thresholds(d: BankDiff) -> None:
    st.markdown(f"**Thresholds changed** ({len(d.thresholds):d})")
    if not d.thresholds:
        st.caption("None.")
        return
    st.dataframe(
        [{"Where": t.where, d.before: t.before or "none", d.after: t.after or "none"} for t in d.thresholds],
        hide_index=True,
        width="stretch",
    )
