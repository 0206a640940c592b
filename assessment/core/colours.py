"""Colours as #rrggbb strings and their WCAG 2 contrast: what a branded accent must meet to be read on paper.

The report palette (reports/charts/palette.py) and the branding checks
(assessment/organisations/brand.py) share these, so "readable" means one thing.
"""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
WCAG_AA_TEXT = 4.5  # WCAG 2 level AA: the least contrast for body-size words


def parse_colour(text: str) -> str:
    """`#1D4ED8`, `1d4ed8` or `#1d4` as lower-case #rrggbb; ValueError for anything else."""
    value = text.strip().lower()
    if not value.startswith("#"):
        value = "#" + value
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    if not HEX_COLOUR.match(value):
        raise ValueError(f"{text.strip()[:20]!r} is not a colour: give it as #rrggbb, e.g. #1d4ed8")
    return value


def luminance(colour: str) -> float:
    """Relative luminance of a #rrggbb colour (WCAG 2)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, 1 (none) to 21 (black on white)."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
