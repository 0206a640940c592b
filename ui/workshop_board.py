"""Tables and charts of the facilitator dashboard: pure functions of `TeamDashboard`, no streamlit."""

from __future__ import annotations

import altair as alt
import pandas as pd

from assessment.workshops.dashboard import Bucket, QuestionSpread, TeamDashboard

INK = "#1c2733"
BAR = "#3d6f99"


def given(buckets: list[Bucket]) -> str:
    """The answers actually given, most frequent first: '3 established ×2 · don't know ×1'."""
    used = sorted((b for b in buckets if b.count), key=lambda b: -b.count)
    return " · ".join(f"{b.label} ×{b.count}" for b in used)


def _number(value: float | None) -> float:
    """NaN for "nobody answered", so the table shows an empty cell rather than 'None'."""
    return float("nan") if value is None else float(value)


def question_rows(board: TeamDashboard) -> pd.DataFrame:
    """One row per question, widest disagreement first, as the dashboard table shows it."""
    bank = board.bank
    numbers = {q.key: n for n, q in enumerate(bank.questions, start=1)}
    return pd.DataFrame([
        {
            "Question": f"{numbers[s.question.key]}. {s.question.short}",
            "Foundation": bank.foundation(s.question.foundation).title,
            "Answers": s.answered,
            "Median": _number(s.median),
            "Spread (IQR)": _number(s.iqr),
            "Range": _number(s.score_range),
            "Distribution": [b.count for b in s.buckets],
            "Given": given(s.buckets),
            "Agreed": s.agreed.text if s.agreed else "",
        }
        for s in board.questions
    ])


def participant_rows(board: TeamDashboard) -> pd.DataFrame:
    return pd.DataFrame([
        {"Participant": p.name, "Answered": f"{p.answered}/{board.total_questions}", "Done": p.finished}
        for p in board.participants
    ], columns=["Participant", "Answered", "Done"])


def distribution_chart(spread: QuestionSpread) -> alt.Chart:
    """Horizontal bars, one per possible answer in the bank's order, with its count."""
    frame = pd.DataFrame([{"answer": b.label, "count": b.count, "order": i} for i, b in enumerate(spread.buckets)])
    base = alt.Chart(frame).encode(
        y=alt.Y("answer:N", sort=alt.EncodingSortField("order"), title=None, axis=alt.Axis(labelLimit=260)),
        x=alt.X("count:Q", title="participants", axis=alt.Axis(tickMinStep=1)),
    )
    bars = base.mark_bar(color=BAR)
    labels = base.mark_text(align="left", dx=4, color=INK).encode(text="count:Q")
    return (bars + labels).properties(height=max(80, 28 * len(frame)))
