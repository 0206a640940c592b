"""Screen and paper: the only thing a chart builder is told about where its chart is shown.

A chart draws the same marks, colours and words on both; the medium sets sizes.
On screen a chart is as wide as its page column and uses the page's type sizes;
on paper it has a fixed width in SVG pixels (the PDF scales the image to the
column) and smaller type, and the report's words around it explain what a screen
chart must say itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt


@dataclass(frozen=True)
class Medium:
    """Sizes of a chart on one medium."""

    width: int | None  # px; None: as wide as the page column
    font_size: float  # words drawn on the marks
    axis_font_size: float
    row_px: int  # one foundation's row in the scores chart
    bar_px: int  # the thickness of its bar
    name_levels: bool  # name the level bands above the scores chart (the report's text does it on paper)

    def size(self, height: int | alt.Step) -> dict[str, Any]:
        """A chart's size properties: as wide as the column or `width`, and `height` either way.

        On screen the width fits the column but the height stays as stated (Streamlit's
        default "fit" would squash it); on paper both stay as stated.
        """
        if self.width is None:
            return {"height": height, "autosize": alt.AutoSizeParams(type="fit-x", contains="padding")}
        return {"width": self.width, "height": height, "autosize": alt.AutoSizeParams(type="pad")}


SCREEN = Medium(width=None, font_size=12, axis_font_size=13, row_px=46, bar_px=24, name_levels=True)
PAPER = Medium(width=430, font_size=9.5, axis_font_size=11, row_px=32, bar_px=22, name_levels=False)
