"""The roadmap as one team would work through it: a bar per item over team-weeks, lines from prerequisites.

Shown on the Report page and in the report; it has one size for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import altair as alt
import pandas as pd

from reports.charts.palette import MUTED, PHASE_COLOURS


class PlannedItem(Protocol):
    """What the plan chart reads of a roadmap row."""

    @property
    def position(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def phase(self) -> str: ...
    @property
    def start_week(self) -> float: ...
    @property
    def end_week(self) -> float: ...
    @property
    def prerequisite_positions(self) -> Sequence[int]: ...


def plan_chart(rows: Sequence[PlannedItem], accent: str | None = None, *, named: bool = False) -> alt.LayerChart:
    """A bar per roadmap item from its start to its end week, coloured by phase, with lines from prerequisites.

    `named` labels each row '3. Title' (the page: a number alone sent the reader to the table);
    without it rows carry their number only (the PDF: the table is beside it, and WeasyPrint lays
    out SVG text one letter at a time, so every label letter costs).
    `accent` (an organisation's branding) colours the "now" bars in place of the product's blue.
    """
    names = {r.position: f"{r.position}. {r.title}" if named else str(r.position) for r in rows}
    numbers = list(names.values())
    frame = pd.DataFrame(
        [
            {
                "item": names[r.position],
                "start": r.start_week,
                "end": max(r.end_week, r.start_week + 0.3),
                "phase": r.phase,
            }
            for r in rows
        ]
    )
    ends = {r.position: r.end_week for r in rows}
    edges = pd.DataFrame(
        [
            {"from": names[p], "to": names[r.position], "x": ends[p], "x2": r.start_week}
            for r in rows
            for p in r.prerequisite_positions
        ]
    )
    y = alt.Y(
        "item:N",
        title="Roadmap item",
        scale=alt.Scale(domain=numbers),
        axis=alt.Axis(labelFontSize=9, ticks=False, labelPadding=6, labelLimit=180 if named else 0),
    )
    weeks = max([r.end_week for r in rows] + [1])
    x = alt.X(
        "start:Q",
        title="Team-weeks from today",
        scale=alt.Scale(domain=[0, weeks]),
        axis=alt.Axis(tickMinStep=1),
    )
    colours = PHASE_COLOURS | ({"now": accent} if accent else {})
    colour = alt.Color(
        "phase:N",
        title="Phase",
        scale=alt.Scale(domain=list(colours), range=list(colours.values())),
        legend=alt.Legend(orient="bottom") if named else alt.Undefined,  # names take the width a phone has
    )
    bars = alt.Chart(frame).mark_bar(height=10, cornerRadius=2).encode(y=y, x=x, x2=alt.X2("end:Q"), color=colour)
    layers: list[alt.Chart] = [bars]
    if not edges.empty:
        links = (
            alt.Chart(edges)
            .mark_rule(color=MUTED, strokeWidth=0.8, opacity=0.7)
            .encode(
                x=alt.X("x:Q"),
                x2=alt.X2("x2:Q"),
                y=alt.Y("from:N", scale=alt.Scale(domain=numbers)),
                y2=alt.Y2("to:N"),
            )
        )
        layers.insert(0, links)
    # a named row is tall enough for its label: at 14 px every other name was left out
    return alt.LayerChart(layer=layers, width=520, height=alt.Step(19 if named else 14))
