"""Scores, risks, levels and readiness verdicts. Plain functions of a bank and its answers.

Rules (also in README "Scoring"):
- each answer scores 0-100: a level L scores 25*L; yes/no scores 100 for the good answer;
  a choice scores its option's score; a number scores the first band it falls in;
  "don't know" scores 0 (it is reported as a visibility gap, never hidden);
- "not applicable" and unanswered questions are left out of the foundation score;
- a foundation's score is the weight-averaged score of its counted questions;
  its level is floor(score / 20) capped at 4, and at 2 while its gate is not passed
  (failed, "don't know" or not yet answered);
- an end state is ready when every foundation it requires is at the required level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from assessment.bank.answers import AnswerStatus, AnswerValue, describe_value
from assessment.bank.model import (
    GATE_CAP_LEVEL,
    LEVEL_NAMES,
    MAX_LEVEL,
    AnswerType,
    Bank,
    ChoiceOption,
    EndState,
    Question,
)


class Risk(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    NONE = "none"
    NOT_APPLICABLE = "not_applicable"
    UNANSWERED = "unanswered"


RISK_ORDER = {Risk.HIGH: 0, Risk.MEDIUM: 1, Risk.UNANSWERED: 2, Risk.NONE: 3, Risk.NOT_APPLICABLE: 4}


class GateState(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"  # "don't know"
    UNANSWERED = "unanswered"


@dataclass(frozen=True)
class QuestionResult:
    question_key: str
    foundation: str
    score: int | None  # None: not counted (not applicable or unanswered)
    risk: Risk
    answer_text: str | None


@dataclass(frozen=True)
class FoundationResult:
    key: str
    title: str
    score: int  # 0-100, rounded
    raw_level: int
    level: int
    gate: GateState
    answered: int
    total: int
    dont_know: int

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    @property
    def gate_capped(self) -> bool:
        return self.raw_level > self.level


@dataclass(frozen=True)
class Shortfall:
    """One foundation below what an end state needs."""

    foundation: str
    title: str
    level: int
    required: int
    gate: GateState
    gate_short: str
    gate_answer: str | None

    def sentence(self) -> str:
        text = f"{self.title.lower()} is at level {self.level} (needs {self.required})"
        if self.gate is GateState.FAILED:
            text += f"; its deciding test fails ({self.gate_short.lower()}: {self.gate_answer})"
        elif self.gate is GateState.UNKNOWN:
            text += f"; nobody knows whether its deciding test passes ({self.gate_short.lower()})"
        elif self.gate is GateState.UNANSWERED:
            text += f"; its deciding test is not answered yet ({self.gate_short.lower()})"
        return text


@dataclass(frozen=True)
class Verdict:
    end_state: str
    title: str
    ready: bool
    requires: dict[str, int]
    shortfalls: list[Shortfall]
    unanswered: int

    @property
    def sentence(self) -> str:
        if self.ready:
            text = f"Ready for {self.title.lower()}: every foundation it needs is at the required level."
        else:
            missing = "; ".join(s.sentence() for s in self.shortfalls)
            text = f"Not ready for {self.title.lower()}: {missing}."
        if self.unanswered:
            text += f" {self.unanswered} question(s) it depends on are still unanswered."
        return text


@dataclass(frozen=True)
class AssessmentScore:
    questions: dict[str, QuestionResult]
    foundations: dict[str, FoundationResult]
    verdicts: list[Verdict]
    overall_score: int
    answered: int
    total: int
    risks: list[QuestionResult] = field(default_factory=list)  # high first, then medium


def answer_score(question: Question, answer: AnswerValue | None) -> int | None:
    """0-100 for an answer, or None when it does not count (unanswered, not applicable)."""
    if answer is None or answer.status is AnswerStatus.NOT_APPLICABLE:
        return None
    if answer.status is AnswerStatus.DONT_KNOW:
        return 0
    match question.type:
        case AnswerType.LEVEL:
            return int(answer.value) * 100 // MAX_LEVEL  # type: ignore[arg-type]
        case AnswerType.YES_NO:
            return 100 if bool(answer.value) == question.good_answer else 0
        case AnswerType.CHOICE:
            return next(
                o.score for o in question.options or [] if isinstance(o, ChoiceOption) and o.key == answer.value
            )
        case AnswerType.NUMBER:
            return _number_score(question, float(answer.value))  # type: ignore[arg-type]
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
    if answer is None:
        return GateState.UNANSWERED
    if answer.status is AnswerStatus.DONT_KNOW:
        return GateState.UNKNOWN
    score = answer_score(question, answer)
    return GateState.PASSED if score is not None and score >= bank.bank.gate_pass_score else GateState.FAILED


def level_for(score: float, gate: GateState) -> tuple[int, int]:
    """(raw level from the score, level after the gate cap)."""
    raw = min(MAX_LEVEL, int(score // 20))
    return raw, raw if gate is GateState.PASSED else min(raw, GATE_CAP_LEVEL)


def score_foundation(bank: Bank, key: str, answers: Mapping[str, AnswerValue]) -> FoundationResult:
    """Weighted score, level and gate state of one foundation."""
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
    score = round(weighted / total_weight) if total_weight else 0
    raw, level = level_for(score, gate)  # from the score as shown, so "80/100" always reads as level 4
    return FoundationResult(
        key=key,
        title=bank.foundation(key).title,
        score=score,
        raw_level=raw,
        level=level,
        gate=gate,
        answered=sum(1 for q in questions if q.key in answers),
        total=len(questions),
        dont_know=sum(1 for q in questions if _is_dont_know(answers.get(q.key))),
    )


def _is_dont_know(answer: AnswerValue | None) -> bool:
    return answer is not None and answer.status is AnswerStatus.DONT_KNOW


def verdict(
    bank: Bank,
    end_state: EndState,
    foundations: Mapping[str, FoundationResult],
    answers: Mapping[str, AnswerValue],
) -> Verdict:
    """Readiness for one end state, with each shortfall as data and as words."""
    shortfalls = []
    for fkey, required in end_state.requires.items():
        result = foundations[fkey]
        if result.level >= required:
            continue
        gate_q = next(q for q in bank.questions_for(fkey) if q.gate)
        gate_answer = answers.get(gate_q.key)
        shortfalls.append(
            Shortfall(
                foundation=fkey,
                title=result.title,
                level=result.level,
                required=required,
                gate=result.gate,
                gate_short=gate_q.short,
                gate_answer=describe_value(gate_q, gate_answer) if gate_answer else None,
            )
        )
    unanswered = sum(foundations[f].total - foundations[f].answered for f in end_state.requires)
    return Verdict(end_state.key, end_state.title, not shortfalls, dict(end_state.requires), shortfalls, unanswered)


def score_assessment(bank: Bank, answers: Mapping[str, AnswerValue]) -> AssessmentScore:
    """Everything the results page, the roadmap and the reports need from the answers."""
    questions = {
        q.key: QuestionResult(
            q.key,
            q.foundation,
            answer_score(q, answers.get(q.key)),
            answer_risk(q, answers.get(q.key)),
            describe_value(q, answers[q.key]) if q.key in answers else None,
        )
        for q in bank.questions
    }
    foundations = {f.key: score_foundation(bank, f.key, answers) for f in bank.foundations}
    total_weight = sum(f.weight for f in bank.foundations)
    overall = sum(foundations[f.key].score * f.weight for f in bank.foundations) / total_weight
    order = {q.key: i for i, q in enumerate(bank.questions)}
    risks = sorted(
        (r for r in questions.values() if r.risk in (Risk.HIGH, Risk.MEDIUM)),
        key=lambda r: (RISK_ORDER[r.risk], order[r.question_key]),
    )
    return AssessmentScore(
        questions=questions,
        foundations=foundations,
        verdicts=[verdict(bank, es, foundations, answers) for es in bank.end_states],
        overall_score=round(overall),
        answered=sum(1 for q in bank.questions if q.key in answers),
        total=len(bank.questions),
        risks=risks,
    )
