"""Rounds on a real database: pre-filled rounds, confirming carried answers, comparing two rounds."""

from __future__ import annotations

import random

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from assessment.assessments.comparison import compare_rounds, comparison_to_data, since_last_round
from assessment.assessments.repository import answers_for, save_answer, set_status, store_bank
from assessment.assessments.rounds import carried_over_keys, confirm_answers, start_round
from assessment.bank.answers import AnswerValue, answered, dont_know
from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.demo import demo_answer
from assessment.models.assessments import Answer, AnswerEvent
from assessment.models.scores import AssessmentScoreRow
from assessment.organisations.directory import find_team
from assessment.roadmap.plan import build_roadmap
from tests.support.builders import answer_all, edited_bank, new_round, random_answer


def at_levels(bank: Bank, **levels: int) -> dict[str, AnswerValue]:
    """Answers putting each foundation at a level (1 unless given); context questions are left unanswered."""
    return {q.key: demo_answer(q, levels.get(q.foundation, 1)) for q in bank.scored_questions()}


def answer_rows(engine: Engine, assessment_id: int) -> dict[str, Answer]:
    with db.read_session(engine) as session:
        return {a.question_key: a for a in session.exec(select(Answer).where(Answer.assessment_id == assessment_id))}


def payments(session: Session) -> int:
    return find_team(session, team="Payments", organisation="Acme").id or 0


def prefilled(engine: Engine, bank: Bank, team: str = "Payments") -> tuple[int, int]:
    """Round 1 answered at random, round 2 pre-filled from it: (round 1 id, round 2 id)."""
    rng = random.Random(7)
    first = new_round(engine, bank, org="Acme", team=team)
    answer_all(engine, first, {q.key: random_answer(rng, q) for q in bank.questions})
    return first, new_round(engine, bank, org="Acme", team=team, prefill=True)


def test_prefilled_round_copies_every_answer_as_carried_over(engine: Engine, bank: Bank) -> None:
    first, second = prefilled(engine, bank)
    with db.read_session(engine) as session:
        assert answers_for(session, assessment_id=second) == answers_for(session, assessment_id=first)
        assert len(carried_over_keys(session, assessment_id=second)) == len(bank.questions)
        stored = session.get(AssessmentScoreRow, second)
        assert stored is not None
        assert stored.carried_over == len(bank.questions)
        events = session.exec(select(AnswerEvent).where(AnswerEvent.assessment_id == second)).all()
    assert len(events) == len(bank.questions)
    assert not any(a.carried_over for a in answer_rows(engine, first).values())


def test_round_without_prefill_starts_empty(engine: Engine, bank: Bank) -> None:
    prefilled(engine, bank)
    with db.write_session(engine) as session:
        stored = store_bank(session, bank=bank)
        third = start_round(session, team_id=payments(session), bank_version_id=stored.id or 0, by="ana")
    assert (third.round_number, third.carried, third.skipped) == (3, 0, ())
    assert answer_rows(engine, third.assessment_id) == {}


def test_confirming_clears_the_flag_raises_the_version_and_is_recorded(engine: Engine, bank: Bank) -> None:
    _, second = prefilled(engine, bank)
    key = bank.questions[0].key
    before = answer_rows(engine, second)[key]
    with db.write_session(engine) as session:
        assert confirm_answers(session, assessment_id=second, by="ana", question_keys=[key]) == [key]
        assert confirm_answers(session, assessment_id=second, by="ana", question_keys=[key]) == []
    after = answer_rows(engine, second)[key]
    assert (after.carried_over, after.version, after.answered_by) == (False, before.version + 1, "ana")
    assert (after.status, after.value_json) == (before.status, before.value_json)
    with db.read_session(engine) as session:
        last = session.exec(
            select(AnswerEvent).where(AnswerEvent.assessment_id == second).order_by(col(AnswerEvent.id).desc())
        ).first()
        assert last is not None
        assert (last.question_key, last.answered_by) == (key, "ana")
        assert len(carried_over_keys(session, assessment_id=second)) == len(bank.questions) - 1


def test_answering_again_or_confirming_all_clears_every_flag(engine: Engine, bank: Bank) -> None:
    _, second = prefilled(engine, bank)
    key = bank.questions[1].key
    with db.write_session(engine) as session:
        save_answer(session, assessment_id=second, question_key=key, answer=dont_know(), by="ben")
    assert not answer_rows(engine, second)[key].carried_over
    with db.write_session(engine) as session:
        confirmed = confirm_answers(session, assessment_id=second, by="ben")
    assert len(confirmed) == len(bank.questions) - 1
    assert key not in confirmed
    with db.read_session(engine) as session:
        assert carried_over_keys(session, assessment_id=second) == []
        stored = session.get(AssessmentScoreRow, second)
        assert stored is not None
        assert stored.carried_over == 0


def test_comparison_shows_what_moved(engine: Engine, bank: Bank) -> None:
    first = new_round(engine, bank, org="Acme", team="Payments")
    answer_all(engine, first, at_levels(bank))
    second = new_round(engine, bank, org="Acme", team="Payments")
    answer_all(engine, second, at_levels(bank, rollback_speed=4))
    with db.read_session(engine) as session:
        result = compare_rounds(session, first_id=second, second_id=first)  # order given is irrelevant
    assert (result.before.id, result.after.id) == (first, second)
    moved = {f.key: (f.level_delta, f.delta) for f in result.foundations}
    rollback_levels = {f.key: (f.before_level, f.after_level) for f in result.foundations}["rollback_speed"]
    assert rollback_levels == (1, 3)  # level 4 (proven) also needs dated evidence that the deciding test held
    assert (moved["rollback_speed"][1] or 0) > 50
    assert all(moved[k] == (0, 0) for k in moved if k != "rollback_speed")
    rollback = {q.key for q in bank.questions_for("rollback_speed")}
    assert {a.question_key for a in result.answers} <= rollback
    assert result.answers
    assert all(a.kind == "changed" for a in result.answers)
    assert result.new_risks == ()
    assert {r.question_key for r in result.resolved_risks} <= rollback
    assert result.resolved_risks
    assert all(r.why == "the answer improved" for r in result.resolved_risks)
    before_map = build_roadmap(bank, at_levels(bank)).keys()
    after_map = build_roadmap(bank, at_levels(bank, rollback_speed=4)).keys()
    assert [i.key for i in result.completed_items] == [k for k in before_map if k not in after_map]
    assert "one_step_rollback" in [i.key for i in result.completed_items]
    assert result.after.overall_score > result.before.overall_score
    assert not result.bank_changed


def test_comparison_names_new_and_resolved_risks(engine: Engine, bank: Bank) -> None:
    first = new_round(engine, bank, org="Acme", team="Payments")
    answer_all(engine, first, {"fi_timeouts": answered(4), "io_tracing": dont_know()})
    second = new_round(engine, bank, org="Acme", team="Payments")
    answer_all(
        engine,
        second,
        {"fi_timeouts": answered(0), "io_tracing": answered(4), "pm_blame": answered("system")},
    )
    with db.write_session(engine) as session:  # "since the last round" compares completed rounds
        for assessment_id in (first, second):
            set_status(session, assessment_id=assessment_id, completed=True)
    with db.read_session(engine) as session:
        result = since_last_round(session, assessment_id=second)
        assert since_last_round(session, assessment_id=first) is None
    assert result is not None
    new = {r.question_key: r.why for r in result.new_risks}
    assert new.get("fi_timeouts") == "the answer got weaker"
    assert {r.question_key: r.why for r in result.resolved_risks}.get("io_tracing") == "the answer improved"
    kinds = {a.question_key: a.kind for a in result.answers}
    assert kinds["fi_timeouts"] == "changed"
    assert kinds["pm_blame"] == "newly answered"


def test_comparison_across_bank_versions(engine: Engine, bank: Bank) -> None:
    newer = edited_bank(bank)  # drops fi_dependency_map, adds rb_feature_flags
    first = new_round(engine, bank, org="Acme", team="Payments")
    answer_all(engine, first, {**at_levels(bank), "fi_dependency_map": dont_know()})
    with db.write_session(engine) as session:
        stored = store_bank(session, bank=newer)
        started = start_round(
            session, team_id=payments(session), bank_version_id=stored.id or 0, by="ana", prefill=True
        )
    assert started.carried == len(bank.scored_questions()) - 1
    assert started.skipped == ("fi_dependency_map: no longer asked in foundations 1.1.0",)
    answer_all(engine, started.assessment_id, {"rb_feature_flags": answered(False)})
    with db.read_session(engine) as session:
        result = compare_rounds(session, first_id=first, second_id=started.assessment_id)
    assert result.bank_changed
    assert result.before.bank == f"foundations {bank.version}"
    assert (result.questions_added, result.questions_removed) == (
        ("rb_feature_flags",),
        ("fi_dependency_map",),
    )
    kinds = {a.question_key: (a.kind, a.before, a.after) for a in result.answers}
    assert kinds == {
        "rb_feature_flags": ("question added", None, "no"),
        "fi_dependency_map": ("question removed", "don't know", None),
    }
    assert {r.question_key: r.why for r in result.new_risks} == {
        "rb_feature_flags": "question new in this bank version"
    }
    assert {r.question_key: r.why for r in result.resolved_risks} == {"fi_dependency_map": "question no longer asked"}
    data = comparison_to_data(result)
    assert data["bank_changed"] is True
    assert {f["key"] for f in data["foundations"]} == {f.key for f in bank.foundations}


def edited_question(bank: Bank, version: str, key: str, **changes: object) -> Bank:
    """`bank` as a newer version in which question `key` has the fields in `changes` (nested dicts merge)."""
    data = bank.model_dump(mode="json")
    data["bank"]["version"] = version
    for q in data["questions"]:
        if q["key"] == key:
            for field, value in changes.items():
                q[field] = {**q[field], **value} if isinstance(value, dict) else value
    return Bank.model_validate(data)


def prefill_from(
    engine: Engine, bank: Bank, newer: Bank, answers: dict[str, AnswerValue]
) -> tuple[int, tuple[str, ...]]:
    """Round 1 on `bank` with `answers`, round 2 on `newer` pre-filled: (answers carried, answers skipped)."""
    first = new_round(engine, bank, org="Acme", team="Payments")
    answer_all(engine, first, answers)
    with db.write_session(engine) as session:
        stored = store_bank(session, bank=newer)
        started = start_round(
            session, team_id=payments(session), bank_version_id=stored.id or 0, by="ana", prefill=True
        )
    assert set(answer_rows(engine, started.assessment_id)) == {"fi_timeouts"}
    return started.carried, started.skipped


def test_prefill_leaves_out_an_answer_the_new_version_refuses(engine: Engine, bank: Bank) -> None:
    newer = edited_question(bank, "9.1.0", "rb_last_rollback_minutes", allow_dont_know=False)
    carried, skipped = prefill_from(
        engine, bank, newer, {"rb_last_rollback_minutes": dont_know(), "fi_timeouts": answered(3)}
    )
    assert (carried, skipped) == (
        1,
        (
            "rb_last_rollback_minutes: 'don't know' is not allowed for this question "
            "(the question changed in foundations 9.1.0)",
        ),
    )


def test_prefill_leaves_out_an_answer_to_a_question_whose_meaning_changed(engine: Engine, bank: Bank) -> None:
    newer = edited_question(bank, "9.1.0", "rb_last_rollback_minutes", number={"maximum": 1000})
    carried, skipped = prefill_from(
        engine, bank, newer, {"rb_last_rollback_minutes": answered(500), "fi_timeouts": answered(3)}
    )
    assert (carried, skipped) == (
        1,
        ("rb_last_rollback_minutes: the question changed in foundations 9.1.0; answer it again",),
    )


def test_rounds_of_different_teams_are_not_compared(engine: Engine, bank: Bank) -> None:
    first = new_round(engine, bank, org="Acme", team="Payments")
    other = new_round(engine, bank, org="Acme", team="Catalogue")
    with db.read_session(engine) as session, pytest.raises(FoundationsError, match="different teams"):
        compare_rounds(session, first_id=first, second_id=other)
