"""Portfolio charts: the heatmap, teams per level and the trend, shared by the portfolio page and PDF.

A chart never draws more rows than it is given: the page hands over one page of
teams, so the heatmap stays readable with 500 teams. The PDF lays the heatmap
out as a table (its team names link to the team pages) in the same colours:
both take each cell's fill and text colour from `palette.LEVELS`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import altair as alt
import pandas as pd

from assessment.portfolio.data import TeamRow
from assessment.portfolio.trend import TrendPoint
from assessment.scoring.gates import GateState
from reports.charts.medium import SCREEN, Medium
from reports.charts.palette import LEVEL_FILLS, LEVEL_LABELS, LEVELS
from reports.charts.scores import levels

HEATMAP_ROW_PX = 24
HEATMAP_COLUMN_PX = 172  # room for 'On-call coverage and runbooks' on one line
GATE_MARK = "*"  # a deciding test not passed caps the level: the cell says so
# The stored gates that hold a level at 2: failed, contested by the team's delivery data, or unknown ("don't know").
CAPPED_GATES = frozenset({GateState.FAILED.value, GateState.CONTESTED.value, GateState.UNKNOWN.value})


def heatmap_records(rows: Sequence[TeamRow], foundations: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """One record per team x foundation: level, score, gate and the cell's label."""
    records = []
    for row in rows:
        for key, title in foundations:
            cell = row.cells.get(key)
            if cell is None:
                continue
            change = row.level_change(key)
            capped = cell.gate in CAPPED_GATES
            records.append(
                {
                    "team": row.team,
                    "foundation": title,
                    "level": LEVELS[cell.level].label,
                    "score": cell.score,
                    "label": f"{cell.level}{GATE_MARK if capped else ''} · {cell.score}",
                    "gate": cell.gate,
                    "change": "first round" if change is None else f"{change:+d} level(s)",
                    "ink": LEVELS[cell.level].on_fill,
                }
            )
    return records


def heatmap_spec(rows: Sequence[TeamRow], foundations: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Teams down, foundations across, each cell coloured by level and labelled 'level · score'.

    Written as a Vega-Lite dict rather than built with Altair: Altair's construction
    and schema validation cost 0.2-0.4 s for this chart on the development machine,
    most of a page rerun; the dict costs nothing. Show it with `st.vega_lite_chart`.
    """
    spec = copy.deepcopy(_heatmap_skeleton(tuple(t for _, t in foundations)))
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
def _heatmap_skeleton(titles: tuple[str, ...]) -> dict[str, Any]:
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
        "scale": {"domain": list(LEVEL_LABELS), "range": list(LEVEL_FILLS)},
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
                    "color": {"field": "ink", "type": "nominal", "scale": None},  # the palette's text on that fill
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
    level_counts: Mapping[str, Sequence[int]], foundations: Sequence[tuple[str, str]], medium: Medium = SCREEN
) -> alt.Chart:
    """How many teams sit at each level, per foundation (stacked, absent on the left)."""
    frame = distribution_frame(level_counts, foundations)
    bars: alt.Chart = alt.Chart(frame, **medium.size(alt.Step(26))).mark_bar(height=18)  # mark_* types as Any
    return bars.encode(
        y=alt.Y(
            "foundation:N",
            sort=[title for _, title in foundations],
            title=None,
            axis=alt.Axis(labelLimit=220, labelFontSize=11, ticks=False),
        ),
        x=alt.X("teams:Q", stack="zero", title="Teams", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color(
            "level:N",
            scale=levels(),
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
    points: Sequence[TrendPoint], foundations: Sequence[tuple[str, str]], medium: Medium = SCREEN
) -> alt.Chart:
    """Mean score of each foundation per round number; the grid lines are the level boundaries (every 20)."""
    frame = trend_frame(points, foundations)
    rounds = sorted(set(frame["round"])) or [1]
    lines: alt.Chart = alt.Chart(frame, **medium.size(180)).mark_line(point=True, strokeWidth=2)  # mark_* types as Any
    return lines.encode(
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
