"""Charts on paper: the report's type and quiet axes, drawn to vector SVG as data URIs for WeasyPrint.

The only chart module that loads vl-convert, so a page that shows charts never
pays for it. The PDF embeds the SVG as an `<img>` data URI: WeasyPrint runs no
JavaScript, and an image is faster for it to lay out than inline `<svg>`. On
screen the same builders are shown with `st.altair_chart`, in the page's theme.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import cast

import altair as alt
import vl_convert as vlc

from reports.charts.palette import FONT, GRID, INK, MUTED

FONTS = Path(__file__).parents[1] / "static" / "fonts"


def paper_style(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
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
    return cast(alt.TopLevelMixin, styled)


@lru_cache(maxsize=1)
def _converter() -> ModuleType:
    """vl-convert with the report's bundled fonts registered, so labels are measured in the font drawn."""
    vlc.register_font_directory(str(FONTS))
    return vlc


def svg_data_uri(chart: alt.TopLevelMixin) -> str:
    """The chart in the report's look, rendered to SVG with vl-convert and wrapped as a base64 data URI.

    The spec is not schema-validated here (that costs more than the conversion's own
    set-up); tests validate every builder's spec instead.
    """
    svg = _converter().vegalite_to_svg(paper_style(chart).to_dict(validate=False))
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
