"""How a number reads in a sentence: '1,000,000 minutes', '12.5 %', never '1e+06 minutes'.

Python's `:g` switches to scientific notation from a million on and drops thousands
separators, which reads badly in answers, DORA figures, error messages and reports.
Every place that writes a measured or typed number into text uses `number_text`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

DECIMALS = 2  # what a person reads: 12.5 hours, 0.75 %, not 12.4999999 hours
MAX_DECIMALS = 12  # a tiny non-zero value keeps two significant digits, down to this many places


def number_text(value: float, *, decimals: int = DECIMALS) -> str:
    """`value` with thousands separators and at most `decimals` places, trailing zeros dropped.

    A non-zero value too small for `decimals` places keeps two significant digits
    (0.00012 rather than 0), so a real measurement never reads as nothing.
    """
    if isinstance(value, int):
        return f"{value:,}"  # exact, however large
    if math.isnan(value):
        return "not a number"
    if math.isinf(value):
        return "infinite" if value > 0 else "minus infinite"
    places = decimals
    if value and abs(value) < 10**-decimals:
        places = min(MAX_DECIMALS, 1 - math.floor(math.log10(abs(value))))
    rounded = round(float(value), places)
    if rounded == 0:
        return "0"  # also for -0.0 and values rounding to it
    if rounded.is_integer():
        return f"{int(rounded):,}"
    return f"{rounded:,.{places}f}".rstrip("0").rstrip(".")


def plural(count: float, word: str, many: str | None = None) -> str:
    """'1 answer', '3 answers', '1,200 team-weeks': a count with its noun, for pages and reports alike."""
    return f"{number_text(count)} {word if count == 1 else (many or word + 's')}"


def series(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c': a list read out in a sentence, as a client writes it."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
