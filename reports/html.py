"""HTML for a report: one Jinja2 environment, autoescaped, built once; formatting as filters.

Every value from the database reaches the page through autoescaping, so a note
that contains markup prints as text. Nothing here marks a value safe.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from assessment.core.numbers import plural
from reports.charts.palette import LEVELS
from reports.context import ReportContext
from reports.report_charts import ReportCharts

TEMPLATES = Path(__file__).parent / "templates"
REPORT_CSS = "report.css"  # under reports/static; applied by reports.pdf.render_pdf(html, css=REPORT_CSS)


def level_class(level: int) -> str:
    """The class that colours a level's words (base.html defines it from the chart palette)."""
    return f"level-{LEVELS[level].css}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The report's Jinja2 environment (autoescape on, undefined names are errors)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["plural"] = plural
    env.filters["level_class"] = level_class
    env.globals["levels"] = LEVELS
    return env


def render_html(ctx: ReportContext, charts: ReportCharts) -> str:
    """The whole report as one HTML document (assets referenced relative to reports/static)."""
    return environment().get_template("report.html").render(ctx=ctx, charts=charts)
