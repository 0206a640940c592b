"""Altair chart builders: pure functions of domain results, no streamlit, so the PDF can reuse them.

The page shows them with `st.altair_chart`; a report can render the same spec to SVG.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

from assessment.bank.model import GATE_CAP_LEVEL, LEVEL_NAMES
from assessment.scoring.engine import FoundationResult

LEVEL_COLOURS = ("#c94f4f", "#e07b39", "#c28a1e", "#5e9e5a", "#2e7d4f")
INK = "#1c2733"
BAR_ROW_PX = 46
INSIDE_FROM = 55  # from this score the label fits inside its bar


def level_bands() -> pd.DataFrame:
    """The five level bands on the 0-100 score axis (level L covers 20L to 20L+20)."""
    return pd.DataFrame(
        [
            {
                "level": level,
                "name": name,
                "start": level * 20,
                "end": level * 20 + 20,
                "middle": level * 20 + 10,
            }
            for level, name in enumerate(LEVEL_NAMES)
        ]
    )


def _label(result: FoundationResult) -> str:
    text = f"{result.score} · level {result.level}, {result.level_name}"
    if result.gate_capped:
        text += f", capped at {GATE_CAP_LEVEL}: deciding test not passed"
    return text


def foundation_frame(results: Sequence[FoundationResult]) -> pd.DataFrame:
    """One row per foundation: score, level, gate and the label drawn next to its bar."""
    return pd.DataFrame(
        [
            {
                "foundation": r.title,
                "score": r.score,
                "level": r.level,
                "level_name": r.level_name,
                "gate": r.gate.value,
                "answered": f"{r.answered} of {r.total}",
                "label": _label(r),
            }
            for r in results
        ]
    )


def _level_colour() -> alt.Scale:
    return alt.Scale(domain=list(LEVEL_NAMES), range=list(LEVEL_COLOURS))


def foundation_scores_chart(results: Sequence[FoundationResult]) -> alt.LayerChart:
    """Horizontal score bars per foundation over the five level bands, coloured by level."""
    frame = foundation_frame(results)
    x = alt.X(
        "score:Q",
        scale=alt.Scale(domain=[0, 100], nice=False),
        title="Score (0-100)",
        axis=alt.Axis(values=[0, 20, 40, 60, 80, 100], grid=False),
    )
    y = alt.Y(
        "foundation:N",
        sort=list(frame["foundation"]),
        title=None,
        axis=alt.Axis(labelLimit=240, labelFontSize=13, labelPadding=10, labelColor=INK, ticks=False, domain=False),
    )
    bands = (
        alt.Chart(level_bands())
        .mark_rect(opacity=0.14)
        .encode(
            x=alt.X("start:Q", scale=alt.Scale(domain=[0, 100])),
            x2="end:Q",
            color=alt.Color("name:N", scale=_level_colour(), legend=None),
        )
    )
    band_names = (
        alt.Chart(level_bands())
        .mark_text(baseline="bottom", dy=-6, fontSize=12, color=INK)
        .encode(
            x="middle:Q",
            y=alt.value(0),
            text="name:N",
        )
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(cornerRadiusEnd=4, height=24)
        .encode(
            x=x,
            y=y,
            color=alt.Color("level_name:N", scale=_level_colour(), legend=None),
            tooltip=[
                alt.Tooltip("foundation:N", title="Foundation"),
                alt.Tooltip("score:Q", title="Score"),
                alt.Tooltip("level_name:N", title="Level"),
                alt.Tooltip("gate:N", title="Deciding test"),
                alt.Tooltip("answered:N", title="Answered"),
            ],
        )
    )
    outside = (
        alt.Chart(frame)
        .transform_filter(alt.datum.score < INSIDE_FROM)
        .mark_text(align="left", dx=6, fontSize=12, color=INK)
        .encode(x=alt.X("score:Q"), y=y, text="label:N")
    )
    inside = (
        alt.Chart(frame)
        .transform_filter(alt.datum.score >= INSIDE_FROM)
        .mark_text(align="right", dx=-8, fontSize=12, color="white", fontWeight="bold")
        .encode(x=alt.X("score:Q"), y=y, text="label:N")
    )
    height = BAR_ROW_PX * max(1, len(frame))
    return alt.LayerChart(
        layer=[bands, band_names, bars, outside, inside],
        height=height,
        padding={"top": 24},
        autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),  # the height is the plot's own
    )
