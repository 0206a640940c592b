"""Altair builders for the DORA page (and any report): pure functions of a weekly-trends frame.

Each time chart draws the DORA 2024 elite and high bands behind the line, so a
reader sees at a glance which band each week falls in.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from assessment.dora.benchmarks import METRICS
from reports.charts.palette import DORA_BAND_COLOURS, INK, SERIES

DAY, DATE = "%-d %b", "%-d %b %Y"  # every week on these charts reads '6 Sep', as the page's text writes dates


def deployments_per_week_chart(trends: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    """Bars: successful production deployments in each week, over the DORA 2024 frequency bands (per week)."""
    top = max(float(trends["deployments"].max()) * 1.15 if not trends.empty else 1.0, 8.0)
    weekly = _bands("deployment_frequency", top / 7)
    weekly[["low", "high"]] = weekly[["low", "high"]] * 7
    bars = (
        alt.Chart(trends)
        .mark_bar(color=SERIES)
        .encode(
            x=alt.X("yearmonthdate(week):O", title="Week starting", axis=alt.Axis(format=DAY, labelAngle=0)),
            y=alt.Y("deployments:Q", title="Deployments per week", scale=alt.Scale(domain=[0, top], nice=False)),
            tooltip=[alt.Tooltip("week:T", title="Week starting", format=DATE), "deployments:Q"],
        )
    )
    return alt.layer(_band_rects(weekly, "Deployments per week"), bars).properties(height=220)


def _bands(metric: str, top: float) -> pd.DataFrame:
    """Rows (cluster, low, high, label) of the metric's bands below `top`; equal ranges are merged."""
    merged: dict[tuple[float, float], list[str]] = {}
    texts: dict[tuple[float, float], str] = {}
    for cluster, rng in METRICS[metric].ranges.items():
        low, high = rng.low or 0.0, rng.high if rng.high is not None else top
        if low < top:
            merged.setdefault((low, min(high, top)), []).append(cluster)
            texts[(low, min(high, top))] = rng.text
    return pd.DataFrame(
        [
            {
                "cluster": names[0],
                "low": low,
                "high": high,
                "label": f"{' / '.join(names)}: {texts[(low, high)]}",
            }
            for (low, high), names in merged.items()
        ]
    )


def trend_chart(trends: pd.DataFrame, column: str, metric: str, title: str) -> alt.LayerChart | alt.FacetChart:
    """The weekly median as a line over the DORA 2024 bands of that metric."""
    values = trends[column].dropna()
    top = max(float(values.max()) * 1.15 if not values.empty else 1.0, 1.0)
    bands = _band_rects(_bands(metric, top), title)
    line = (
        alt.Chart(trends.dropna(subset=[column]))
        .mark_line(point=True, color=INK)
        .encode(
            x=alt.X("week:T", title="Week starting", axis=alt.Axis(format=DAY, labelAngle=0)),
            y=alt.Y(f"{column}:Q"),
            tooltip=[
                alt.Tooltip("week:T", title="Week starting", format=DATE),
                alt.Tooltip(f"{column}:Q", format=".1f", title=title),
            ],
        )
    )
    return alt.layer(bands, line).properties(height=240)


def _band_rects(bands: pd.DataFrame, title: str) -> alt.Chart:
    """The bands as full-width rectangles, coloured by cluster, with the range in words on hover."""
    rects: alt.Chart = (  # Altair types its mark_* methods as returning Any
        alt.Chart(bands)
        .mark_rect(opacity=0.7)
        .encode(
            y=alt.Y("low:Q", title=title),
            y2="high:Q",
            color=alt.Color(
                "cluster:N",
                title="DORA 2024 band",
                scale=alt.Scale(domain=list(DORA_BAND_COLOURS), range=list(DORA_BAND_COLOURS.values())),
            ),
            tooltip=[alt.Tooltip("label:N", title="Band")],
        )
    )
    return rects


def lead_time_chart(trends: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    return trend_chart(trends, "lead_time_hours", "lead_time", "Median lead time (hours)")


def recovery_chart(trends: pd.DataFrame) -> alt.LayerChart | alt.FacetChart:
    return trend_chart(trends, "recovery_hours", "recovery_time", "Median time to restore (hours)")
