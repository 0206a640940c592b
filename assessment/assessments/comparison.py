"""Compare two rounds of one team: what moved, which answers changed, which risks are new or gone.

The two rounds may use different versions of the bank. A question only the newer
version asks is reported as "question added", one it no longer asks as "question
removed"; a risk on a removed question is listed as resolved with that reason,
so nothing silently disappears from the comparison.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from assessment.assessments.lookup import get_assessment
from assessment.assessments.repository import AssessmentData, load_assessment
from assessment.assessments.rounds import COMPLETED, previous_completed_round, same_team
from assessment.bank.answers import AnswerValue, describe_value
from assessment.bank.model import LEVEL_NAMES, Bank, Question
from assessment.roadmap.plan import build_roadmap
from assessment.scoring.engine import AssessmentScore, Risk, score_assessment

WEAK = (Risk.HIGH, Risk.MEDIUM)


@dataclass(frozen=True)
class RoundRef:
    id: int
    round_number: int
    label: str | None
    created_at: datetime
    bank: str  # "foundations 1.0"
    overall_score: int


@dataclass(frozen=True)
class FoundationChange:
    key: str
    title: str
    before_score: int | None  # None: the foundation is not in that round's bank
    after_score: int | None
    before_level: int | None
    after_level: int | None

    @property
    def delta(self) -> int | None:
        if self.before_score is None or self.after_score is None:
            return None
        return self.after_score - self.before_score

    @property
    def level_delta(self) -> int | None:
        if self.before_level is None or self.after_level is None:
            return None
        return self.after_level - self.before_level


@dataclass(frozen=True)
class AnswerChange:
    question_key: str
    short: str
    foundation: str
    kind: str  # changed | newly answered | no longer answered | question added | question removed
    before: str | None
    after: str | None


@dataclass(frozen=True)
class RiskChange:
    question_key: str
    short: str
    foundation: str
    risk: str  # high or medium: the risk after (new risks) or before (resolved risks)
    answer: str | None
    why: str


@dataclass(frozen=True)
class ReadinessChange:
    end_state: str
    title: str
    before: bool | None  # None: the end state is not in that round's bank
    after: bool | None


@dataclass(frozen=True)
class ItemRef:
    key: str
    title: str
    foundation: str


@dataclass(frozen=True)
class RoundComparison:
    organisation: str
    team: str
    before: RoundRef
    after: RoundRef
    foundations: tuple[FoundationChange, ...]
    answers: tuple[AnswerChange, ...]
    new_risks: tuple[RiskChange, ...]
    resolved_risks: tuple[RiskChange, ...]
    readiness: tuple[ReadinessChange, ...]
    completed_items: tuple[ItemRef, ...]  # on the earlier roadmap, no longer needed by the later answers
    new_items: tuple[ItemRef, ...]
    questions_added: tuple[str, ...]
    questions_removed: tuple[str, ...]

    @property
    def bank_changed(self) -> bool:
        return self.before.bank != self.after.bank


def compare_rounds(session: Session, *, first_id: int, second_id: int) -> RoundComparison:
    """Compare two rounds of one team, the earlier round first whatever order the ids come in."""
    first, second = (get_assessment(session, assessment_id=i) for i in (first_id, second_id))
    same_team(first, second)
    if first.round_number > second.round_number:
        first_id, second_id = second_id, first_id
    return compare(load_assessment(session, assessment_id=first_id), load_assessment(session, assessment_id=second_id))


def since_last_round(session: Session, *, assessment_id: int) -> RoundComparison | None:
    """This round against the team's completed round before it; None for a first round, and None while this
    round is in progress (half-answered, it would read as a fall: "down 39, 23 risks resolved")."""
    if get_assessment(session, assessment_id=assessment_id).status != COMPLETED:
        return None
    previous = previous_completed_round(session, assessment_id=assessment_id)
    if previous is None:
        return None
    return compare_rounds(session, first_id=previous.id or 0, second_id=assessment_id)


def compare(before: AssessmentData, after: AssessmentData) -> RoundComparison:
    """The comparison of two loaded rounds (pure: no database)."""
    score_a, score_b = (
        score_assessment(before.bank, before.answers),
        score_assessment(after.bank, after.answers),
    )
    keys_a, keys_b = before.bank.questions_by_key(), after.bank.questions_by_key()
    new_risks, resolved = _risk_changes(before, after, score_a, score_b)
    completed, added = _roadmap_changes(before, after, score_a, score_b)
    return RoundComparison(
        organisation=after.organisation,
        team=after.team,
        before=_ref(before, score_a),
        after=_ref(after, score_b),
        foundations=_foundation_changes(before.bank, after.bank, score_a, score_b),
        answers=tuple(_answer_changes(before, after)),
        new_risks=new_risks,
        resolved_risks=resolved,
        readiness=_readiness_changes(before.bank, after.bank, score_a, score_b),
        completed_items=completed,
        new_items=added,
        questions_added=tuple(k for k in keys_b if k not in keys_a),
        questions_removed=tuple(k for k in keys_a if k not in keys_b),
    )


def _ref(data: AssessmentData, score: AssessmentScore) -> RoundRef:
    return RoundRef(
        data.id,
        data.round_number,
        data.label,
        data.created_at,
        f"{data.bank.id} {data.bank.version}",
        score.overall_score,
    )


def _in_order(first: list[str], second: list[str]) -> list[str]:
    """Keys of the later bank in its order, then those only the earlier bank has."""
    return second + [k for k in first if k not in second]


def _foundation_changes(
    bank_a: Bank, bank_b: Bank, a: AssessmentScore, b: AssessmentScore
) -> tuple[FoundationChange, ...]:
    keys = _in_order([f.key for f in bank_a.foundations], [f.key for f in bank_b.foundations])
    changes = []
    for key in keys:
        fa, fb = a.foundations.get(key), b.foundations.get(key)
        either = fb or fa
        assert either is not None  # the key is a foundation of one of the two banks
        title = either.title
        changes.append(
            FoundationChange(
                key,
                title,
                fa.score if fa else None,
                fb.score if fb else None,
                fa.level if fa else None,
                fb.level if fb else None,
            )
        )
    return tuple(changes)


def _describe(question: Question | None, answer: AnswerValue | None) -> str | None:
    return describe_value(question, answer) if question is not None and answer is not None else None


def _answer_changes(before: AssessmentData, after: AssessmentData) -> list[AnswerChange]:
    qa, qb = before.bank.questions_by_key(), after.bank.questions_by_key()
    changes = []
    for key in _in_order(list(qa), list(qb)):
        old, new = before.answers.get(key), after.answers.get(key)
        kind = _change_kind(key in qa, key in qb, old, new)
        if kind is None:
            continue
        question = qb.get(key) or qa[key]
        changes.append(
            AnswerChange(
                key,
                question.short,
                question.foundation,
                kind,
                _describe(qa.get(key), old),
                _describe(qb.get(key), new),
            )
        )
    return changes


def _change_kind(in_a: bool, in_b: bool, old: AnswerValue | None, new: AnswerValue | None) -> str | None:
    if not in_a:
        return "question added" if new is not None else None
    if not in_b:
        return "question removed" if old is not None else None
    if old is None and new is None:
        return None
    if old is None:
        return "newly answered"
    if new is None:
        return "no longer answered"
    same = (old.status, old.value, old.reason) == (new.status, new.value, new.reason)
    return None if same else "changed"


def _risk_changes(
    before: AssessmentData, after: AssessmentData, a: AssessmentScore, b: AssessmentScore
) -> tuple[tuple[RiskChange, ...], tuple[RiskChange, ...]]:
    qa, qb = before.bank.questions_by_key(), after.bank.questions_by_key()
    new: list[RiskChange] = []
    resolved: list[RiskChange] = []
    for key in _in_order(list(qa), list(qb)):
        ra, rb = a.questions.get(key), b.questions.get(key)
        weak_a, weak_b = ra is not None and ra.risk in WEAK, rb is not None and rb.risk in WEAK
        if weak_b and not weak_a and rb is not None:
            why = "question new in this bank version" if ra is None else _new_risk_reason(ra.risk)
            new.append(RiskChange(key, qb[key].short, rb.foundation, rb.risk.value, rb.answer_text, why))
        elif weak_a and not weak_b and ra is not None:
            why = "question no longer asked" if rb is None else _resolved_reason(rb.risk)
            resolved.append(
                RiskChange(
                    key,
                    qa[key].short,
                    ra.foundation,
                    ra.risk.value,
                    rb.answer_text if rb else ra.answer_text,
                    why,
                )
            )
    return tuple(new), tuple(resolved)


def _new_risk_reason(before: Risk) -> str:
    return "first answered this round" if before is Risk.UNANSWERED else "the answer got weaker"


def _resolved_reason(after: Risk) -> str:
    if after is Risk.UNANSWERED:
        return "no longer answered (check it is not just skipped)"
    return "now not applicable" if after is Risk.NOT_APPLICABLE else "the answer improved"


def _readiness_changes(
    bank_a: Bank, bank_b: Bank, a: AssessmentScore, b: AssessmentScore
) -> tuple[ReadinessChange, ...]:
    va, vb = {v.end_state: v for v in a.verdicts}, {v.end_state: v for v in b.verdicts}
    keys = _in_order([e.key for e in bank_a.end_states], [e.key for e in bank_b.end_states])
    return tuple(
        ReadinessChange(
            k, (vb.get(k) or va[k]).title, va[k].ready if k in va else None, vb[k].ready if k in vb else None
        )
        for k in keys
    )


def _roadmap_changes(
    before: AssessmentData, after: AssessmentData, a: AssessmentScore, b: AssessmentScore
) -> tuple[tuple[ItemRef, ...], tuple[ItemRef, ...]]:
    items_a = build_roadmap(before.bank, before.answers, score=a).items
    items_b = build_roadmap(after.bank, after.answers, score=b).items
    keys_a, keys_b = {i.key for i in items_a}, {i.key for i in items_b}
    completed = tuple(ItemRef(i.key, i.title, i.foundation_title) for i in items_a if i.key not in keys_b)
    added = tuple(ItemRef(i.key, i.title, i.foundation_title) for i in items_b if i.key not in keys_a)
    return completed, added


def level_text(level: int | None) -> str:
    """'3 established', or 'not in this bank' for a foundation one round does not have."""
    return "not in this bank" if level is None else f"{level} {LEVEL_NAMES[level]}"


def comparison_to_data(comparison: RoundComparison) -> dict[str, Any]:
    """Plain JSON-ready data for `foundations round compare --json`."""
    data = asdict(comparison)
    data["bank_changed"] = comparison.bank_changed
    for change, row in zip(comparison.foundations, data["foundations"], strict=True):
        row["delta"], row["level_delta"] = change.delta, change.level_delta
    return data
