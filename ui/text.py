"""Text that people typed or the domain wrote, made safe to show through Markdown.

Every Streamlit element that takes a body or a label renders Markdown, so a team
called `*Payments*` or a note with `[a](b)` would turn into markup. Nothing a person
or the domain wrote is ever markup: pages pass it through `plain`, and domain
messages through `sentence`. No streamlit here, so the escaping is tested on its own.
"""

from __future__ import annotations

from functools import lru_cache

MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|~<>$:"


@lru_cache(maxsize=8192)
def plain(text: str) -> str:
    """Text shown through Markdown exactly as written (names and notes are never markup)."""
    return "".join(f"\\{ch}" if ch in MARKDOWN_SPECIALS else ch for ch in text)


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
