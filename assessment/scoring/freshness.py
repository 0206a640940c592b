"""Evidence that ages: an answer whose evidence is older than its question allows is stale.

A rollback timed two years ago says little about today's rollback. A question may
set `fresh_days` (the shipped bank: 90 for drills and kill tests, 180 for runbook
reviews); an answer to it whose evidence date is older than that, counted back
from the day of the judgement, is stale. A stale answer keeps its points (older
evidence never raises a score) but cannot support a passed deciding test (its
check counts as unknown: the first step is to find out again) nor level 4. An
answer without an evidence date is judged as given: the date is what ages.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from assessment.bank.answers import AnswerStatus, AnswerValue
from assessment.bank.model import Bank, Question


@dataclass(frozen=True)
class Stale:
    """One answer whose evidence is older than its question allows, in words a client can check."""

    question: str
    evidence_date: date
    fresh_days: int
    age_days: int

    @property
    def phrase(self) -> str:
        """ "evidence dated 2 March 2026, 280 days old; it stays current 90 days" """
        return (
            f"evidence dated {self.evidence_date:%-d %B %Y}, {self.age_days} days old; "
            f"it stays current {self.fresh_days} days"
        )


def stale(question: Question, answer: AnswerValue | None, today: date) -> Stale | None:
    """Whether this answer's evidence is older than its question allows (None: current, undated or unanswered)."""
    if question.fresh_days is None or answer is None or answer.status is not AnswerStatus.ANSWERED:
        return None
    if answer.evidence_date is None:
        return None
    age = (today - answer.evidence_date).days
    return Stale(question.key, answer.evidence_date, question.fresh_days, age) if age > question.fresh_days else None


def stale_answers(bank: Bank, answers: Mapping[str, AnswerValue], today: date) -> dict[str, Stale]:
    """Every stale answer of a round, by question key."""
    found = {q.key: stale(q, answers.get(q.key), today) for q in bank.questions}
    return {key: s for key, s in found.items() if s is not None}
