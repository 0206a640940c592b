"""Rounds over time: start a team's next round, pre-filled from its previous one, and confirm what was carried.

A pre-filled answer is what the team said last time, not what it says now, so it
stays marked `carried_over` until someone confirms it (or answers again); reports
and the portfolio count such answers so nobody mistakes an old answer for a new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in
from assessment.assessments.lookup import bank_of, get_assessment, get_bank_version, to_value
from assessment.assessments.repository import create_assessment
from assessment.assessments.scores import refresh_scores
from assessment.bank.answers import check_answer
from assessment.bank.model import Bank
from assessment.core.db import table_of
from assessment.core.errors import FoundationsError, InvalidAnswerError
from assessment.core.names import checked_author
from assessment.core.types import utcnow
from assessment.models.assessments import Answer, AnswerEvent, Assessment
from assessment.scoring.freshness import Stale, stale

COMPLETED = "completed"  # Assessment.status of a finished round


@dataclass(frozen=True)
class StaleCarried:
    """A carried-over answer whose evidence is already older than its question allows: re-confirm it."""

    key: str
    short: str
    stale: Stale

    def __str__(self) -> str:
        return f"{self.short}: {self.stale.phrase}"


@dataclass(frozen=True)
class NewRound:
    """What `start_round` did: the new round, how many answers it carried, and what it could not."""

    assessment_id: int
    round_number: int
    previous_id: int | None
    carried: int
    skipped: tuple[str, ...]  # "question_key: why", for previous answers the new bank cannot take
    stale: tuple[StaleCarried, ...] = ()  # carried answers whose evidence is too old to count: re-confirm them


def previous_round(session: Session, *, assessment_id: int) -> Assessment | None:
    """The team's round just before this one (the highest lower round number), if any."""
    current = get_assessment(session, assessment_id=assessment_id)
    return session.exec(
        select(Assessment)
        .where(Assessment.team_id == current.team_id, Assessment.round_number < current.round_number)
        .order_by(col(Assessment.round_number).desc())
    ).first()


def previous_completed_round(session: Session, *, assessment_id: int) -> Assessment | None:
    """The team's latest completed round before this one: what "since the last round" compares with."""
    current = get_assessment(session, assessment_id=assessment_id)
    return session.exec(
        select(Assessment)
        .where(
            Assessment.team_id == current.team_id,
            Assessment.round_number < current.round_number,
            Assessment.status == COMPLETED,
        )
        .order_by(col(Assessment.round_number).desc())
    ).first()


def latest_completed_round(session: Session, *, team_id: int) -> Assessment | None:
    """The team's newest completed round: the team's state (a round still being answered is not)."""
    return session.exec(
        select(Assessment)
        .where(Assessment.team_id == team_id, Assessment.status == COMPLETED)
        .order_by(col(Assessment.round_number).desc())
    ).first()


def latest_round(session: Session, *, team_id: int) -> Assessment | None:
    """The team's newest round, if it has any."""
    return session.exec(
        select(Assessment).where(Assessment.team_id == team_id).order_by(col(Assessment.round_number).desc())
    ).first()


def start_round(
    session: Session,
    *,
    team_id: int,
    bank_version_id: int,
    by: str,
    prefill: bool = False,
    label: str | None = None,
) -> NewRound:
    """Create the team's next round; with `prefill`, copy its latest round's answers as carried over.

    Answers to questions the new bank no longer has, or that its version of the
    question refuses, are left out and listed in `skipped`.
    """
    previous = latest_round(session, team_id=team_id)
    assessment = create_assessment(
        session, team_id=team_id, bank_version_id=bank_version_id, created_by=by, label=label
    )
    new_id = assessment.id or 0
    carried, skipped, aged = 0, cast(tuple[str, ...], ()), cast(tuple[StaleCarried, ...], ())
    if prefill and previous is not None:
        bank = bank_of(get_bank_version(session, bank_version_id=bank_version_id))
        before = bank_of(get_bank_version(session, bank_version_id=previous.bank_version_id))
        carried, skipped = _carry(session, previous.id or 0, new_id, before, bank, by)
        aged = stale_carried(session, assessment_id=new_id, bank=bank)
    refresh_scores(session, assessment_id=new_id)
    return NewRound(new_id, assessment.round_number, previous.id if previous else None, carried, skipped, aged)


def stale_carried(session: Session, *, assessment_id: int, bank: Bank) -> tuple[StaleCarried, ...]:
    """The round's still carried-over answers whose evidence is older than their question allows, as of today.

    Carrying an answer does not renew its evidence: a drill timed last year is as
    old in the new round as it was, so the new round says which ones to re-confirm.
    """
    questions = bank.questions_by_key()
    today = date.today()  # as the judgement counts it (scoring.gates.Facts.today)
    rows = session.exec(
        select(Answer).where(Answer.assessment_id == assessment_id, col(Answer.carried_over)).order_by(col(Answer.id))
    )
    found = [(q, stale(q, to_value(row), today)) for row in rows if (q := questions.get(row.question_key))]
    return tuple(StaleCarried(q.key, q.short, aged) for q, aged in found if aged is not None)


def _carry(
    session: Session, source_id: int, target_id: int, before: Bank, bank: Bank, by: str
) -> tuple[int, tuple[str, ...]]:
    """Copy the previous round's answers whose question means the same in the new bank."""
    questions = bank.questions_by_key()
    old = before.questions_by_key()
    now = utcnow()
    skipped: list[str] = []
    carried = 0
    for row in session.exec(select(Answer).where(Answer.assessment_id == source_id).order_by(col(Answer.id))):
        if row.question_key not in questions:
            skipped.append(f"{row.question_key}: no longer asked in {bank.id} {bank.version}")
            continue
        if row.question_key in old and old[row.question_key].meaning() != questions[row.question_key].meaning():
            skipped.append(f"{row.question_key}: the question changed in {bank.id} {bank.version}; answer it again")
            continue
        try:
            value = check_answer(questions[row.question_key], to_value(row))
        except InvalidAnswerError as exc:
            skipped.append(f"{exc} (the question changed in {bank.id} {bank.version})")
            continue
        fields: dict[str, Any] = {
            "question_key": row.question_key,
            "status": value.status.value,
            "value_json": value.value_json(),
            "reason": value.reason,
            "note": value.note,
            "evidence_url": value.evidence_url,
            "evidence_date": value.evidence_date,
        }
        session.add(
            Answer(
                **fields,
                assessment_id=target_id,
                answered_by=row.answered_by,
                answered_at=row.answered_at,
                carried_over=True,
            )
        )
        session.add(AnswerEvent(**fields, assessment_id=target_id, answered_by=by, recorded_at=now))
        carried += 1
    session.flush()
    return carried, tuple(skipped)


def carried_over_keys(session: Session, *, assessment_id: int) -> list[str]:
    """Question keys whose answer is still the unconfirmed copy from the previous round."""
    return list(
        session.exec(
            select(Answer.question_key)
            .where(Answer.assessment_id == assessment_id, col(Answer.carried_over))
            .order_by(col(Answer.id))
        )
    )


def confirm_answers(
    session: Session, *, assessment_id: int, by: str, question_keys: Sequence[str] | None = None
) -> list[str]:
    """Confirm carried-over answers (all of them when `question_keys` is None); return the keys confirmed.

    Confirming keeps the value, clears the flag, raises the version (so a page
    holding the old version sees the change) and records who confirmed in the history.
    """
    authorize_in(session, None, Action.ANSWER, access.assessment(assessment_id))
    get_assessment(session, assessment_id=assessment_id)
    by = checked_author(by)
    table = table_of(Answer)
    stmt = sa.update(table).where(table.c.assessment_id == assessment_id, table.c.carried_over.is_(True))
    if question_keys is not None:
        stmt = stmt.where(table.c.question_key.in_(list(question_keys)))
    now = utcnow()
    rows = session.execute(
        stmt.values(carried_over=False, version=table.c.version + 1, answered_by=by, answered_at=now).returning(
            *_event_columns(table)
        )
    ).all()
    for row in rows:
        session.add(AnswerEvent(**row._asdict(), assessment_id=assessment_id, answered_by=by, recorded_at=now))
    if rows:
        refresh_scores(session, assessment_id=assessment_id)
    return sorted(row.question_key for row in rows)


def _event_columns(table: sa.Table) -> list[sa.Column[object]]:
    names = ("question_key", "status", "value_json", "reason", "note", "evidence_url", "evidence_date")
    return [table.c[name] for name in names]


def round_label(assessment: Assessment) -> str:
    """'Round 2 · Q3 baseline (12 Mar 2026)': how pickers name a round."""
    when: datetime = assessment.created_at
    label = f" · {assessment.label}" if assessment.label else ""
    return f"Round {assessment.round_number}{label} ({when:%d %b %Y})"


def same_team(first: Assessment, second: Assessment) -> None:
    """Rounds are only compared within one team."""
    if first.team_id != second.team_id:
        raise FoundationsError(
            f"assessments {first.id} and {second.id} belong to different teams: compare two rounds of one team"
        )
