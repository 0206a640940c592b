"""The range of times a DORA import accepts: 1 January 1990 (UTC) to one day after now.

Delivery data from before 1990 or from the future is a typo or a placeholder (year 0,
9999-12-31), never a deployment: refusing it at import keeps every date computed
from stored times (the default window, week buckets, the report's dates) inside
what Python's calendar can hold. One day of slack after now absorbs clocks that run
ahead and exports written in a time zone east of the reader's.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

EARLIEST_S = int(datetime(1990, 1, 1, tzinfo=UTC).timestamp())
AHEAD_S = 86_400


def latest_allowed_s(now_s: float | None = None) -> int:
    """The last accepted time, in epoch seconds: one day after now."""
    return int(now_s if now_s is not None else time.time()) + AHEAD_S


def clamp_s(moment_s: int, now_s: float | None = None) -> int:
    """A stored time brought inside the accepted range (for rows stored before the import refused them)."""
    return min(max(moment_s, EARLIEST_S), latest_allowed_s(now_s))


def range_text(now_s: float | None = None) -> str:
    """'1990-01-01 to 2026-12-08 (one day after now, UTC)': how messages name the range."""
    last = datetime.fromtimestamp(latest_allowed_s(now_s), UTC)
    return f"1990-01-01 to {last:%Y-%m-%d} (one day after now, UTC)"
