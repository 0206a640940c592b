"""CSV cells a spreadsheet opens safely: every CSV the product writes goes through `safe_cell` or `csv_text`.

A text cell that starts with `=`, `+`, `-`, `@`, a tab, a carriage return or a line
feed could run as a formula when the file is opened in a spreadsheet (`=HYPERLINK(...)`,
`+cmd|...`, `@SUM(...)`), so it gets a leading `'` and stays text. Numbers are
written as numbers (a number -5 stays -5); only text is ever neutralised.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
Cell = str | int | float


def safe_cell(value: Any) -> Cell:
    """A value as a spreadsheet cell: numbers stay numbers, text that could be a formula is neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole CSV file (CRLF line ends, as spreadsheets write them) with every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue()
