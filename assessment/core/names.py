"""Names people type, checked once for every way in: the app, the command line and `foundations import`.

Organisation, team, workshop, participant, author, round label and mapping names, and the
report's branding lines, end up in tables, selectors, PDF covers and running heads. A control
character (a NUL byte, an escape) or a bidirectional override (U+202E makes "Confidential"
read "laitnedifnoC") hides what the name says, so such a name is refused where it is written,
naming the field and the character; the pages also drop them from what they show (ui/text.py).
The same length limit applies on write and on import, so an export always imports again.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StrictStr

from assessment.core.errors import FoundationsError

MAX_NAME = 200
"""The column length of every name and author field (organisation, team, label, created_by, ...)."""
REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 control characters (tab and newline too: a name is one line) and the bidirectional marks,
embeddings, overrides and isolates."""


def name_problem(text: str, limit: int = MAX_NAME) -> str | None:
    """What is wrong with a name as given (a refused character, or its length), or None."""
    found = REFUSED.search(text)
    if found:
        char = found.group()
        what = unicodedata.name(char, "a control character")
        return f"holds U+{ord(char):04X} ({what}): a name may not hold control characters or bidi overrides"
    if len(text) > limit:
        return f"is longer than {limit} characters"
    return None


def checked_name(field: str, text: str | None, *, limit: int = MAX_NAME, required: bool = True) -> str:
    """`text` trimmed, or a FoundationsError that names `field` (e.g. "team name") and the problem.

    Empty is refused when `required`, and returned as "" otherwise.
    """
    text = (text or "").strip()
    if not text and required:
        raise FoundationsError(f"{field} must not be empty")
    problem = name_problem(text, limit)
    if problem:
        raise FoundationsError(f"{field} {problem}")
    return text


def checked_author(by: str | None) -> str:
    """Who wrote something (an address, the local user's name, or a name typed for a workshop): may be empty."""
    return checked_name("author", by, required=False)


def valid_name(limit: int = MAX_NAME) -> AfterValidator:
    """The pydantic check of a name field in an imported document: the same as `checked_name`'s."""

    def check(text: str) -> str:
        problem = name_problem(text, limit)
        if problem:
            raise ValueError(problem)  # pydantic names the field's JSON path
        return text

    return AfterValidator(check)


ImportedName = Annotated[StrictStr, valid_name(MAX_NAME)]
"""A name, author or label read from an imported file (empty allowed; required names say min_length)."""
