"""The explicit time window every DORA figure is computed over: [since, until), in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from assessment.core.numbers import number_text
from assessment.dora.bounds import clamp_s

DEFAULT_DAYS = 90
DAY_S = 86_400


@dataclass(frozen=True)
class Window:
    """Events at or after `since` and before `until` count; both are aware UTC datetimes."""

    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.since.tzinfo is None or self.until.tzinfo is None:
            raise ValueError("a window needs timezone-aware datetimes")
        if self.until <= self.since:
            raise ValueError(f"the window ends ({self.until:%Y-%m-%d}) before it starts ({self.since:%Y-%m-%d})")

    @property
    def since_s(self) -> int:
        return int(self.since.timestamp())

    @property
    def until_s(self) -> int:
        return int(self.until.timestamp())

    @property
    def days(self) -> float:
        return (self.until_s - self.since_s) / DAY_S

    def describe(self) -> str:
        """'1 Mar 2024 to 29 May 2024 (90 days, UTC)': the last day shown is the last one included."""
        last = self.until - timedelta(seconds=1)
        return f"{self.since:%-d %b %Y} to {last:%-d %b %Y} ({number_text(self.days)} days, UTC)"


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def window_for_dates(
    since: date | None, until: date | None, *, latest_s: int | None, days: int = DEFAULT_DAYS
) -> Window:
    """A window from whole days (both included); missing ends default to `days` ending at the latest event.

    Without data and without dates, the window ends today (UTC). A latest event outside the
    accepted range (stored before the import refused such times) counts as its nearest end.
    """
    try:
        return _window(since, until, latest_s, days)
    except OverflowError:
        raise ValueError("the window must lie between the years 1 and 9999") from None


def _window(since: date | None, until: date | None, latest_s: int | None, days: int) -> Window:
    if until is not None:
        end = _midnight(until) + timedelta(days=1)
    elif since is not None:
        end = _midnight(since) + timedelta(days=days)
    else:
        last = (
            datetime.fromtimestamp(clamp_s(latest_s), UTC).date() if latest_s is not None else datetime.now(UTC).date()
        )
        end = _midnight(last) + timedelta(days=1)
    start = _midnight(since) if since is not None else end - timedelta(days=days)
    return Window(start, end)
