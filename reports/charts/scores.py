"""Report charts: pure Altair builders, and their conversion to vector SVG data URIs.

Builders return `alt.Chart` objects, so a page can show the same chart with
`st.altair_chart`. The PDF embeds the SVG as an `<img>` data URI: WeasyPrint runs
no JavaScript, and an image is faster for it to lay out than inline `<svg>`.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Protocol, cast

import altair as alt
import pandas as pd
import vl_convert as vlc

FONT = "Inter, Source Sans Pro, sans-serif"  # the bundled Inter in the PDF; a sans-serif in the browser
FONTS = Path(__file__).parents[1] / "static" / "fonts"
INK = "#1f2a44"
MUTED = "#667085"
GRID = "#e4e7ec"
LEVEL_COLOURS = ["#b42318", "#dc6803", "#eaaa08", "#3e8e63", "#0e6245"]  # absent ... proven
PHASE_COLOURS = {"now": "#1d4ed8", "next": "#60a5fa", "later": "#cbd5e1"}
INSIDE_FROM = 45  # from this score the label fits inside its bar
LEVEL_LABELS = ["0 absent", "1 ad hoc", "2 partial", "3 established", "4 proven"]


class ScoredFoundation(Protocol):
    """What the scores chart reads of a foundation (the report's and the page's shapes both have it)."""

    @property
    def title(self) -> str: ...
    @property
    def score(self) -> int: ...
    @property
    def level(self) -> int: ...
    @property
    def level_name(self) -> str: ...
    @property
    def gate_capped(self) -> bool: ...


class PlannedItem(Protocol):
    """What the plan chart reads of a roadmap row."""

    @property
    def position(self) -> int: ...
    @property
    def phase(self) -> str: ...
    @property
    def start_week(self) -> float: ...
    @property
    def end_week(self) -> float: ...
    @property
    def prerequisite_positions(self) -> Sequence[int]: ...


def _style(chart: alt.TopLevelMixin) -> alt.LayerChart:
    """The report's look: its font, quiet axes, legend at the bottom.

    One `configure` call: each configure_* method deep-copies the whole chart.
    """
    styled = chart.configure(
        font=FONT,
        background="white",
        view=alt.ViewConfig(stroke=None),
        axis=alt.AxisConfig(
            labelColor=INK,
            titleColor=MUTED,
            gridColor=GRID,
            domainColor=GRID,
            tickColor=GRID,
            labelFontSize=10,
            titleFontSize=10,
            titleFontWeight="normal",
        ),
        legend=alt.LegendConfig(labelColor=INK, titleColor=MUTED, labelFontSize=10, titleFontSize=10, orient="bottom"),
    )
    return cast(alt.LayerChart, styled)


def scores_chart(foundations: Sequence[ScoredFoundation], needed: dict[str, int] | None = None) -> alt.LayerChart:
    """Horizontal bars of the five foundation scores, coloured by level, with level bands as ticks.

    `needed` maps foundation title to the level an end state needs; it is drawn as a
    black tick at the lowest score of that level (level x 20).
    """
    frame = pd.DataFrame(
        [
            {
                "foundation": f.title,
                "score": f.score,
                "level": LEVEL_LABELS[f.level],
                "label": f"{f.score}  ·  level {f.level} {f.level_name}" + ("  (capped)" if f.gate_capped else ""),
                "needed": (needed or {}).get(f.title, 0) * 20,
            }
            for f in foundations
        ]
    )
    order = [f.title for f in foundations]
    y = alt.Y("foundation:N", sort=order, title=None, axis=alt.Axis(labelLimit=0, labelFontSize=11, ticks=False))
    x = alt.X(
        "score:Q",
        scale=alt.Scale(domain=[0, 100]),
        title="Score (0-100)",
        axis=alt.Axis(values=[0, 20, 40, 60, 80, 100], grid=True),
    )
    colour = alt.Color("level:N", scale=alt.Scale(domain=LEVEL_LABELS, range=LEVEL_COLOURS), legend=None)
    base = alt.Chart(frame)
    bars = base.mark_bar(height=22, cornerRadiusEnd=2).encode(y=y, x=x, color=colour)
    at, text = (
        alt.X("score:Q"),
        alt.Text("label:N"),
    )  # channel objects: shorthand strings cost a validation each
    outside = (
        base.transform_filter(f"datum.score < {INSIDE_FROM}")
        .mark_text(align="left", dx=5, fontSize=9.5, color=INK)
        .encode(y=y, x=at, text=text)
    )
    inside = (
        base.transform_filter(f"datum.score >= {INSIDE_FROM}")
        .mark_text(align="right", dx=-6, fontSize=9.5, color="white", fontWeight=600)
        .encode(y=y, x=at, text=text)
    )
    ticks = (
        base.transform_filter("datum.needed > 0")
        .mark_tick(color=INK, thickness=2, size=30)
        .encode(y=y, x=alt.X("needed:Q"))
    )
    chart = alt.layer(bars, ticks, outside, inside).properties(width=430, height=alt.Step(32))
    return _style(chart)


def plan_chart(rows: Sequence[PlannedItem]) -> alt.LayerChart:
    """The roadmap as one team would work through it: a bar per item, lines from prerequisites.

    Rows are labelled by their roadmap number only: the tables carry the titles, and
    WeasyPrint lays out SVG text one letter at a time, so every label letter costs.
    """
    numbers = [str(r.position) for r in rows]
    frame = pd.DataFrame(
        [
            {
                "item": str(r.position),
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
            {"from": str(p), "to": str(r.position), "x": ends[p], "x2": r.start_week}
            for r in rows
            for p in r.prerequisite_positions
        ]
    )
    y = alt.Y(
        "item:N",
        title="Roadmap item",
        scale=alt.Scale(domain=numbers),
        axis=alt.Axis(labelFontSize=9, ticks=False, labelPadding=6),
    )
    weeks = max([r.end_week for r in rows] + [1])
    x = alt.X(
        "start:Q",
        title="Team-weeks from today",
        scale=alt.Scale(domain=[0, weeks]),
        axis=alt.Axis(tickMinStep=1),
    )
    colour = alt.Color(
        "phase:N",
        title="Phase",
        scale=alt.Scale(domain=list(PHASE_COLOURS), range=list(PHASE_COLOURS.values())),
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
    return _style(alt.layer(*layers).properties(width=520, height=alt.Step(14)))


@lru_cache(maxsize=1)
def _converter() -> ModuleType:
    """vl-convert with the report's bundled fonts registered, so labels are measured in the font drawn."""
    vlc.register_font_directory(str(FONTS))
    return vlc


def svg_data_uri(chart: alt.TopLevelMixin) -> str:
    """Render a chart to SVG with vl-convert and wrap it as a base64 data URI.

    The spec is not schema-validated here (that costs more than the conversion's own
    set-up); tests validate every builder's spec instead.
    """
    svg = _converter().vegalite_to_svg(chart.to_dict(validate=False))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
