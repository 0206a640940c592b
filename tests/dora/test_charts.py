"""DORA page charts: valid Vega-Lite, the 2024 bands drawn behind every series, and renderable to SVG."""

from __future__ import annotations

import pandas as pd
import vl_convert

from reports.charts.dora import deployments_per_week_chart, lead_time_chart, recovery_chart


def _trends() -> pd.DataFrame:
    weeks = pd.date_range("2026-01-05", periods=4, freq="7D")
    return pd.DataFrame(
        {
            "week": weeks,
            "deployments": [3, 0, 12, 5],
            "lead_time_hours": [30.0, None, 12.0, 80.0],
            "recovery_hours": [2.0, 0.5, None, 9.0],
        }
    )


def _band_rows(spec: dict) -> list[dict]:
    """The band layer's rows (the one drawn as rectangles), from the spec's datasets."""
    layer = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rect")
    return spec["datasets"][layer["data"]["name"]]


def test_deployment_bands_are_per_week_and_reach_past_the_busiest_week() -> None:
    spec = deployments_per_week_chart(_trends()).to_dict()  # validates against the Vega-Lite schema
    rows = {row["cluster"]: (row["low"], row["high"]) for row in _band_rows(spec)}
    assert rows["high"] == (1.0, 7.0)  # once a week to once a day
    assert rows["elite"][0] == 7.0
    assert rows["elite"][1] > 12
    assert abs(rows["medium"][0] - 7 / 30) < 1e-9


def test_trend_charts_draw_their_bands_and_skip_empty_weeks() -> None:
    for chart, column in ((lead_time_chart, "lead_time_hours"), (recovery_chart, "recovery_hours")):
        spec = chart(_trends()).to_dict()
        assert {row["cluster"] for row in _band_rows(spec)} >= {"elite", "high"}
        line = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
        assert len(spec["datasets"][line["data"]["name"]]) == 3, column


def test_every_chart_renders_to_svg() -> None:
    for chart in (deployments_per_week_chart, lead_time_chart, recovery_chart):
        svg = vl_convert.vegalite_to_svg(chart(_trends()).to_dict())
        assert svg.startswith("<svg")
        assert "<rect" in svg


def test_every_chart_writes_its_weeks_the_same_way() -> None:
    """The bars read '6 Sep', the lines read 'Sep 06' and 'November' (Vega's own choice): one format for all."""
    for chart in (deployments_per_week_chart, lead_time_chart, recovery_chart):
        spec = chart(_trends()).to_dict()
        drawn = next(layer for layer in spec["layer"] if layer["mark"]["type"] in ("bar", "line"))
        assert drawn["encoding"]["x"]["axis"]["format"] == "%-d %b", chart.__name__
        week = next(t for t in drawn["encoding"]["tooltip"] if t.get("field") == "week")
        assert week["format"] == "%-d %b %Y", chart.__name__
