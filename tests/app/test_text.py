"""Escaping for Markdown: what people typed and what the domain says is shown as written, never as markup."""

from __future__ import annotations

import pandas as pd
import pytest

from ui.text import WORD_JOINER, plain, question_sentence, sentence, shown, text_table


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
    assert escaped.replace("\\", "").replace(WORD_JOINER, "") == text
    for ch in "*[]()<>$_#:":
        assert escaped.count(ch) == escaped.count("\\" + ch)


def test_a_domain_message_reads_as_a_sentence_and_stays_plain() -> None:
    assert sentence("a team is named twice: *Payments*") == "A team is named twice\\: \\*Payments\\*\\."
    assert sentence("Already a sentence.") == "Already a sentence\\."


def test_a_message_about_one_answer_loses_its_question_key() -> None:
    said = question_sentence("rb_rollback_path: a note is at most 2000 characters", "rb_rollback_path")
    assert said == sentence("a note is at most 2000 characters")
    assert question_sentence("other_key: kept", "rb_rollback_path") == sentence("other_key: kept")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("see http://host.example/x.png", ["http"]),
        ("HTTPS://host.example", ["HTTPS"]),
        ("go to www.host.example now", ["www"]),
        ("![x](http://127.0.0.1:9/x) and www.a.b", ["http", "www"]),
    ],
)
def test_a_bare_address_stays_text(text: str, words: list[str]) -> None:
    """Streamlit links bare addresses after parsing, escapes or not: a word joiner right after the scheme stops it."""
    escaped = plain(text)
    for word in words:
        assert f"{word}{WORD_JOINER}" in escaped
    assert "http:" not in escaped.lower().replace("\\", "")
    assert plain("an e-mail: ana@northwind.example") == "an e\\-mail\\: ana@northwind\\.example"


def test_control_characters_and_bidirectional_overrides_are_not_shown() -> None:
    assert shown("Confi\u202edential\x00 \u2066x\u2069\u200f") == "Confidential x"
    assert plain("Team\u202e A\nnext line") == "Team A\nnext line"  # a newline in a note stays


def test_a_table_for_st_table_escapes_cells_headers_and_index() -> None:
    frame = pd.DataFrame({"*Name*": ["![x](http://h/x)", "plain"], "Count": [1, 2]}).set_index("*Name*")
    table = text_table(frame)
    assert list(table.index) == [plain("![x](http://h/x)"), "plain"]
    assert table.index.name == "\\*Name\\*"
    assert list(table["Count"]) == [1, 2]
