"""Escaping for Markdown: what people typed and what the domain says is shown as written, never as markup."""

from __future__ import annotations

import pytest

from ui.text import plain, question_sentence, sentence


@pytest.mark.parametrize(
    "text",
    [
        "**bold**",
        "[x](javascript:alert(1))",
        "<b>hi</b>",
        ":material/home:",
        "$x$",
        "a_b_c",
        "1. list",
        "# head",
    ],
)
def test_plain_escapes_every_markdown_character(text: str) -> None:
    escaped = plain(text)
    assert escaped.replace("\\", "") == text
    for ch in "*[]()<>$_#:":
        assert escaped.count(ch) == escaped.count("\\" + ch)


def test_a_domain_message_reads_as_a_sentence_and_stays_plain() -> None:
    assert sentence("a team is named twice: *Payments*") == "A team is named twice\\: \\*Payments\\*\\."
    assert sentence("Already a sentence.") == "Already a sentence\\."


def test_a_message_about_one_answer_loses_its_question_key() -> None:
    said = question_sentence("rb_rollback_path: a note is at most 2000 characters", "rb_rollback_path")
    assert said == sentence("a note is at most 2000 characters")
    assert question_sentence("other_key: kept", "rb_rollback_path") == sentence("other_key: kept")
