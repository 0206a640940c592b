"""Portfolio charts: pure Altair builders shared by the portfolio page and the portfolio PDF.

The page passes the app's level colours; the PDF keeps the report's. A chart
never draws more rows than it is given: the page hands over one page of teams,
so the heatmap stays readable with 500 teams.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import altair as alt
import pandas as pd

from assessment.bank.model import LEVEL_NAMES
from assessment.portfolio.data import TeamRow, TrendPoint
from reports.charts.scores import INK, LEVEL_COLOURS, LEVEL_LABELS

HEATMAP_ROW_PX = 24
HEATMAP_COLUMN_PX = 172  # room for 'On-call coverage and runbooks' on one line
GATE_MARK = "*"  # a failed or unknown deciding test caps the level: the cell says so
PAD = alt.AutoSizeParams(type="pad")  # keep the stated size; Streamlit's default "fit" squashes fixed heights
FIT_X = alt.AutoSizeParams(type="fit-x", contains="padding")  # as wide as the column, the stated height


def _levels(colours: Sequence[str]) -> alt.Scale:
    return alt.Scale(domain=list(LEVEL_LABELS), range=list(colours))


def heatmap_records(rows: Sequence[TeamRow], foundations: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """One record per team x foundation: level, score, gate and the cell's label."""
    records = []
    for row in rows:
        for key, title in foundations:
            cell = row.cells.get(key)
            if cell is None:
                continue
            change = row.level_change(key)
            capped = cell.gate in ("failed", "unknown")
            records.append(
                {
                    "team": row.team,
                    "foundation": title,
                    "level": LEVEL_LABELS[cell.level],
                    "score": cell.score,
                    "label": f"{cell.level}{GATE_MARK if capped else ''} · {cell.score}",
                    "gate": cell.gate,
                    "change": "first round" if change is None else f"{change:+d} level(s)",
                    "dark": cell.level in (0, 3, 4),
                }
            )
    return records


def heatmap_spec(
    rows: Sequence[TeamRow], foundations: Sequence[tuple[str, str]], colours: Sequence[str] = LEVEL_COLOURS
) -> dict[str, Any]:
    """Teams down, foundations across, each cell coloured by level and labelled 'level · score'.

    Written as a Vega-Lite dict rather than built with Altair: Altair's construction
    and schema validation cost 0.2-0.4 s for this chart on the development machine,
    most of a page rerun; the dict costs nothing. Show it with `st.vega_lite_chart`.
    """
    spec = copy.deepcopy(_heatmap_skeleton(tuple(t for _, t in foundations), tuple(colours)))
    spec["encoding"]["y"]["sort"] = [r.team for r in rows]
    spec["data"] = {"values": heatmap_records(rows, foundations)}
    return spec


_Y: dict[str, Any] = {
    "field": "team",
    "type": "nominal",
    "title": None,
    "axis": {"labelLimit": 220, "labelFontSize": 11, "ticks": False, "domain": False},
}
_TOOLTIP = [
    {"field": f, "type": t, "title": title}
    for f, t, title in (
        ("team", "nominal", "Team"),
        ("foundation", "nominal", "Foundation"),
        ("level", "nominal", "Level"),
        ("score", "quantitative", "Score"),
        ("gate", "nominal", "Deciding test"),
        ("change", "nominal", "Since last round"),
    )
]


@lru_cache(maxsize=8)
def _heatmap_skeleton(titles: tuple[str, ...], colours: tuple[str, ...]) -> dict[str, Any]:
    x = {
        "field": "foundation",
        "type": "nominal",
        "sort": list(titles),
        "title": None,
        "axis": {
            "orient": "top",
            "labelAngle": 0,
            "labelLimit": HEATMAP_COLUMN_PX - 4,
            "labelFontSize": 11,
            "labelOverlap": False,
            "ticks": False,
            "domain": False,
            "labelPadding": 6,
        },
    }
    colour = {
        "field": "level",
        "type": "nominal",
        "title": "Level",
        "scale": {"domain": list(LEVEL_LABELS), "range": list(colours)},
        "legend": {"orient": "bottom", "direction": "horizontal"},
    }
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "width": {"step": HEATMAP_COLUMN_PX},
        "height": {"step": HEATMAP_ROW_PX},
        "autosize": {"type": "pad"},
        "encoding": {"x": x, "y": _Y, "tooltip": _TOOLTIP},
        "layer": [
            {"mark": {"type": "rect", "stroke": "white", "strokeWidth": 2}, "encoding": {"color": colour}},
            {
                "mark": {"type": "text", "fontSize": 11},
                "encoding": {
                    "text": {"field": "label", "type": "nominal"},
                    "color": {"condition": {"test": "datum.dark", "value": "white"}, "value": INK},
                },
            },
        ],
    }


def distribution_frame(
    level_counts: Mapping[str, Sequence[int]], foundations: Sequence[tuple[str, str]]
) -> pd.DataFrame:
    records = [
        {"foundation": title, "level": LEVEL_LABELS[level], "order": level, "teams": n}
        for key, title in foundations
        for level, n in enumerate(level_counts.get(key, (0,) * 5))
        if n
    ]
    return pd.DataFrame(records, columns=["foundation", "level", "order", "teams"])


def distribution_chart(
    level_counts: Mapping[str, Sequence[int]],
    foundations: Sequence[tuple[str, str]],
    colours: Sequence[str] = LEVEL_COLOURS,
    width: int = 460,
    fit: bool = True,
) -> alt.Chart:
    """How many teams sit at each level, per foundation (stacked, absent on the left).

    `fit`: as wide as the page column (the app); otherwise exactly `width` (the PDF).
    """
    frame = distribution_frame(level_counts, foundations)
    chart: alt.Chart = (  # Altair types its mark_* methods as returning Any
        alt.Chart(frame)
        .mark_bar(height=18)
        .encode(
            y=alt.Y(
                "foundation:N",
                sort=[title for _, title in foundations],
                title=None,
                axis=alt.Axis(labelLimit=220, labelFontSize=11, ticks=False),
            ),
            x=alt.X("teams:Q", stack="zero", title="Teams", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "level:N",
                scale=_levels(colours),
                title="Level",
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("foundation:N", title="Foundation"),
                alt.Tooltip("level:N", title="Level"),
                alt.Tooltip("teams:Q", title="Teams"),
            ],
        )
        .properties(width=width, height=alt.Step(26), autosize=FIT_X if fit else PAD)
    )
    return chart


def trend_frame(points: Sequence[TrendPoint], foundations: Sequence[tuple[str, str]]) -> pd.DataFrame:
    titles = dict(foundations)
    records = [
        {
            "round": p.round_number,
            "foundation": titles.get(p.foundation, p.foundation),
            "score": p.mean_score,
            "teams": p.teams,
        }
        for p in points
    ]
    return pd.DataFrame(records, columns=["round", "foundation", "score", "teams"])


def trend_chart(
    points: Sequence[TrendPoint], foundations: Sequence[tuple[str, str]], width: int = 460, fit: bool = True
) -> alt.Chart:
    """Mean score of each foundation per round number; the grid lines are the level boundaries (every 20)."""
    frame = trend_frame(points, foundations)
    rounds = sorted(set(frame["round"])) or [1]
    chart: alt.Chart = (  # Altair types its mark_* methods as returning Any
        alt.Chart(frame)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=alt.X("round:O", title="Round", sort=rounds, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "score:Q",
                title="Mean score (0-100)",
                scale=alt.Scale(domain=[0, 100]),
                axis=alt.Axis(values=[0, 20, 40, 60, 80, 100]),
            ),
            color=alt.Color(
                "foundation:N",
                sort=[title for _, title in foundations],
                title=None,
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=220),
            ),
            tooltip=[
                alt.Tooltip("foundation:N", title="Foundation"),
                alt.Tooltip("round:O", title="Round"),
                alt.Tooltip("score:Q", title="Mean score"),
                alt.Tooltip("teams:Q", title="Teams"),
            ],
        )
        .properties(width=width, height=180, autosize=FIT_X if fit else PAD)
    )
    return chart


def level_name(level: int) -> str:
    return f"{level} {LEVEL_NAMES[level]}"
