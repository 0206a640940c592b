"""The foundation scores of one round: a bar per foundation over the five level bands, coloured by level.

One builder for the Results page and the report; the medium (screen or paper)
sets its sizes. It reads any shape with the fields of `ScoredFoundation`: the
scoring engine's results and the report's foundation sections both have them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import altair as alt
import pandas as pd

from reports.charts.medium import SCREEN, Medium
from reports.charts.palette import INK, LEVEL_FILLS, LEVEL_LABELS, LEVELS

INSIDE_FROM = 45  # from this score the label fits inside its bar
TICKS = [0, 20, 40, 60, 80, 100]  # the level boundaries: level L covers 20L to 20L+20


class ScoredFoundation(Protocol):
    """What the scores chart reads of a foundation."""

    @property
    def title(self) -> str: ...
    @property
    def score(self) -> int: ...
    @property
    def level(self) -> int: ...
    @property
    def level_name(self) -> str: ...
    @property
    def gate(self) -> str: ...
    @property
    def gate_capped(self) -> bool: ...
    @property
    def answered(self) -> int: ...
    @property
    def total(self) -> int: ...


def levels() -> alt.Scale:
    """The level colour scale, over the level labels ("0 absent" ... "4 proven")."""
    return alt.Scale(domain=list(LEVEL_LABELS), range=list(LEVEL_FILLS))


def label(f: ScoredFoundation) -> str:
    """The words beside a bar: '48  ·  level 2 partial', with '(capped)' when the deciding test holds it down."""
    if not f.answered:
        return "not answered"  # never "0 · level 0 absent": nothing was said, nothing is absent
    return f"{f.score}  ·  level {f.level} {f.level_name}" + ("  (capped)" if f.gate_capped else "")


def foundation_frame(foundations: Sequence[ScoredFoundation], needed: Mapping[str, int] | None = None) -> pd.DataFrame:
    """One row per foundation: score, level, gate, the label and the score its needed level starts at (0: none)."""
    return pd.DataFrame(
        [
            {
                "foundation": f.title,
                "score": f.score,
                "level": LEVEL_LABELS[f.level],
                "ink": LEVELS[f.level].on_fill,
                "gate": str(f.gate),
                "answered": f"{f.answered} of {f.total}",
                "label": label(f),
                "needed": (needed or {}).get(f.title, 0) * 20,
            }
            for f in foundations
        ]
    )


def level_bands() -> pd.DataFrame:
    """The five level bands on the 0-100 score axis."""
    return pd.DataFrame(
        [
            {
                "level": lv.label,
                "name": lv.name,
                "start": 20 * lv.number,
                "end": 20 * lv.number + 20,
                "middle": 20 * lv.number + 10,
            }
            for lv in LEVELS
        ]
    )


def scores_chart(
    foundations: Sequence[ScoredFoundation], needed: Mapping[str, int] | None = None, medium: Medium = SCREEN
) -> alt.LayerChart:
    """Horizontal score bars over the five level bands, coloured by level, each labelled with score and level.

    `needed` maps foundation title to the level an end state needs; it is drawn as a
    tick at the lowest score of that level (level x 20), behind the bar: the PDF showed
    it crossing the score label written inside the bar.
    """
    frame = foundation_frame(foundations, needed)
    y = alt.Y(
        "foundation:N",
        sort=list(frame["foundation"]),
        title=None,
        axis=alt.Axis(labelLimit=0, labelFontSize=medium.axis_font_size, labelColor=INK, ticks=False, domain=False),
    )
    x = alt.X(
        "score:Q",
        scale=alt.Scale(domain=[0, 100], nice=False),
        title="Score (0-100)",
        axis=alt.Axis(values=TICKS, grid=True),
    )
    colour = alt.Color("level:N", scale=levels(), legend=None)
    bands = alt.Chart(level_bands()).mark_rect(opacity=0.14).encode(x=alt.X("start:Q"), x2="end:Q", color=colour)
    layers: list[alt.Chart] = [bands]
    if medium.name_levels:
        names = alt.Chart(level_bands()).mark_text(baseline="bottom", dy=-6, fontSize=medium.font_size, color=INK)
        layers.append(names.encode(x=alt.X("middle:Q"), y=alt.value(0), text=alt.Text("name:N")))
    base = alt.Chart(frame)
    bars = base.mark_bar(height=medium.bar_px, cornerRadiusEnd=2).encode(
        y=y,
        x=x,
        color=colour,
        tooltip=[
            alt.Tooltip("foundation:N", title="Foundation"),
            alt.Tooltip("score:Q", title="Score"),
            alt.Tooltip("level:N", title="Level"),
            alt.Tooltip("gate:N", title="Deciding test"),
            alt.Tooltip("answered:N", title="Answered"),
        ],
    )
    at, text = alt.X("score:Q"), alt.Text("label:N")  # channel objects: shorthand strings cost a validation each
    outside = (
        base.transform_filter(f"datum.score < {INSIDE_FROM}")
        .mark_text(align="left", dx=5, fontSize=medium.font_size, color=INK)
        .encode(y=y, x=at, text=text)
    )
    inside = (
        base.transform_filter(f"datum.score >= {INSIDE_FROM}")
        .mark_text(align="right", dx=-6, fontSize=medium.font_size, fontWeight=600)
        .encode(y=y, x=at, text=text, color=alt.Color("ink:N", scale=None))
    )
    ticks = (
        base.transform_filter("datum.needed > 0")
        .mark_tick(color=INK, thickness=2, size=medium.row_px)
        .encode(y=y, x=alt.X("needed:Q"))
    )
    # the tick under the bar: across a bar it shows as notches above and below it, never through the label
    layers += [ticks, bars, outside, inside]
    top = {"top": 24} if medium.name_levels else alt.Undefined  # room for the level names
    return alt.LayerChart(layer=layers, padding=top, **medium.size(alt.Step(medium.row_px)))
