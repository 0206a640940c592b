"""The participant side: join with a code, answer on your own, resume with your token.

A participant only ever reaches data through their token, and only their own
answers come back; nothing here returns another participant's answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, select

from assessment.bank.answers import AnswerStatus, AnswerValue, check_answer
from assessment.bank.model import Bank
from assessment.core.errors import FoundationsError, InvalidAnswerError
from assessment.core.names import checked_name
from assessment.core.types import utcnow
from assessment.models.assessments import Organisation
from assessment.models.workshops import Participant, ParticipantAnswer, Workshop
from assessment.workshops.access import (
    OPEN,
    InvalidLinkError,
    participant_seat,
    teams_of,
    workshop_by_code,
)
from assessment.workshops.tokens import digest, new_secret, normalise_join_code

MAX_DISPLAY_NAME = 80


@dataclass(frozen=True)
class JoinView:
    """What a valid join code shows: the workshop's name and the teams one can pick."""

    title: str
    organisation: str
    teams: list[tuple[int, str]]  # (workshop team id, team name)


def join_view(session: Session, *, code: str | None) -> JoinView:
    workshop = workshop_by_code(session, code=code)
    org = session.get(Organisation, workshop.organisation_id)
    teams = [(wt.id or 0, name) for wt, name in teams_of(session, workshop_id=workshop.id or 0)]
    return JoinView(workshop.title, org.name if org else "", teams)


def clean_display_name(name: str | None) -> str:
    """Display names: trimmed, non-empty, short enough for a dashboard column."""
    name = " ".join((name or "").split())
    if not name:
        raise FoundationsError("please give a display name")
    if len(name) > MAX_DISPLAY_NAME:
        raise FoundationsError(f"a display name has at most {MAX_DISPLAY_NAME} characters")
    return checked_name("display name", name, limit=MAX_DISPLAY_NAME)


def join_workshop(session: Session, *, code: str | None, display_name: str | None, workshop_team_id: int | None) -> str:
    """Add a participant to one team of the workshop; return their token (shown only in their link)."""
    workshop = workshop_by_code(session, code=code)
    name = clean_display_name(display_name)
    team_ids = {wt.id for wt, _ in teams_of(session, workshop_id=workshop.id or 0)}
    if workshop_team_id not in team_ids:
        raise InvalidLinkError()
    token = new_secret()
    session.add(
        Participant(
            workshop_id=workshop.id or 0,
            workshop_team_id=workshop_team_id or 0,
            display_name=name,
            token_hash=digest(token),
        )
    )
    return token


@dataclass(frozen=True)
class ParticipantView:
    """Everything the participant page shows: their own answers and nothing of anyone else's."""

    workshop_title: str
    team: str
    display_name: str
    bank: Bank
    answers: dict[str, AnswerValue]
    finished: bool


def answer_of(row: ParticipantAnswer) -> AnswerValue:
    """The domain value of one stored individual answer."""
    return AnswerValue(
        status=AnswerStatus(row.status),
        value=json.loads(row.value_json) if row.value_json is not None else None,
        reason=row.reason,
        note=row.note,
    )


def participant_view(session: Session, *, token: str | None, code: str | None = None) -> ParticipantView:
    """The participant's own page; with `code` (a link carrying both), the two must be one workshop."""
    seat = participant_seat(session, token=token)
    if code is not None and normalise_join_code(code) != seat.workshop.join_code:
        raise InvalidLinkError()
    rows = session.exec(select(ParticipantAnswer).where(ParticipantAnswer.participant_id == seat.participant.id))
    return ParticipantView(
        seat.workshop.title,
        seat.team_name,
        seat.participant.display_name,
        seat.bank,
        {r.question_key: answer_of(r) for r in rows},
        seat.participant.finished_at is not None,
    )


# token digest -> the bank of the participant's round. Only a shortcut for validation:
# who may write is decided again by the upsert itself (token, open, not expired).
_bank_by_token: dict[str, Bank] = {}
_MAX_CACHED = 4096
_ANSWER_COLUMNS = ("status", "value_json", "reason", "note", "answered_at")


@lru_cache(maxsize=4)
def _guarded_upsert(dialect: str) -> Any:
    """INSERT .. SELECT .. ON CONFLICT: writes only through a valid token of an open, unexpired workshop.

    Built once per dialect; a save is this one statement, so no read-then-write race
    exists and closing a workshop takes effect for the very next save.
    """
    table, participant, workshop = (
        SQLModel.metadata.tables[name]
        for name in (ParticipantAnswer.__tablename__, Participant.__tablename__, Workshop.__tablename__)
    )
    values = [sa.bindparam(c, type_=table.c[c].type) for c in _ANSWER_COLUMNS]
    source = (
        sa.select(participant.c.id, sa.bindparam("question_key", type_=sa.String), *values, sa.literal(1))
        .select_from(participant.join(workshop, workshop.c.id == participant.c.workshop_id))
        .where(
            participant.c.token_hash == sa.bindparam("digest"),
            workshop.c.status == OPEN,
            workshop.c.expires_at > sa.bindparam("now", type_=workshop.c.expires_at.type),
        )
    )
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    stmt = insert.from_select(["participant_id", "question_key", *_ANSWER_COLUMNS, "version"], source)
    return stmt.on_conflict_do_update(
        index_elements=["participant_id", "question_key"],
        set_={**{c: stmt.excluded[c] for c in _ANSWER_COLUMNS}, "version": table.c.version + 1},
    ).returning(table.c.version)


def _bank_for(session: Session, token: str | None) -> Bank:
    hashed = digest(token or "")
    bank = _bank_by_token.get(hashed)
    if bank is None:
        bank = participant_seat(session, token=token).bank
        if len(_bank_by_token) >= _MAX_CACHED:
            _bank_by_token.clear()
        _bank_by_token[hashed] = bank
    return bank


def save_participant_answer(session: Session, *, token: str | None, question_key: str, answer: AnswerValue) -> int:
    """Validate and store one of the participant's answers in one guarded upsert; return its version."""
    question = _bank_for(session, token).questions_by_key().get(question_key)
    if question is None:
        raise InvalidAnswerError(f"{question_key}: unknown question key")
    answer = check_answer(question, answer)
    now = utcnow()
    params = {
        "digest": digest(token or ""),
        "question_key": question_key,
        "now": now,
        "answered_at": now,
        "status": answer.status.value,
        "value_json": answer.value_json(),
        "reason": answer.reason,
        "note": answer.note,
    }
    connection = session.connection()  # a Core statement: skip the ORM execute path, same transaction
    version = connection.execute(_guarded_upsert(connection.dialect.name), params).scalar_one_or_none()
    if version is None:
        raise InvalidLinkError()
    return int(version)


def set_finished(session: Session, *, token: str | None, finished: bool) -> None:
    """The participant says they are done (or not yet); the facilitator sees it."""
    participant = participant_seat(session, token=token).participant
    participant.finished_at = utcnow() if finished else None
    session.add(participant)
