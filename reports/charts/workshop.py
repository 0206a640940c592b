"""A workshop question's answers: one bar per possible answer, in the bank's order, with how many gave it.

Shown on the facilitator's dashboard; a pure function of (label, count) pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import altair as alt
import pandas as pd

from reports.charts.palette import INK, SERIES


class AnswerCount(Protocol):
    """One possible answer and how many participants gave it."""

    @property
    def label(self) -> str: ...
    @property
    def count(self) -> int: ...


def answer_spread_chart(buckets: Sequence[AnswerCount]) -> alt.LayerChart:
    """Horizontal bars, one per possible answer in the order given, each with its count beside it."""
    frame = pd.DataFrame([{"answer": b.label, "count": b.count, "order": i} for i, b in enumerate(buckets)])
    top = max(1, int(frame["count"].max()))
    base = alt.Chart(frame).encode(
        y=alt.Y(
            "answer:N",
            sort=list(frame["answer"]),
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
    bars = base.mark_bar(color=SERIES, height=alt.RelativeBandSize(0.7))
    labels = base.mark_text(align="left", dx=4, color=INK, fontSize=13).encode(text="count:Q")
    return alt.LayerChart(layer=[bars, labels], height=alt.Step(30))
