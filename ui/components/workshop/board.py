"""Tables of the facilitator dashboard: pure functions of `TeamDashboard`, no streamlit (its chart: reports.charts)."""

from __future__ import annotations

import pandas as pd

from assessment.workshops.dashboard import Bucket, TeamDashboard


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
                "Agreed": s.agreed.text if s.agreed else "",  # next to the question: a wide table hid it off-screen
                "Foundation": bank.section_title(s.question.foundation),
                "Answers": s.answered,
                "Median": _number(s.median),
                "Spread (IQR)": _number(s.iqr),
                "Range": _number(s.score_range),
                "Distribution": [b.count for b in s.buckets],
                "Given": given(s.buckets),
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
