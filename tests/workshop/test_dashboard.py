"""The facilitator dashboard: distribution, median, spread, order by disagreement, progress."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.bank.answers import AnswerValue, answered, dont_know, not_applicable
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import demo_answer
from assessment.workshops.dashboard import (
    Bucket,
    QuestionSpread,
    TeamDashboard,
    individual_answers,
    spread_of,
    team_dashboard,
)
from assessment.workshops.participants import set_finished
from tests.support.workshops import Room


def spread(bank: Bank, key: str, *answers: AnswerValue) -> QuestionSpread:
    return spread_of(bank.question(key), [(a, 1) for a in answers])


def test_level_distribution_lists_every_level_and_dont_know(bank: Bank) -> None:
    result = spread(bank, "rb_rollback_path", answered(0), answered(3), answered(3), dont_know())
    assert result.buckets == [
        Bucket("0 absent", 1),
        Bucket("1 ad hoc", 0),
        Bucket("2 partial", 0),
        Bucket("3 established", 2),
        Bucket("4 proven", 0),
        Bucket("don't know", 1),
    ]
    assert result.answered == 4
    # scores 0, 0 (don't know), 75, 75: median 37.5, quartiles 0 and 75
    assert (result.median, result.iqr, result.score_range) == (37.5, 75.0, 75)


def test_numbers_are_grouped_by_value_and_scored_by_band(bank: Bank) -> None:
    result = spread(bank, "rb_last_rollback_minutes", answered(3), answered(45), answered(3), answered(600))
    assert result.buckets[:3] == [Bucket("3 minutes", 2), Bucket("45 minutes", 1), Bucket("600 minutes", 1)]
    assert (result.median, result.score_range) == (75.0, 100)  # scores 100, 100, 50, 0


def test_not_applicable_is_counted_but_not_scored(bank: Bank) -> None:
    question = next(q for q in bank.questions if q.allow_not_applicable)
    result = spread_of(question, [(not_applicable("no such service"), 3)])
    assert Bucket("not applicable", 3) in result.buckets
    assert (result.answered, result.median, result.iqr) == (3, None, None)


def test_agreement_has_no_spread(bank: Bank) -> None:
    result = spread(bank, "rb_rollback_path", *[answered(2)] * 4)
    assert (result.median, result.iqr, result.score_range) == (50.0, 0.0, 0)
    assert spread(bank, "rb_rollback_path").median is None


def test_dashboard_puts_the_widest_disagreement_first(room: Room, bank: Bank) -> None:
    tokens = [room.join(name, "Payments") for name in ("Ann", "Bob", "Cy")]
    for token, level in zip(tokens, (0, 4, 4), strict=True):
        room.answer(token, "rb_rollback_path", answered(level))  # wide split
    for token, minutes in zip(tokens, (3, 10, 10), strict=True):
        room.answer(token, "rb_last_rollback_minutes", answered(minutes))  # narrow split
    for token in tokens:
        room.answer(token, "fi_template_defaults", answered(True))  # agreement
    other = room.join("Dee", "Checkout")
    room.answer(other, "fi_template_defaults", answered(False))  # another team: not counted here
    with db.write_session(room.engine) as session:
        set_finished(session, token=tokens[0], finished=True)
    board = load(room, "Payments")
    assert [q.question.key for q in board.questions[:2]] == ["rb_rollback_path", "rb_last_rollback_minutes"]
    rehearsed = next(q for q in board.questions if q.question.key == "fi_template_defaults")
    assert rehearsed.buckets[:2] == [Bucket("yes", 3), Bucket("no", 0)]
    assert rehearsed.iqr == 0
    assert [(p.name, p.answered, p.finished) for p in board.participants] == [
        ("Ann", 3, True),
        ("Bob", 3, False),
        ("Cy", 3, False),
    ]
    assert board.total_questions == len(bank.questions) == len(board.questions)


def load(room: Room, team: str) -> TeamDashboard:
    with db.read_session(room.engine) as session:
        return team_dashboard(session, workshop_id=room.id, key=room.key, workshop_team_id=room.team_ids[team])


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("people", [2, 12])
def test_dashboard_reads_with_a_fixed_handful_of_queries(room: Room, bank: Bank, people: int) -> None:
    for n in range(people):
        token = room.join(f"P{n}", "Payments")
        for question in bank.questions[: 10 + n]:
            room.answer(token, question.key, demo_answer(question, n % 5))
    load(room, "Payments")  # warm the bank cache
    with counting(room.engine) as statements:
        board = load(room, "Payments")
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 7, statements
    assert len(selects) == len(statements) - statements.count("BEGIN"), statements
    assert sum(p.answered for p in board.participants) == sum(10 + n for n in range(people))


def test_individual_answers_name_who_said_what_for_one_team_only(room: Room) -> None:
    ann, bob = room.join("Ann", "Payments"), room.join("Bob", "Payments")
    room.answer(ann, "rb_rollback_path", answered(1))
    room.answer(bob, "rb_rollback_path", dont_know())
    room.answer(room.join("Dee", "Checkout"), "rb_rollback_path", answered(4))
    with db.read_session(room.engine) as session:
        rows = individual_answers(
            session,
            workshop_id=room.id,
            key=room.key,
            workshop_team_id=room.team_ids["Payments"],
            question_key="rb_rollback_path",
        )
        unknown = individual_answers(
            session,
            workshop_id=room.id,
            key=room.key,
            workshop_team_id=room.team_ids["Payments"],
            question_key="nope",
        )
    assert [(r.name, r.text) for r in rows] == [("Ann", "level 1 (ad hoc)"), ("Bob", "don't know")]
    assert unknown == []
