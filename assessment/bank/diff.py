"""Two banks (or two versions of one) side by side: questions added, removed and changed, thresholds changed.

A consultant who adapts a bank for a client, and the owner who publishes it, need
to see what the adaptation means before a round is started on it: which questions
a team will meet that it did not before, which it will no longer be asked, and
which measured thresholds of the deciding tests moved.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessment.bank.model import Bank, Condition, Question

# What a changed question changed, in words; fields not named here are shown by their own name.
QUESTION_PARTS: dict[str, str] = {
    "foundation": "foundation",
    "short": "short name",
    "text": "wording",
    "help": "help",
    "type": "answer type",
    "weight": "weight",
    "gate": "deciding-test flag",
    "options": "options",
    "good_answer": "good answer",
    "number": "unit, range or score bands",
    "allow_dont_know": "'don't know' allowed",
    "allow_not_applicable": "'not applicable' allowed",
    "risk": "risk rule",
    "triggers": "investments it triggers",
    "fresh_days": "evidence freshness",
}


@dataclass(frozen=True)
class QuestionRef:
    """A question named as a reader finds it."""

    key: str
    short: str


@dataclass(frozen=True)
class QuestionChange:
    """One question both banks ask, and the parts of it that differ."""

    key: str
    short: str
    parts: tuple[str, ...]
    same_meaning: bool  # False: an answer from a round on the first bank is not carried to the second


@dataclass(frozen=True)
class ThresholdChange:
    """One threshold that moved: a measured check of a deciding test, or a bank-wide setting."""

    where: str  # "Rollback · Rollback time" or "bank"
    before: str | None  # None: no such threshold in the first bank
    after: str | None  # None: none in the second


@dataclass(frozen=True)
class BankDiff:
    """Everything that differs between two banks, in the order a reader weighs it."""

    before: str  # "foundations 2.0.0"
    after: str
    added: tuple[QuestionRef, ...]
    removed: tuple[QuestionRef, ...]
    changed: tuple[QuestionChange, ...]
    thresholds: tuple[ThresholdChange, ...]

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed or self.thresholds)


def diff_banks(before: Bank, after: Bank) -> BankDiff:
    """What a round on `after` asks and decides differently from a round on `before`."""
    old, new = before.questions_by_key(), after.questions_by_key()
    return BankDiff(
        before=f"{before.id} {before.version}",
        after=f"{after.id} {after.version}",
        added=tuple(QuestionRef(q.key, q.short) for q in after.questions if q.key not in old),
        removed=tuple(QuestionRef(q.key, q.short) for q in before.questions if q.key not in new),
        changed=tuple(c for q in after.questions if q.key in old and (c := _changed(old[q.key], q)) is not None),
        thresholds=_bank_settings(before, after) + _gate_checks(before, after),
    )


def _changed(before: Question, after: Question) -> QuestionChange | None:
    parts = tuple(
        QUESTION_PARTS.get(name, name)
        for name in Question.model_fields
        if name != "key" and getattr(before, name) != getattr(after, name)
    )
    if not parts:
        return None
    return QuestionChange(after.key, after.short, parts, before.meaning() == after.meaning())


def condition_text(condition: Condition) -> str:
    """'at most 60', 'one of daily, weekly', 'equals yes': a check's comparison in words."""
    if condition.at_most is not None:
        return f"at most {condition.at_most:g}"
    if condition.at_least is not None:
        return f"at least {condition.at_least:g}"
    if condition.below is not None:
        return f"below the answer to {condition.below}"
    if condition.one_of is not None:
        return "one of " + ", ".join(condition.one_of)
    return f"equals {'yes' if condition.equals else 'no'}"


def _gate_checks(before: Bank, after: Bank) -> tuple[ThresholdChange, ...]:
    """Each deciding test's measured checks, matched by foundation, question and kind of comparison."""
    old, new = _checks(before), _checks(after)
    return tuple(
        ThresholdChange(where, old.get(key), new.get(key))
        for key, where in {**_places(before), **_places(after)}.items()
        if old.get(key) != new.get(key)
    )


def _check_key(foundation: str, check: Condition) -> tuple[str, str, str]:
    """A check is one comparison on one question (a question may have two: 'at most 5' and 'below another')."""
    return (foundation, check.question, ",".join(check.comparisons()))


def _checks(bank: Bank) -> dict[tuple[str, str, str], str]:
    return {_check_key(f.key, c): condition_text(c) for f in bank.foundations for c in f.gate}


def _places(bank: Bank) -> dict[tuple[str, str, str], str]:
    shorts = {q.key: q.short for q in bank.questions}
    return {
        _check_key(f.key, c): f"{f.title} · {shorts.get(c.question, c.question)}"
        for f in bank.foundations
        for c in f.gate
    }


def _bank_settings(before: Bank, after: Bank) -> tuple[ThresholdChange, ...]:
    """The bank-wide thresholds: the score that passes a self-rated deciding test, the default proof window."""
    settings = {"gate_pass_score": "score that passes a deciding test", "proof_days": "days evidence proves level 4"}
    return tuple(
        ThresholdChange(f"bank: {words}", str(getattr(before.bank, name)), str(getattr(after.bank, name)))
        for name, words in settings.items()
        if getattr(before.bank, name) != getattr(after.bank, name)
    )
