"""Text that people typed or the domain wrote, made safe to show through Markdown.

Every Streamlit element that takes a body or a label renders Markdown, so a team
called `*Payments*` or a note with `[a](b)` would turn into markup, and
`![x](http://host/x)` would make every browser showing it fetch that address.
Nothing a person or the domain wrote is ever markup: pages pass it through `plain`,
and domain messages through `sentence`; `tests/core/test_markdown_calls.py` reads
every Streamlit call in `ui/` and fails on text that skips them. No streamlit here,
so the escaping is tested on its own.

Escaping characters is not enough for addresses: Streamlit's Markdown turns bare
`http://...` and `www.` text into live links after parsing, whatever was escaped.
A word joiner (U+2060, invisible, never a line break) inside each keeps them text.
(E-mail addresses become `mailto:` links, which fetch nothing; they stay as they
are.) Control characters and bidirectional overrides (which make "Confidential"
read "laitnedifnoC") are dropped from what is shown.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|~<>$:"
WORD_JOINER = "\u2060"
UNSHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
"""C0/C1 controls (tab and newline stay) and the bidirectional marks, embeddings, overrides and isolates."""
_LINK_STARTS = re.compile(r"(?i)(https?|ftp|mailto)(?=:)|(?<![\w.])(www)(?=\.)")


def shown(text: str) -> str:
    """The text without control characters and bidirectional overrides: what every surface shows of a name."""
    return UNSHOWN.sub("", text)


def unlinked(text: str) -> str:
    """The text with a word joiner after each `http`, `https` or `www` that would start a link: what a browser shows."""
    return _LINK_STARTS.sub(lambda m: m.group(0) + WORD_JOINER, text)


@lru_cache(maxsize=8192)
def plain(text: str) -> str:
    """Text shown through Markdown exactly as written (names and notes are never markup, addresses never links)."""
    return "".join(f"\\{ch}" if ch in MARKDOWN_SPECIALS else ch for ch in unlinked(shown(text)))


def sentence(text: str) -> str:
    """A domain message ('a team is named twice: x') as a sentence a person reads, for st.error and the like.

    Escaped like `plain`: messages quote what people typed, and every place that
    shows them renders Markdown.
    """
    return plain(text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))


def question_sentence(message: str, question_key: str) -> str:
    """A domain message about one answer ('rb_rollback: a note is at most ...') as a sentence, without the key.

    The domain names the question by key for logs and the command line; beside the
    question on a page the key says nothing.
    """
    return sentence(message.removeprefix(f"{question_key}: "))


def text_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` for `st.table`, which renders every cell, header and index label as Markdown."""
    escaped = frame.map(lambda v: plain(v) if isinstance(v, str) else v)
    escaped.columns = [plain(c) if isinstance(c, str) else c for c in escaped.columns]
    escaped.index = escaped.index.map(lambda v: plain(v) if isinstance(v, str) else v)
    if escaped.index.name:
        escaped.index.name = plain(str(escaped.index.name))
    return escaped
