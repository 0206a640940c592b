"""Joining, answering on one's own, resuming by token, and what a participant can see."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from assessment.bank.answers import AnswerStatus, answered, dont_know, not_applicable
from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.errors import FoundationsError, InvalidAnswerError
from assessment.demo import demo_answer
from assessment.models.workshops import Participant, ParticipantAnswer
from assessment.workshops.participants import join_view, join_workshop, participant_view, set_finished
from assessment.workshops.tokens import JOIN_ALPHABET, JOIN_CODE_LENGTH, format_join_code
from tests.support.workshops import Room, open_room


def test_the_join_code_shows_the_workshop_and_its_teams_only(room: Room) -> None:
    code = room.created.join_code
    assert len(code) == JOIN_CODE_LENGTH
    assert set(code) <= set(JOIN_ALPHABET)
    with db.read_session(room.engine) as session:
        view = join_view(session, code=f" {format_join_code(code).lower()} ")  # typed sloppily
    assert view.organisation == "Acme"
    assert [name for _, name in view.teams] == ["Checkout", "Payments"]


def test_a_participant_sees_their_own_answers_and_resumes_by_token(room: Room, bank: Bank) -> None:
    ann = room.join("Ann", "Payments")
    bob = room.join("Bob", "Payments")
    room.answer(ann, "rb_rollback_path", answered(3))
    room.answer(bob, "rb_rollback_path", answered(0))
    room.answer(bob, "rb_last_rollback_minutes", dont_know())
    with db.read_session(room.engine) as session:
        mine = participant_view(session, token=ann)
    assert (mine.display_name, mine.team) == ("Ann", "Payments")
    assert mine.answers == {"rb_rollback_path": answered(3)}
    assert mine.bank.id == bank.id
    assert not mine.finished


def test_changing_an_answer_keeps_one_row_and_raises_its_version(room: Room) -> None:
    ann = room.join("Ann", "Payments")
    assert room.answer(ann, "rb_rollback_path", answered(1)) == 1
    assert room.answer(ann, "rb_rollback_path", answered("2")) == 2
    with db.read_session(room.engine) as session:
        assert participant_view(session, token=ann).answers["rb_rollback_path"].value == 2
        assert session.exec(select(func.count()).select_from(ParticipantAnswer)).one() == 1


@pytest.mark.parametrize(
    ("key", "answer", "message"),
    [
        ("rb_rollback_path", answered(7), "rb_rollback_path: level must be a whole number from 0 to 4"),
        ("rb_last_rollback_minutes", answered(-3), "rb_last_rollback_minutes: answer must be between 0"),
        (
            "rb_rollback_path",
            not_applicable("no services"),
            "rb_rollback_path: 'not applicable' is not allowed",
        ),
        ("no_such_question", answered(1), "no_such_question: unknown question key"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(room: Room, key: str, answer: object, message: str) -> None:
    ann = room.join("Ann", "Payments")
    with pytest.raises(InvalidAnswerError, match=message):
        room.answer(ann, key, answer)  # type: ignore[arg-type]
    with db.read_session(room.engine) as session:
        assert session.exec(select(func.count()).select_from(ParticipantAnswer)).one() == 0


@pytest.mark.parametrize(
    ("name", "message"), [("   ", "please give a display name"), ("x" * 81, "at most 80 characters")]
)
def test_display_names_are_required_and_bounded(room: Room, name: str, message: str) -> None:
    with pytest.raises(FoundationsError, match=message):
        room.join(name, "Payments")


def test_display_names_are_tidied(room: Room) -> None:
    token = room.join("  Ann \n  Lee ", "Payments")
    with db.read_session(room.engine) as session:
        assert participant_view(session, token=token).display_name == "Ann Lee"


def test_finishing_is_recorded_and_can_be_undone(room: Room) -> None:
    ann = room.join("Ann", "Payments")
    for finished in (True, False, True):
        with db.write_session(room.engine) as session:
            set_finished(session, token=ann, finished=finished)
        with db.read_session(room.engine) as session:
            assert participant_view(session, token=ann).finished is finished


def test_secrets_are_stored_only_as_digests(engine: Engine, bank: Bank) -> None:
    room = open_room(engine, bank)
    token = room.join("Ann", "Payments")
    for question in bank.questions[:3]:
        room.answer(token, question.key, demo_answer(question, 2))
    dump = _every_text_value(engine)
    assert room.key not in dump
    assert token not in dump
    assert len(token) >= 43
    assert len(room.key) >= 43
    with db.read_session(engine) as session:
        assert len(session.exec(select(Participant.token_hash)).one()) == 64


def _every_text_value(engine: Engine) -> str:
    """Every value of every table, as one string (to search for leaked secrets)."""
    parts: list[str] = []
    with engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                parts.extend(str(v) for v in row)
    return "\n".join(parts)


def test_dont_know_and_not_applicable_are_kept_with_their_reason(room: Room, bank: Bank) -> None:
    question = next(q for q in bank.questions if q.allow_not_applicable)
    ann = room.join("Ann", "Payments")
    room.answer(ann, question.key, not_applicable("  we run no such service "))
    room.answer(ann, "rb_last_rollback_minutes", dont_know(note="never measured"))
    with db.read_session(room.engine) as session:
        answers = participant_view(session, token=ann).answers
    assert answers[question.key].status is AnswerStatus.NOT_APPLICABLE
    assert answers[question.key].reason == "we run no such service"
    assert answers["rb_last_rollback_minutes"] == dont_know(note="never measured")


def test_join_code_is_unique_per_workshop(engine: Engine, bank: Bank) -> None:
    codes = {open_room(engine, bank, org=f"Org {n}", teams=("A",)).created.join_code for n in range(5)}
    assert len(codes) == 5


def test_joining_needs_a_team_of_that_workshop(room: Room) -> None:
    with pytest.raises(FoundationsError), db.write_session(room.engine) as session:
        join_workshop(session, code=room.created.join_code, display_name="Ann", workshop_team_id=None)
