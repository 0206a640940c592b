"""Evidence freshness: older evidence never raises a score or passes a gate; a stale answer cannot carry a
passed deciding test or level 4 (hypothesis draws the answers and their evidence dates from the shipped bank)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.bank.answers import AnswerStatus, AnswerValue, answered, check_answer
from assessment.bank.loader import default_bank
from assessment.bank.model import Bank
from assessment.scoring.engine import score_assessment
from assessment.scoring.freshness import stale, stale_answers
from assessment.scoring.gates import Facts, GateState
from tests.support.profiles import profile_answers

BANK: Bank = default_bank()
TODAY = date(2026, 12, 7)
FACTS = Facts(as_of=TODAY)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROVEN = profile_answers(BANK, "p4_ready_and_proven", TODAY)  # ready and proven, its evidence a month old
DATED = [q.key for q in BANK.questions if q.fresh_days is not None]


def _dated(answers: dict[str, AnswerValue], ages: dict[str, int]) -> dict[str, AnswerValue]:
    """The answers with the evidence of each question in `ages` dated that many days before TODAY."""
    out = dict(answers)
    for key, age in ages.items():
        if key in out and out[key].status is AnswerStatus.ANSWERED:
            out[key] = replace(out[key], evidence_date=TODAY - timedelta(days=age))
    return out


ages = st.dictionaries(st.sampled_from(DATED), st.integers(0, 800), min_size=1)


@given(ages, ages)
@SETTINGS
def test_older_evidence_never_raises_a_score_a_level_or_passes_a_gate(
    first: dict[str, int], more: dict[str, int]
) -> None:
    answers = PROVEN
    newer = score_assessment(BANK, _dated(answers, first), FACTS)
    older_ages = {k: first.get(k, 0) + more.get(k, 0) for k in first}  # each date moved back, never forward
    older = score_assessment(BANK, _dated(answers, older_ages), FACTS)
    assert older.overall_score <= newer.overall_score
    for key, result in older.foundations.items():
        before = newer.foundations[key]
        assert result.score <= before.score
        assert result.level <= before.level
        if result.gate is GateState.PASSED:
            assert before.gate is GateState.PASSED


@given(ages)
@SETTINGS
def test_a_stale_answer_never_supports_a_passed_deciding_test_or_level_4(age_of: dict[str, int]) -> None:
    answers = _dated(PROVEN, age_of)
    score = score_assessment(BANK, answers, FACTS)
    stale_keys = set(stale_answers(BANK, answers, TODAY))
    for foundation in BANK.foundations:
        result = score.foundations[foundation.key]
        if stale_keys & {c.question for c in foundation.gate}:
            assert result.gate is not GateState.PASSED
            assert result.level <= 2
        proofs = [answers[k] for k in foundation.proof]
        if all(k in stale_keys or a.evidence_date is None for k, a in zip(foundation.proof, proofs, strict=True)):
            assert result.level <= 3


def test_a_fresh_drill_passes_and_the_same_drill_a_year_old_is_stale_and_unknown() -> None:
    rollback = BANK.question("rb_last_rollback_minutes")
    assert rollback.fresh_days == 90
    fresh = _dated(PROVEN, dict.fromkeys(DATED, 10))
    assert score_assessment(BANK, fresh, FACTS).foundations["rollback_speed"].level == 4
    year_old = _dated(fresh, {"rb_last_rollback_minutes": 365})
    result = score_assessment(BANK, year_old, FACTS).foundations["rollback_speed"]
    assert result.gate is GateState.UNKNOWN
    assert result.level == 2
    aged = next(c for c in result.checks if c.stale)
    assert aged.sentence.startswith(
        "Rollback time: 3 minutes, stale: evidence dated 7 December 2025, 365 days old; it stays current 90 days"
    )
    assert stale(rollback, year_old["rb_last_rollback_minutes"], TODAY) is not None
    assert stale(rollback, year_old["rb_last_rollback_minutes"], TODAY - timedelta(days=300)) is None
    undated = check_answer(rollback, answered(3))
    assert stale(rollback, undated, TODAY) is None  # no date, nothing to age: judged as given
