"""The one palette of every chart and of the reports' level colours: the same level is the same colour everywhere.

Level labels and CSS class names come from the bank's level names, so a renamed
level is renamed in every chart, legend and report at once. The text colour on
each level's fill is whichever of ink and white reads better on it (WCAG contrast),
so a heatmap cell is readable on screen and on paper alike. No Altair here: the
report templates read this module too.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessment.bank.model import LEVEL_NAMES
from assessment.core.colours import contrast

FONT = "Inter, Source Sans Pro, sans-serif"  # the bundled Inter in the PDF; a sans-serif in the browser
INK = "#1f2a44"
MUTED = "#667085"
GRID = "#e4e7ec"
WHITE = "#ffffff"
SERIES = "#3b6ea5"  # the bars of a chart with a single series (deployments per week, a workshop's answers)
PHASE_COLOURS = {"now": "#1d4ed8", "next": "#60a5fa", "later": "#cbd5e1"}
# words on white, as the team report's verdict pills (report.css .pill.ready / .not_ready / .exposed)
READINESS_INK = {"ready": "#067647", "not ready": "#b54708", "exposed": "#b42318"}
DORA_BAND_COLOURS = {"elite": "#cfe8d5", "high": "#e8f0d0", "medium": "#f6ecd0", "low": "#f6dcd0"}

_FILLS = ("#b42318", "#dc6803", "#eaaa08", "#3e8e63", "#0e6245")  # absent ... proven
_TEXT_ON_PAPER = {2: "#a15c07"}  # the partial yellow is too light for words on white: a darker shade of it


@dataclass(frozen=True)
class Level:
    """How one maturity level is shown: its label, its CSS class and its colours."""

    number: int
    name: str  # the bank's name: "ad hoc"
    label: str  # "1 ad hoc": legends, heatmap data, chart colour domains
    css: str  # "adhoc": the class suffix in the report templates
    fill: str  # bars, heatmap cells, legend swatches
    on_fill: str  # text drawn on the fill
    on_paper: str  # the level's colour for words on white


def _level(number: int, name: str) -> Level:
    fill = _FILLS[number]
    return Level(
        number=number,
        name=name,
        label=f"{number} {name}",
        css=name.replace(" ", ""),
        fill=fill,
        on_fill=max((WHITE, INK), key=lambda text: contrast(text, fill)),
        on_paper=_TEXT_ON_PAPER.get(number, fill),
    )


LEVELS: tuple[Level, ...] = tuple(_level(n, name) for n, name in enumerate(LEVEL_NAMES))
LEVEL_LABELS: tuple[str, ...] = tuple(level.label for level in LEVELS)
LEVEL_FILLS: tuple[str, ...] = tuple(level.fill for level in LEVELS)
