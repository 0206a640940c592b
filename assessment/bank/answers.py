"""Answer values: what a user may give for each question type, checked against the bank.

Answers arrive from forms, answer files and imports; they all pass through
`parse_answer`, so a bad value is refused the same way everywhere, with the
question key in the message.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from assessment.bank.model import LEVEL_NAMES, AnswerType, Bank, ChoiceOption, Question
from assessment.core.errors import InvalidAnswerError
from assessment.core.numbers import number_text

MAX_TEXT = 5000
YES_WORDS = {"yes", "y", "true"}
NO_WORDS = {"no", "n", "false"}


class AnswerStatus(StrEnum):
    ANSWERED = "answered"
    DONT_KNOW = "dont_know"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class AnswerValue:
    """A validated answer to one question, independent of storage."""

    status: AnswerStatus
    value: int | float | bool | str | None = None
    reason: str | None = None
    note: str | None = None
    evidence_url: str | None = None
    evidence_date: date | None = None

    def value_json(self) -> str | None:
        return None if self.value is None else json.dumps(self.value)

    def with_details(self, **changes: Any) -> AnswerValue:
        return replace(self, **changes)

    def as_number(self) -> int | float:
        """The value of an answered level or number question (normalise_value made it an int or a float)."""
        if not isinstance(self.value, int | float):
            raise TypeError(f"not the answer to a level or number question: {self.value!r}")
        return self.value

    def as_level(self) -> int:
        """The level (0-4) of an answered level question."""
        return int(self.as_number())


def answered(value: int | float | bool | str, **details: Any) -> AnswerValue:
    return AnswerValue(AnswerStatus.ANSWERED, value, **details)


def dont_know(**details: Any) -> AnswerValue:
    return AnswerValue(AnswerStatus.DONT_KNOW, **details)


def not_applicable(reason: str, **details: Any) -> AnswerValue:
    return AnswerValue(AnswerStatus.NOT_APPLICABLE, reason=reason, **details)


def check_answer(question: Question, answer: AnswerValue) -> AnswerValue:
    """Return the answer with its value normalised, or raise InvalidAnswerError naming the key."""
    key = question.key
    if answer.status is AnswerStatus.DONT_KNOW:
        if not question.allow_dont_know:
            raise InvalidAnswerError(f"{key}: 'don't know' is not allowed for this question")
        return replace(answer, value=None, reason=None, **_details(key, answer))
    if answer.status is AnswerStatus.NOT_APPLICABLE:
        if not question.allow_not_applicable:
            raise InvalidAnswerError(f"{key}: 'not applicable' is not allowed for this question")
        reason = _clean_text(key, "reason", answer.reason)
        if not reason:
            raise InvalidAnswerError(f"{key}: 'not applicable' needs a reason")
        return replace(answer, value=None, reason=reason, **_details(key, answer))
    value = normalise_value(question, answer.value)
    return replace(answer, value=value, reason=None, **_details(key, answer))


def _details(key: str, answer: AnswerValue) -> dict[str, Any]:
    return {
        "note": _clean_text(key, "note", answer.note),
        "evidence_url": check_evidence_url(key, answer.evidence_url),
        "evidence_date": answer.evidence_date,
    }


def _clean_text(key: str, field: str, text: str | None) -> str | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise InvalidAnswerError(f"{key}: {field} must be text")
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise InvalidAnswerError(f"{key}: {field} is longer than {MAX_TEXT} characters")
    return text or None


def check_evidence_url(key: str, url: str | None) -> str | None:
    """Only http(s) links are kept: anything else could run or fetch something when opened."""
    if url is None or not str(url).strip():
        return None
    url = str(url).strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidAnswerError(
            f"{key}: the evidence link must be a web address starting with http:// or https://, not {_quoted(url)}"
        )
    if len(url) > 2000:
        raise InvalidAnswerError(f"{key}: evidence link is longer than 2000 characters")
    return url


def _quoted(value: Any) -> str:
    """What was given, as a sentence quotes it: numbers as written, text in quotation marks (never Python's repr)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and abs(value) >= 10**15:
        return f"a number of {len(str(abs(value))):,} digits"
    if isinstance(value, float) and math.isfinite(value) and abs(value) >= 1e15:
        return f"{value:.3g}"
    if isinstance(value, (int, float)):
        return number_text(value)  # also 'infinite' and 'not a number'
    text = str(value)
    return f"\u201c{text[:80]}\u2026\u201d" if len(text) > 80 else f"\u201c{text}\u201d"


def normalise_value(question: Question, value: Any) -> int | float | bool | str:
    """Coerce a raw value to the question's type, or raise InvalidAnswerError."""
    key = question.key
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidAnswerError(f"{key}: an answer value is required")
    match question.type:
        case AnswerType.LEVEL:
            return _level(key, value)
        case AnswerType.YES_NO:
            return _yes_no(key, value)
        case AnswerType.CHOICE:
            return _choice(question, value)
        case AnswerType.NUMBER:
            return _number(question, value)
    raise InvalidAnswerError(f"{key}: unsupported question type")  # pragma: no cover


def _level(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str, float)):
        raise InvalidAnswerError(f"{key}: level must be a whole number from 0 to 4, not {_quoted(value)}")
    try:
        number = float(value)
    except (ValueError, OverflowError):  # OverflowError: an integer too large for a float
        raise InvalidAnswerError(f"{key}: level must be a whole number from 0 to 4, not {_quoted(value)}") from None
    if not number.is_integer() or not 0 <= number <= 4:
        raise InvalidAnswerError(f"{key}: level must be a whole number from 0 to 4, not {_quoted(value)}")
    return int(number)


def _yes_no(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in YES_WORDS | NO_WORDS:
        return value.strip().lower() in YES_WORDS
    raise InvalidAnswerError(f"{key}: answer must be yes or no, not {_quoted(value)}")


def _choice(question: Question, value: Any) -> str:
    keys = [o.key for o in question.options or [] if isinstance(o, ChoiceOption)]
    if not isinstance(value, str) or value not in keys:
        raise InvalidAnswerError(f"{question.key}: answer must be one of {', '.join(keys)}, not {_quoted(value)}")
    return value


def _number(question: Question, value: Any) -> int | float:
    spec, key = question.number, question.key
    assert spec is not None
    if isinstance(value, bool):
        raise InvalidAnswerError(f"{key}: answer must be a number of {spec.unit}, not {_quoted(value)}")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidAnswerError(f"{key}: answer must be a number of {spec.unit}, not {_quoted(value)}") from None
    if not math.isfinite(number):
        raise InvalidAnswerError(f"{key}: answer must be an ordinary number of {spec.unit}, not {_quoted(value)}")
    if number < spec.minimum or (spec.maximum is not None and number > spec.maximum):
        upper = f" and {number_text(spec.maximum)}" if spec.maximum is not None else ""
        raise InvalidAnswerError(
            f"{key}: answer must be between {number_text(spec.minimum)}{upper} {spec.unit}, not {_quoted(value)}"
        )
    if spec.integer:
        if not number.is_integer():
            raise InvalidAnswerError(f"{key}: answer must be a whole number of {spec.unit}, not {_quoted(value)}")
        return int(number)
    return int(number) if number.is_integer() else number


def parse_answer(question: Question, raw: Any) -> AnswerValue:
    """Read one entry of an answers file: a bare value, or a mapping with details."""
    if not isinstance(raw, dict):
        return check_answer(question, answered(raw))
    allowed = {"value", "dont_know", "not_applicable", "note", "evidence_url", "evidence_date"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise InvalidAnswerError(f"{question.key}: unknown field(s) {', '.join(map(str, unknown))}")
    details = {
        "note": raw.get("note"),
        "evidence_url": raw.get("evidence_url"),
        "evidence_date": _date(question.key, raw.get("evidence_date")),
    }
    given = [k for k in ("value", "dont_know", "not_applicable") if _given(k, raw.get(k))]
    if len(given) != 1:
        raise InvalidAnswerError(f"{question.key}: give exactly one of value, dont_know: true, not_applicable: REASON")
    if given == ["dont_know"]:
        return check_answer(question, dont_know(**details))
    if given == ["not_applicable"]:
        reason = raw["not_applicable"]
        return check_answer(question, not_applicable(reason if isinstance(reason, str) else "", **details))
    return check_answer(question, answered(raw["value"], **details))


def _given(field: str, value: Any) -> bool:
    """A value of 0, `no` or `false` is an answer; only the two flags treat false as "not given"."""
    if field == "value":
        return value is not None
    return value is not None and value is not False


def _date(key: str, value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidAnswerError(f"{key}: evidence_date must be a date like 2026-01-31, not {_quoted(value)}") from None


def parse_answer_mapping(bank: Bank, mapping: Any) -> dict[str, AnswerValue]:
    """Validate a whole answers file; every problem is reported, nothing is partially accepted."""
    if not isinstance(mapping, dict):
        raise InvalidAnswerError("answers must be a mapping of question key to answer")
    questions = bank.questions_by_key()
    result: dict[str, AnswerValue] = {}
    problems: list[str] = []
    for key, raw in mapping.items():
        if key not in questions:
            problems.append(f"{key}: unknown question key for bank {bank.id} {bank.version}")
            continue
        try:
            result[key] = parse_answer(questions[key], raw)
        except InvalidAnswerError as exc:
            problems.append(str(exc))
    if problems:
        raise InvalidAnswerError("; ".join(problems))
    return result


def answer_to_data(answer: AnswerValue) -> dict[str, Any]:
    """The answers-file form of an answer (the inverse of `parse_answer`)."""
    data: dict[str, Any] = {}
    if answer.status is AnswerStatus.ANSWERED:
        data["value"] = answer.value
    elif answer.status is AnswerStatus.DONT_KNOW:
        data["dont_know"] = True
    else:
        data["not_applicable"] = answer.reason
    for field in ("note", "evidence_url"):
        if getattr(answer, field):
            data[field] = getattr(answer, field)
    if answer.evidence_date:
        data["evidence_date"] = answer.evidence_date.isoformat()
    return data


def describe_value(question: Question, answer: AnswerValue) -> str:
    """Human wording of an answer, for findings, verdicts and reports."""
    if answer.status is AnswerStatus.DONT_KNOW:
        return "don't know"
    if answer.status is AnswerStatus.NOT_APPLICABLE:
        return f"not applicable ({answer.reason})"
    if question.type is AnswerType.YES_NO:
        return "yes" if answer.value else "no"
    if question.type is AnswerType.NUMBER and question.number:
        return f"{number_text(answer.as_number())} {question.number.unit}"
    if question.type is AnswerType.LEVEL:
        return f"level {answer.value} ({LEVEL_NAMES[answer.as_level()]})"
    option = next((o for o in question.options or [] if getattr(o, "key", None) == answer.value), None)
    return option.text if option else str(answer.value)
