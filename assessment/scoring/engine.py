"""Scores, risks, levels and readiness verdicts. Plain functions of a bank and its answers.

Rules (also in README "Scoring"):
- each answer scores 0-100: a level L scores 25*L; yes/no scores 100 for the good answer;
  a choice scores its option's score; a number scores the first band it falls in;
  "don't know" scores 0 (it is reported as a visibility gap, never hidden);
- "not applicable" and unanswered questions are left out of the foundation score;
- a foundation's score is the weight-averaged score of its counted questions;
  its level is floor(score / 20) capped at 4, and at 2 while its gate is not passed
  (failed, contested, "don't know" or not yet answered);
- bank 2 decides each gate from measured answers (`gates`), and "proven" (level 4)
  also needs dated evidence that the deciding test held within the freshness window;
- context questions (how the team ships today) are never scored;
- an end state is ready when every foundation it requires is at the required level
  (`verdicts` says ready, not ready or exposed, biggest blocker first).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from assessment.bank.answers import AnswerStatus, AnswerValue, describe_value
from assessment.bank.model import (
    GATE_CAP_LEVEL,
    MAX_LEVEL,
    UNPROVEN_CAP_LEVEL,
    AnswerType,
    Bank,
    ChoiceOption,
    Question,
)
from assessment.scoring.freshness import Stale, stale
from assessment.scoring.gates import (
    Facts,
    GateState,
    check_results,
    measured_gate,
    proven_on,
)
from assessment.scoring.results import FoundationResult
from assessment.scoring.verdicts import Verdict, active_exposures, verdict


class Risk(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    NONE = "none"
    NOT_APPLICABLE = "not_applicable"
    UNANSWERED = "unanswered"


RISK_ORDER = {Risk.HIGH: 0, Risk.MEDIUM: 1, Risk.UNANSWERED: 2, Risk.NONE: 3, Risk.NOT_APPLICABLE: 4}


@dataclass(frozen=True)
class QuestionResult:
    question_key: str
    foundation: str
    score: int | None  # None: not counted (not applicable or unanswered)
    risk: Risk
    answer_text: str | None
    stale: Stale | None = None  # its evidence is older than the question allows


@dataclass(frozen=True)
class AssessmentScore:
    questions: dict[str, QuestionResult]
    foundations: dict[str, FoundationResult]
    verdicts: list[Verdict]
    overall_score: int
    answered: int
    total: int
    risks: list[QuestionResult] = field(default_factory=list)  # high first, then medium
    exposures: tuple[str, ...] = ()  # keys of the bank's exposures the context answers (or data) show


def answer_score(question: Question, answer: AnswerValue | None) -> int | None:
    """0-100 for an answer, or None when it does not count (unanswered, not applicable)."""
    if answer is None or answer.status is AnswerStatus.NOT_APPLICABLE:
        return None
    if answer.status is AnswerStatus.DONT_KNOW:
        return 0
    match question.type:
        case AnswerType.LEVEL:
            return answer.as_level() * 100 // MAX_LEVEL
        case AnswerType.YES_NO:
            return 100 if bool(answer.value) == question.good_answer else 0
        case AnswerType.CHOICE:
            return next(
                o.score or 0 for o in question.options or [] if isinstance(o, ChoiceOption) and o.key == answer.value
            )
        case AnswerType.NUMBER:
            return _number_score(question, float(answer.as_number()))
    raise ValueError(question.type)  # pragma: no cover


def _number_score(question: Question, value: float) -> int:
    spec = question.number
    assert spec is not None
    for band in spec.bands:
        if (value <= band.limit) if spec.better == "lower" else (value >= band.limit):
            return band.score
    return spec.otherwise


def answer_risk(question: Question, answer: AnswerValue | None) -> Risk:
    """The risk of one answer under the question's rule."""
    if answer is None:
        return Risk.UNANSWERED
    score = answer_score(question, answer)
    if score is None:
        return Risk.NOT_APPLICABLE
    if score < question.risk.high_below:
        return Risk.HIGH
    if score < question.risk.medium_below:
        return Risk.MEDIUM
    return Risk.NONE


def gate_state(bank: Bank, question: Question, answer: AnswerValue | None) -> GateState:
    """Bank 1: the self-rated gate question decides."""
    if answer is None:
        return GateState.UNANSWERED
    if answer.status is AnswerStatus.DONT_KNOW:
        return GateState.UNKNOWN
    score = answer_score(question, answer)
    return GateState.PASSED if score is not None and score >= bank.bank.gate_pass_score else GateState.FAILED


def level_for(score: float, gate: GateState, proven: bool = True) -> tuple[int, int]:
    """(raw level from the score, level after the gate cap and, for bank 2, the proof cap)."""
    raw = min(MAX_LEVEL, int(score // 20))
    level = raw if gate is GateState.PASSED else min(raw, GATE_CAP_LEVEL)
    return raw, level if proven else min(level, UNPROVEN_CAP_LEVEL)


def score_foundation(
    bank: Bank, key: str, answers: Mapping[str, AnswerValue], facts: Facts | None = None
) -> FoundationResult:
    """Weighted score, level and gate state of one foundation."""
    facts = facts or Facts()
    foundation = bank.foundation(key)
    questions = bank.questions_for(key)
    weighted = total_weight = 0.0
    gate = GateState.UNANSWERED
    for q in questions:
        score = answer_score(q, answers.get(q.key))
        if score is not None:
            weighted += score * q.weight
            total_weight += q.weight
        if q.gate:
            gate = gate_state(bank, q, answers.get(q.key))
    checks = check_results(bank, foundation, answers, facts.today())
    proof = proven_on(bank, foundation, answers, facts.today()) if foundation.measured else None
    contest = facts.contest_for(key) if foundation.measured and proof is None else None
    if foundation.measured:
        gate = measured_gate(checks)
        gate = GateState.CONTESTED if gate is GateState.PASSED and contest is not None else gate
    score = round(weighted / total_weight) if total_weight else 0
    # from the score as shown, so "80/100" always reads as level 4
    raw, level = level_for(score, gate, proven=not foundation.measured or proof is not None)
    return FoundationResult(
        key=key,
        title=foundation.title,
        score=score,
        raw_level=raw,
        level=level,
        gate=gate,
        answered=sum(1 for q in questions if q.key in answers),
        total=len(questions),
        dont_know=sum(1 for q in questions if _is_dont_know(answers.get(q.key))),
        checks=checks,
        contest=contest if gate is GateState.CONTESTED else None,
        proven_on=proof,
        measured=foundation.measured,
    )


def _is_dont_know(answer: AnswerValue | None) -> bool:
    return answer is not None and answer.status is AnswerStatus.DONT_KNOW


def score_assessment(bank: Bank, answers: Mapping[str, AnswerValue], facts: Facts | None = None) -> AssessmentScore:
    """Everything the results page, the roadmap and the reports need from the answers (and the data's facts)."""
    facts = facts or Facts()
    scored = bank.scored_questions()
    questions = {
        q.key: QuestionResult(
            q.key,
            q.foundation,
            answer_score(q, answers.get(q.key)),
            answer_risk(q, answers.get(q.key)),
            describe_value(q, answers[q.key]) if q.key in answers else None,
            stale(q, answers.get(q.key), facts.today()),
        )
        for q in scored
    }
    foundations = {f.key: score_foundation(bank, f.key, answers, facts) for f in bank.foundations}
    total_weight = sum(f.weight for f in bank.foundations)
    overall = sum(foundations[f.key].score * f.weight for f in bank.foundations) / total_weight
    order = {q.key: i for i, q in enumerate(bank.questions)}
    risks = sorted(
        (r for r in questions.values() if r.risk in (Risk.HIGH, Risk.MEDIUM)),
        key=lambda r: (RISK_ORDER[r.risk], order[r.question_key]),
    )
    exposures = active_exposures(bank, answers, facts)
    return AssessmentScore(
        questions=questions,
        foundations=foundations,
        verdicts=[verdict(bank, es, foundations, answers, exposures) for es in bank.end_states],
        overall_score=round(overall),
        answered=sum(1 for q in bank.questions if q.key in answers),
        total=len(bank.questions),
        risks=risks,
        exposures=tuple(e.key for e in exposures),
    )
