"""Numbers in text read as people write them: separators, a few decimals, never scientific notation."""

from __future__ import annotations

from datetime import date

import pytest

from assessment.bank.answers import answered, check_answer, describe_value
from assessment.bank.model import Bank
from assessment.core.errors import InvalidAnswerError
from assessment.core.numbers import number_text, plural, series
from assessment.dora.metrics.window import window_for_dates


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1e6, "1,000,000"),
        (1_000_000, "1,000,000"),
        (12.5, "12.5"),
        (3.0, "3"),
        (0, "0"),
        (-0.0, "0"),
        (-2.5, "-2.5"),
        (1234.5678, "1,234.57"),
        (99.999, "100"),
        (0.5, "0.5"),
        (0.000123, "0.00012"),  # too small for two places: two significant digits, not "0"
        (1e20, "100,000,000,000,000,000,000"),
        (12_345_678_901_234_567_891, "12,345,678,901,234,567,891"),  # an int stays exact
        (float("nan"), "not a number"),
        (float("inf"), "infinite"),
    ],
)
def test_number_text(value: float, text: str) -> None:
    assert number_text(value) == text
    assert "e+" not in number_text(value)
    assert "e-" not in number_text(value)


def test_decimals_can_be_asked_for() -> None:
    assert number_text(2 / 3, decimals=1) == "0.7"
    assert number_text(2 / 3, decimals=4) == "0.6667"


def test_a_large_answer_reads_without_scientific_notation(bank: Bank) -> None:
    question = bank.question("rb_last_rollback_minutes")
    assert describe_value(question, check_answer(question, answered(1_000_000))) == "1,000,000 minutes"
    share = bank.question("oc_owned_services_share")
    assert describe_value(share, check_answer(share, answered(12.5))) == "12.5 % of services"
    with pytest.raises(InvalidAnswerError, match=r"between 0 and 100 % of services"):
        check_answer(share, answered(250))


def test_a_long_dora_window_counts_its_days_plainly() -> None:
    window = window_for_dates(date(2000, 1, 1), date(2999, 12, 31), latest_s=None)
    assert "(365,243 days, UTC)" in window.describe()


def test_plural_counts_with_the_same_number_text() -> None:
    assert plural(1, "answer") == "1 answer"
    assert plural(3, "answer") == "3 answers"
    assert plural(1200, "team-week") == "1,200 team-weeks"
    assert plural(2.5, "team-week") == "2.5 team-weeks"
    assert plural(0, "person", "people") == "0 people"


@pytest.mark.parametrize(
    ("items", "text"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_a_series_reads_as_a_sentence(items: list[str], text: str) -> None:
    assert series(items) == text
