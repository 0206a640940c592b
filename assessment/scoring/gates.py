"""Deciding tests: measured answers against the bank's thresholds, and the evidence that makes "proven".

A bank-2 foundation states its deciding test as measured checks (`GateCheck`): the
last rollback in minutes, the share of services with an owner. The gate passes only
when every check is answered and met; one answer beyond its threshold fails it,
whatever the self-ratings say. "Don't know" on an input makes the gate unknown: not
passed, but a different finding from failed (the first step is to find out). A
contradiction from delivery data makes a passing gate contested until the team shows
dated evidence. Bank-1 foundations keep their single self-rated gate question.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from assessment.bank.answers import AnswerStatus, AnswerValue, describe_value
from assessment.bank.model import Bank, Condition, Foundation, GateCheck, Question
from assessment.scoring.freshness import Stale, stale


class GateState(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    CONTESTED = "contested"  # the answers pass, the delivery data says otherwise
    UNKNOWN = "unknown"  # "don't know" on an input
    UNANSWERED = "unanswered"


class CheckState(StrEnum):
    MET = "met"
    FAILED = "failed"
    UNKNOWN = "unknown"
    UNANSWERED = "unanswered"


@dataclass(frozen=True)
class CheckResult:
    """One measured check of a deciding test, in words a client can verify."""

    question: str
    short: str
    state: CheckState
    answer: str | None  # the answer in words, None when unanswered
    needs: str
    source: str
    stale: Stale | None = None  # the answer would meet the check, but its evidence is too old to say it still does

    @property
    def sentence(self) -> str:
        given = self.answer.rstrip(".") if self.answer is not None else "not answered"
        aged = f", stale: {self.stale.phrase}" if self.stale else ""
        return f"{self.short}: {given}{aged} (needs {self.needs})"


@dataclass(frozen=True)
class Contest:
    """A contradiction between a claim behind a deciding test and the team's delivery data."""

    foundation: str
    claim: str
    figure: str


@dataclass(frozen=True)
class Facts:
    """What scoring needs besides the answers: contradictions, today's date, and observed delivery pace."""

    contests: tuple[Contest, ...] = ()
    as_of: date | None = None
    deploys_per_week: float | None = None  # from imported or typed DORA figures, when there are any
    deploys_source: str = ""

    def today(self) -> date:
        return self.as_of or date.today()

    def contest_for(self, foundation: str) -> Contest | None:
        return next((c for c in self.contests if c.foundation == foundation), None)


def condition_state(
    cond: Condition, questions: Mapping[str, Question], answers: Mapping[str, AnswerValue]
) -> CheckState:
    """Whether one answer meets its condition; a missing comparison answer makes it unanswered or unknown."""
    answer = answers.get(cond.question)
    if answer is None:
        return CheckState.UNANSWERED
    if answer.status is AnswerStatus.DONT_KNOW:
        return CheckState.UNKNOWN
    if answer.status is AnswerStatus.NOT_APPLICABLE:
        return CheckState.MET  # the bank allowed it, with a reason on record
    value = answer.value
    if cond.one_of is not None:
        return CheckState.MET if value in cond.one_of else CheckState.FAILED
    if cond.equals is not None:
        return CheckState.MET if bool(value) is cond.equals else CheckState.FAILED
    number = float(answer.as_number())  # the loader checked the question type
    if cond.below is not None:
        other = answers.get(cond.below)
        if other is None:
            return CheckState.UNANSWERED
        if other.status is not AnswerStatus.ANSWERED:
            return CheckState.UNKNOWN
        return CheckState.MET if number < float(other.as_number()) else CheckState.FAILED
    if cond.at_most is not None and number > cond.at_most:
        return CheckState.FAILED
    if cond.at_least is not None and number < cond.at_least:
        return CheckState.FAILED
    return CheckState.MET


def check_results(
    bank: Bank, foundation: Foundation, answers: Mapping[str, AnswerValue], today: date | None = None
) -> tuple[CheckResult, ...]:
    """Each measured check of the deciding test; with `today`, a met check on stale evidence is unknown."""
    questions = bank.questions_by_key()
    return tuple(_check_result(check, questions, answers, today) for check in foundation.gate)


def _check_result(
    check: GateCheck, questions: Mapping[str, Question], answers: Mapping[str, AnswerValue], today: date | None
) -> CheckResult:
    q = questions[check.question]
    answer = answers.get(check.question)
    state = condition_state(check, questions, answers)
    aged = stale(q, answer, today) if today is not None and state is CheckState.MET else None
    return CheckResult(
        question=q.key,
        short=q.short,
        state=CheckState.UNKNOWN if aged else state,  # it held once; whether it still does is to find out
        answer=describe_value(q, answer) if answer is not None else None,
        needs=check.needs,
        source=check.source,
        stale=aged,
    )


def describe_checks(checks: Sequence[CheckResult]) -> tuple[str, ...]:
    """One phrase per question: "Rollback time: 45 minutes (needs 5 minutes or less, and faster than a deployment)"."""
    by_question: dict[str, list[CheckResult]] = {}
    for c in checks:
        by_question.setdefault(c.question, []).append(c)
    phrases = []
    for group in by_question.values():
        first = group[0]
        given = first.answer.rstrip(".") if first.answer is not None else "not answered"
        aged = next((f", stale: {c.stale.phrase}" for c in group if c.stale), "")
        phrases.append(f"{first.short}: {given}{aged} (needs {', and '.join(c.needs for c in group)})")
    return tuple(phrases)


def measured_gate(checks: tuple[CheckResult, ...]) -> GateState:
    """Failed beats unknown beats unanswered: one answer beyond its threshold decides."""
    states = {c.state for c in checks}
    if CheckState.FAILED in states:
        return GateState.FAILED
    if CheckState.UNKNOWN in states:
        return GateState.UNKNOWN
    if CheckState.UNANSWERED in states:
        return GateState.UNANSWERED
    return GateState.PASSED


def proven_on(bank: Bank, foundation: Foundation, answers: Mapping[str, AnswerValue], today: date) -> date | None:
    """The newest evidence date on a proof answer within its freshness window, else None.

    The window is the proof question's own `fresh_days`, else the foundation's `proof_days`, else the bank's.
    """
    questions = bank.questions_by_key()
    fresh = []
    for key in foundation.proof:
        a = answers.get(key)
        if a is None or a.status is not AnswerStatus.ANSWERED or a.evidence_date is None:
            continue
        days = questions[key].fresh_days or foundation.proof_days or bank.bank.proof_days
        if today - timedelta(days=days) <= a.evidence_date <= today + timedelta(days=1):
            fresh.append(a.evidence_date)
    return max(fresh) if fresh else None
