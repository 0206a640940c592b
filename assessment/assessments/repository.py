"""Persistence functions: keyword-only, each takes a Session; pages and the CLI never build queries.

Answer writes are single-statement upserts plus one history insert, so concurrent
writers never read-then-write and never lose each other's answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, func, select

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in, only_visible, record_done_in
from assessment.assessments.lookup import bank_of, get_assessment, get_bank_version, to_value
from assessment.assessments.scores import refresh_scores
from assessment.bank.answers import AnswerValue, check_answer
from assessment.bank.loader import bank_content_hash
from assessment.bank.model import Bank
from assessment.core.db import table_of
from assessment.core.errors import ConflictError, FoundationsError, InvalidAnswerError
from assessment.core.names import checked_author, checked_name
from assessment.core.types import utcnow
from assessment.models.assessments import Answer, AnswerEvent, Assessment, BankVersion, Organisation, Team

# --- bank versions -------------------------------------------------------------------------


def store_bank(session: Session, *, bank: Bank) -> BankVersion:
    """The stored snapshot of this bank version, stored now if new.

    A bank edited without a new version number is refused: old assessments must
    keep meaning what they meant.
    """
    digest = bank_content_hash(bank)
    stored = session.exec(
        select(BankVersion).where(BankVersion.bank_id == bank.id, BankVersion.version == bank.version)
    ).first()
    if stored is not None:
        if stored.content_hash != digest:
            raise FoundationsError(
                f"question bank {bank.id} {bank.version} differs from the stored copy of that version: "
                "give the edited bank a new version number"
            )
        return stored
    content = json.dumps(bank.model_dump(mode="json"), sort_keys=True)
    stored = BankVersion(
        bank_id=bank.id, version=bank.version, title=bank.bank.title, content_hash=digest, content=content
    )
    session.add(stored)
    session.flush()
    return stored


# --- assessments -----------------------------------------------------------------------------


def create_assessment(
    session: Session, *, team_id: int, bank_version_id: int, created_by: str, label: str | None = None
) -> Assessment:
    """Start the team's next round against a stored bank version."""
    authorize_in(session, None, Action.MANAGE_ROUNDS, access.team(team_id))
    last = session.exec(select(func.max(Assessment.round_number)).where(Assessment.team_id == team_id)).one()
    assessment = Assessment(
        team_id=team_id,
        bank_version_id=bank_version_id,
        round_number=(last or 0) + 1,
        created_by=checked_author(created_by),
        label=checked_name("round label", label, required=False) or None,
    )
    session.add(assessment)
    session.flush()
    _rescore(session, assessment.id or 0)
    return assessment


def set_status(session: Session, *, assessment_id: int, completed: bool, audit: bool = True) -> None:
    """Mark a round finished (or reopen it); answers stay editable either way. `audit=False`: demo data."""
    target = access.assessment(assessment_id)
    authorize_in(session, None, Action.MANAGE_ROUNDS, target)
    assessment = get_assessment(session, assessment_id=assessment_id)
    assessment.status = "completed" if completed else "in_progress"
    assessment.completed_at = utcnow() if completed else None
    session.add(assessment)
    if audit:
        said = "completed" if completed else "reopened"
        record_done_in(session, Action.MANAGE_ROUNDS, target, f"round {assessment.round_number} {said}")


@dataclass(frozen=True)
class AssessmentSummary:
    id: int
    organisation: str
    team: str
    team_id: int
    round_number: int
    label: str | None
    status: str
    bank: str
    answered: int
    created_at: datetime


def list_assessments(session: Session, *, team_id: int | None = None) -> list[AssessmentSummary]:
    """Every assessment with its names and progress, newest round last per team."""
    answered = select(Answer.assessment_id, func.count().label("n")).group_by(col(Answer.assessment_id)).subquery()
    query = (  # SQLAlchemy's select: SQLModel's is typed for at most four columns
        sa.select(
            Assessment,
            col(Team.name),
            col(Organisation.name),
            col(BankVersion.bank_id),
            col(BankVersion.version),
            answered.c.n,
        )
        .join(Team, col(Team.id) == Assessment.team_id)
        .join(Organisation, col(Organisation.id) == Team.organisation_id)
        .join(BankVersion, col(BankVersion.id) == Assessment.bank_version_id)
        .join(answered, answered.c.assessment_id == Assessment.id, isouter=True)
        .order_by(col(Organisation.name), col(Team.name), col(Assessment.round_number))
    )
    if team_id is not None:
        query = query.where(col(Assessment.team_id) == team_id)
    query = only_visible(session, query, col(Team.organisation_id))
    return [
        AssessmentSummary(
            a.id,
            org,
            team,
            a.team_id,
            a.round_number,
            a.label,
            a.status,
            f"{bank_id} {version}",
            n or 0,
            a.created_at,
        )
        for a, team, org, bank_id, version, n in session.execute(query)
    ]


# --- answers -------------------------------------------------------------------------------


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def save_answer(
    session: Session,
    *,
    assessment_id: int,
    question_key: str,
    answer: AnswerValue,
    by: str,
    expected_version: int | None = None,
    carried_over: bool = False,
) -> int:
    """Validate and store one answer (one upsert plus one history row); return its new version.

    With `expected_version`, the write only happens if the stored answer still has
    that version (0 meaning "no answer yet"); otherwise ConflictError.
    """
    authorize_in(session, None, Action.ANSWER, access.assessment(assessment_id))
    bank = bank_of(
        get_bank_version(session, bank_version_id=get_assessment(session, assessment_id=assessment_id).bank_version_id)
    )
    questions = bank.questions_by_key()
    if question_key not in questions:
        raise InvalidAnswerError(f"{question_key}: unknown question key for bank {bank.id} {bank.version}")
    answer = check_answer(questions[question_key], answer)
    now = utcnow()
    fields = _answer_fields(question_key, answer, by)
    row = {
        **fields,
        "assessment_id": assessment_id,
        "answered_at": now,
        "version": 1,
        "carried_over": carried_over,
    }
    table = table_of(Answer)
    stmt = _insert(session)(table).values(**row)
    stmt = stmt.on_conflict_do_update(
        index_elements=["assessment_id", "question_key"],
        set_={**fields, "answered_at": now, "version": table.c.version + 1, "carried_over": carried_over},
    ).returning(table.c.version)
    if expected_version == 0:
        stmt = _insert(session)(table).values(**row).on_conflict_do_nothing().returning(table.c.version)
    elif expected_version:  # an update, not an upsert: an answer cleared meanwhile is a conflict
        stmt = (
            sa.update(table)
            .where(
                table.c.assessment_id == assessment_id,
                table.c.question_key == question_key,
                table.c.version == expected_version,
            )
            .values(**fields, answered_at=now, version=table.c.version + 1, carried_over=carried_over)
            .returning(table.c.version)
        )
    version = session.execute(stmt).scalar_one_or_none()
    if version is None:
        raise ConflictError(f"{question_key}: the answer was changed by someone else since you loaded it")
    session.add(AnswerEvent(**fields, assessment_id=assessment_id, recorded_at=now))
    _rescore(session, assessment_id, bank)
    return int(version)


def _rescore(session: Session, assessment_id: int, bank: Bank | None = None) -> None:
    """Recompute the stored scores the portfolio reads, in the answer's own transaction."""
    refresh_scores(session, assessment_id=assessment_id, bank=bank)


def _answer_fields(question_key: str, answer: AnswerValue, by: str) -> dict[str, Any]:
    return {
        "question_key": question_key,
        "status": answer.status.value,
        "value_json": answer.value_json(),
        "reason": answer.reason,
        "note": answer.note,
        "evidence_url": answer.evidence_url,
        "evidence_date": answer.evidence_date,
        "answered_by": checked_author(by),
    }


def clear_answer(session: Session, *, assessment_id: int, question_key: str, by: str) -> None:
    """Remove an answer (the question becomes unanswered); the history keeps what it was."""
    authorize_in(session, None, Action.ANSWER, access.assessment(assessment_id))
    by = checked_author(by)
    deleted = session.exec(
        sa.delete(Answer).where(col(Answer.assessment_id) == assessment_id, col(Answer.question_key) == question_key)
    )
    if deleted.rowcount:
        session.add(
            AnswerEvent(assessment_id=assessment_id, question_key=question_key, status="cleared", answered_by=by)
        )
        _rescore(session, assessment_id)


def stored_answers(session: Session, *, assessment_id: int) -> list[Answer]:
    return list(session.exec(select(Answer).where(Answer.assessment_id == assessment_id).order_by(col(Answer.id))))


def answer_history(session: Session, *, assessment_id: int) -> list[AnswerEvent]:
    authorize_in(session, None, Action.VIEW_RESULTS, access.assessment(assessment_id))
    return list(
        session.exec(
            select(AnswerEvent).where(AnswerEvent.assessment_id == assessment_id).order_by(col(AnswerEvent.id))
        )
    )


def answers_for(session: Session, *, assessment_id: int) -> dict[str, AnswerValue]:
    authorize_in(session, None, Action.VIEW_RESULTS, access.assessment(assessment_id))
    return {row.question_key: to_value(row) for row in stored_answers(session, assessment_id=assessment_id)}


@dataclass(frozen=True)
class AssessmentData:
    """One assessment with everything needed to score, show or export it; no ORM objects."""

    id: int
    organisation: str
    team: str
    team_id: int
    round_number: int
    label: str | None
    status: str
    created_at: datetime
    completed_at: datetime | None
    bank: Bank
    answers: dict[str, AnswerValue]
    answer_meta: dict[str, tuple[str, datetime, int]]  # who, when, version
    # Answers copied from the previous round and not yet confirmed: they still say what the team said then.
    carried_over: frozenset[str] = frozenset()

    @property
    def title(self) -> str:
        return f"{self.team}, round {self.round_number}"


class TeamRef(NamedTuple):
    organisation_id: int
    team_id: int


def assessment_team(session: Session, *, assessment_id: int) -> TeamRef | None:
    """The organisation and team of an assessment the caller may see; None if it may not, or there is none.

    For choosing a team to show (the Rounds page opened from an assessment), so an
    assessment out of sight is simply not found: nothing is refused or recorded.
    """
    query = (
        select(Team.organisation_id, Team.id)
        .join(Assessment, col(Assessment.team_id) == Team.id)
        .where(Assessment.id == assessment_id)
    )
    row = session.exec(only_visible(session, query, col(Team.organisation_id))).first()
    return None if row is None else TeamRef(row[0], row[1] or 0)


def load_assessment(session: Session, *, assessment_id: int) -> AssessmentData:
    """Gather an assessment, its team, bank and answers in one call (for those who may see it)."""
    authorize_in(session, None, Action.VIEW_RESULTS, access.assessment(assessment_id))
    assessment = get_assessment(session, assessment_id=assessment_id)
    team = session.get(Team, assessment.team_id)
    assert team is not None
    assert assessment.id is not None
    org = session.get(Organisation, team.organisation_id)
    assert org is not None
    rows = stored_answers(session, assessment_id=assessment_id)
    return AssessmentData(
        id=assessment.id,
        organisation=org.name,
        team=team.name,
        team_id=team.id or 0,
        round_number=assessment.round_number,
        label=assessment.label,
        status=assessment.status,
        created_at=assessment.created_at,
        completed_at=assessment.completed_at,
        bank=bank_of(get_bank_version(session, bank_version_id=assessment.bank_version_id)),
        answers={r.question_key: to_value(r) for r in rows},
        answer_meta={r.question_key: (r.answered_by, r.answered_at, r.version) for r in rows},
        carried_over=frozenset(r.question_key for r in rows if r.carried_over),
    )
