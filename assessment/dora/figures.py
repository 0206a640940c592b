"""Typed figures: the four keys as a team states them, as a range (DORA Quick Check style) or a number.

A range stands for a typical value inside it when a band or cluster is needed;
the stored row keeps what the team chose, so a report can say "typed: between
one day and one week" rather than pretend to a precision nobody gave.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in
from assessment.core.errors import FoundationsError
from assessment.core.names import checked_author
from assessment.core.numbers import number_text
from assessment.dora.benchmarks import METRICS, band, nearest_cluster
from assessment.dora.summary import DEFINITIONS, Figure, hours_text
from assessment.models.dora import DoraFigures

# metric -> range key -> (label, typical value in the metric's unit: per week, hours, %, hours)
RANGES: dict[str, dict[str, tuple[str, float]]] = {
    "deployment_frequency": {
        "on_demand": ("on demand (several deploys a day)", 14.0),
        "daily_to_weekly": ("between once a day and once a week", 3.0),
        "weekly_to_monthly": ("between once a week and once a month", 0.5),
        "monthly_to_six_monthly": ("between once a month and once every six months", 0.1),
        "less_than_six_monthly": ("less than once every six months", 0.02),
    },
    "lead_time": {
        "less_than_one_day": ("less than one day", 6.0),
        "one_day_to_one_week": ("between one day and one week", 72.0),
        "one_week_to_one_month": ("between one week and one month", 336.0),
        "one_month_to_six_months": ("between one month and six months", 2160.0),
        "more_than_six_months": ("more than six months", 6000.0),
    },
    "change_failure_rate": {
        "under_5_pct": ("0-5 %", 2.5),
        "5_to_10_pct": ("5-10 %", 7.5),
        "10_to_20_pct": ("10-20 %", 15.0),
        "20_to_40_pct": ("20-40 %", 30.0),
        "over_40_pct": ("over 40 %", 50.0),
    },
    "recovery_time": {
        "less_than_one_hour": ("less than one hour", 0.5),
        "less_than_one_day": ("between one hour and one day", 6.0),
        "one_day_to_one_week": ("between one day and one week", 72.0),
        "one_week_to_one_month": ("between one week and one month", 336.0),
        "more_than_one_month": ("more than one month", 1000.0),
    },
}
# metric -> (range column, number column) of DoraFigures
COLUMNS = {
    "deployment_frequency": ("deployment_frequency_range", "deployments_per_week"),
    "lead_time": ("lead_time_range", "lead_time_hours"),
    "change_failure_rate": ("change_failure_range", "change_failure_pct"),
    "recovery_time": ("recovery_range", "recovery_hours"),
}


@dataclass(frozen=True)
class Typed:
    """One metric as typed: a range key, or an exact number (per week, hours or %), or neither."""

    range: str | None = None
    number: float | None = None


def check_typed(metric: str, typed: Typed) -> Typed:
    """The value if it makes sense for the metric; FoundationsError naming the field otherwise."""
    title = METRICS[metric].title
    if typed.range is not None and typed.number is not None:
        raise FoundationsError(f"{title}: give a range or a number, not both")
    if typed.range is not None and typed.range not in RANGES[metric]:
        raise FoundationsError(f"{title}: unknown range {typed.range!r} (choose from {', '.join(RANGES[metric])})")
    if typed.number is not None and not (0 <= typed.number <= (100 if metric == "change_failure_rate" else 1e7)):
        raise FoundationsError(f"{title}: {number_text(typed.number)} is out of range")
    return typed


def save_figures(session: Session, *, team_id: int, by: str, values: dict[str, Typed]) -> DoraFigures:
    """Store the team's typed figures as a new row (the newest row is the current one)."""
    authorize_in(session, None, Action.IMPORT_DORA, access.team(team_id))
    row = DoraFigures(team_id=team_id, entered_by=checked_author(by))
    for metric, typed in values.items():
        typed = check_typed(metric, typed)
        range_column, number_column = COLUMNS[metric]
        setattr(row, range_column, typed.range)
        setattr(row, number_column, typed.number)
    session.add(row)
    session.flush()
    return row


def latest_figures(session: Session, *, team_id: int) -> DoraFigures | None:
    return session.exec(
        select(DoraFigures).where(DoraFigures.team_id == team_id).order_by(col(DoraFigures.id).desc())
    ).first()


def typed_values(row: DoraFigures) -> dict[str, Typed]:
    return {metric: Typed(getattr(row, r), getattr(row, n)) for metric, (r, n) in COLUMNS.items()}


def _value(metric: str, typed: Typed) -> float | None:
    """The typed value in the benchmark's unit (per day for frequency)."""
    raw = typed.number if typed.number is not None else (RANGES[metric][typed.range][1] if typed.range else None)
    if raw is None:
        return None
    return raw / 7 if metric == "deployment_frequency" else raw


def _text(metric: str, typed: Typed) -> str:
    if typed.range:
        return f"typed: {RANGES[metric][typed.range][0]}"
    if typed.number is None:
        return "not given"
    if metric == "deployment_frequency":
        return f"typed: {number_text(typed.number)} per week"
    if metric == "change_failure_rate":
        return f"typed: {number_text(typed.number)} %"
    return f"typed: {hours_text(typed.number)}"


def typed_figures(row: DoraFigures) -> tuple[tuple[Figure, ...], str | None]:
    """The typed figures with their bands, and the nearest cluster over those given."""
    figures = []
    values: dict[str, float | None] = {}
    for metric, typed in typed_values(row).items():
        value = _value(metric, typed)
        values[metric] = value
        figures.append(
            Figure(
                metric,
                METRICS[metric].title,
                value,
                _text(metric, typed),
                band(metric, value) if value is not None else None,
                DEFINITIONS[metric],
                f"typed by {row.entered_by or 'someone'} on {row.entered_at:%-d %b %Y}",
            )
        )
    fit = nearest_cluster(values)
    return tuple(figures), fit.cluster if fit else None
