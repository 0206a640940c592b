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


def _number(value: float | None) -> str:
    """A whole number, or a dash when nobody gave a scored answer (a grid shows NaN as 'None')."""
    return "–" if value is None else f"{value:.0f}"


def question_rows(board: TeamDashboard) -> pd.DataFrame:
    """One row per question, widest disagreement first, as the dashboard table shows it."""
    bank = board.bank
    numbers = {q.key: n for n, q in enumerate(bank.questions, start=1)}
    return pd.DataFrame(
        [
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
        ]
    )


def participant_rows(board: TeamDashboard) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Participant": p.name,
                "Answered": f"{p.answered}/{board.total_questions}",
                "Finished": "✓" if p.finished else "",
            }
            for p in board.participants
        ],
        columns=["Participant", "Answered", "Finished"],
    )


def distribution_chart(spread: QuestionSpread) -> alt.LayerChart:
    """Horizontal bars, one per possible answer in the bank's order, with its count."""
    frame = pd.DataFrame([{"answer": b.label, "count": b.count, "order": i} for i, b in enumerate(spread.buckets)])
    order = list(frame["answer"])
    top = max(1, int(frame["count"].max()))
    base = alt.Chart(frame).encode(
        y=alt.Y(
            "answer:N",
            sort=order,
            title=None,
            axis=alt.Axis(labelLimit=260, labelOverlap=False, labelFontSize=13, ticks=False),
        ),
        x=alt.X(
            "count:Q",
            title="participants",
            scale=alt.Scale(domain=[0, top], nice=False),
            axis=alt.Axis(values=list(range(0, top + 1, max(1, top // 8))), format="d"),
        ),
    )
    bars = base.mark_bar(color=BAR, height=alt.RelativeBandSize(0.7))
    labels = base.mark_text(align="left", dx=4, color=INK, fontSize=13).encode(text="count:Q")
    layered: alt.LayerChart = (bars + labels).properties(height=alt.Step(30))  # Altair types mark_* as Any
    return layered
