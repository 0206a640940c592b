"""Agreed answers: written into the team's assessment, audited, and never silently overwritten."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from assessment.assessments.repository import answer_history, load_assessment
from assessment.bank.answers import answered, dont_know
from assessment.core import db
from assessment.core.errors import InvalidAnswerError
from assessment.models.workshops import ParticipantAnswer
from assessment.workshops.dashboard import TeamDashboard, team_dashboard
from assessment.workshops.facilitator import AgreedAnswerConflict, decisions, record_agreed_answer
from tests.support.workshops import Room


def agree(
    room: Room,
    value: int,
    *,
    expected: int,
    by: str = "Fran",
    team: str = "Payments",
    key: str = "rb_rollback_path",
    note: str | None = "we agreed",
) -> int:
    with db.write_session(room.engine) as session:
        return record_agreed_answer(
            session,
            workshop_id=room.id,
            key=room.key,
            workshop_team_id=room.team_ids[team],
            question_key=key,
            answer=answered(value, note=note),
            by=by,
            expected_version=expected,
        )


def assessment_of(room: Room, team: str = "Payments") -> int:
    return room.created.assessment_ids[team]


def test_the_agreed_answer_becomes_the_assessment_answer_and_evidence_stays(room: Room) -> None:
    ann, bob = room.join("Ann", "Payments"), room.join("Bob", "Payments")
    room.answer(ann, "rb_rollback_path", answered(1))
    room.answer(bob, "rb_rollback_path", answered(3))
    assert agree(room, 2, expected=0) == 1
    with db.read_session(room.engine) as session:
        data = load_assessment(session, assessment_id=assessment_of(room))
        individual = [v or "" for v in session.exec(select(ParticipantAnswer.value_json))]
        audit = decisions(session, workshop_id=room.id, key=room.key, workshop_team_id=room.team_ids["Payments"])
    assert data.answers["rb_rollback_path"] == answered(2, note="we agreed")
    assert data.answer_meta["rb_rollback_path"][0] == "Fran"
    assert sorted(individual) == ["1", "3"]
    assert [(d.value_json, d.note, d.answer_version, d.participants_answered) for d in audit] == [
        ("2", "we agreed", 1, 2)
    ]
    assert ["1 ad hoc", 1] in json.loads(audit[0].distribution_json)
    other = load_team(room, "Checkout")
    assert all(q.agreed is None for q in other.questions)  # only the chosen team's round changed


def load_team(room: Room, team: str) -> TeamDashboard:
    with db.read_session(room.engine) as session:
        return team_dashboard(session, workshop_id=room.id, key=room.key, workshop_team_id=room.team_ids[team])


def test_the_dashboard_shows_the_agreed_answer_with_its_version(room: Room) -> None:
    agree(room, 2, expected=0)
    spread = next(q for q in load_team(room, "Payments").questions if q.question.key == "rb_rollback_path")
    assert spread.agreed is not None
    assert spread.agreed_version == 1
    assert (spread.agreed.text, spread.agreed.by) == ("level 2 (partial)", "Fran")


def test_a_stale_save_is_refused_with_the_current_value_and_who_set_it(room: Room) -> None:
    agree(room, 2, expected=0, by="Fran")  # both tabs loaded "nothing agreed yet"
    with pytest.raises(AgreedAnswerConflict) as caught:
        agree(room, 4, expected=0, by="Sam")  # the second tab's save
    current = caught.value.current
    assert current is not None
    assert (current.text, current.by, current.version) == (
        "level 2 (partial)",
        "Fran",
        1,
    )
    assert "Fran recorded \u201clevel 2 (partial)\u201d" in str(caught.value)
    assert agree(room, 3, expected=1, by="Fran") == 2  # against the current version it goes through
    with pytest.raises(AgreedAnswerConflict, match="Fran recorded \u201clevel 3 \\(established\\)\u201d since"):
        agree(room, 4, expected=1, by="Sam")
    with db.read_session(room.engine) as session:
        data = load_assessment(session, assessment_id=assessment_of(room))
        history = answer_history(session, assessment_id=assessment_of(room))
    assert data.answers["rb_rollback_path"].value == 3
    assert [h.answered_by for h in history] == ["Fran", "Fran"]  # nothing of Sam's was written


def test_an_invalid_agreed_answer_saves_nothing(room: Room) -> None:
    with pytest.raises(InvalidAnswerError, match="rb_rollback_path: level must be a whole number from 0 to 4"):
        agree(room, 9, expected=0)
    with pytest.raises(InvalidAnswerError, match="unknown question key"):
        agree(room, 1, expected=0, key="nope")
    with db.read_session(room.engine) as session:
        assert load_assessment(session, assessment_id=assessment_of(room)).answers == {}


def test_dont_know_can_be_agreed(room: Room) -> None:
    with db.write_session(room.engine) as session:
        record_agreed_answer(
            session,
            workshop_id=room.id,
            key=room.key,
            workshop_team_id=room.team_ids["Payments"],
            question_key="rb_last_rollback_minutes",
            answer=dont_know(note="nobody timed it"),
            by="Fran",
            expected_version=0,
        )
    with db.read_session(room.engine) as session:
        stored = load_assessment(session, assessment_id=assessment_of(room)).answers["rb_last_rollback_minutes"]
    assert stored == dont_know(note="nobody timed it")
