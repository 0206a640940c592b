"""Database tables. Organisation > team > assessment (a round) > answers, plus history.

Timestamps are stored in UTC and always come back timezone-aware, whatever the
backend, so exports and comparisons never mix naive and aware values.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessment.core.types import UTCDateTime, utcnow


def _created() -> datetime:
    return utcnow()


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, sa_column_kwargs={"unique": True}, nullable=False)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime, nullable=False)
    dora_lookback_hours: float | None = None  # attribution look-back for DORA; None: the product default


class Team(SQLModel, table=True):
    __tablename__ = "team"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name", name="uq_team_org_name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime, nullable=False)


class BankVersion(SQLModel, table=True):
    """An immutable snapshot of a question bank; assessments point at exactly one."""

    __tablename__ = "bank_version"
    __table_args__ = (sa.UniqueConstraint("bank_id", "version", name="uq_bank_version"),)

    id: int | None = Field(default=None, primary_key=True)
    bank_id: str = Field(max_length=64)
    version: str = Field(max_length=32)
    title: str = Field(max_length=200)
    content_hash: str = Field(max_length=64)
    content: str = Field(sa_type=sa.Text, description="The bank as canonical JSON.")
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime, nullable=False)


class Assessment(SQLModel, table=True):
    """One round of one team against one bank version."""

    __tablename__ = "assessment"
    __table_args__ = (sa.UniqueConstraint("team_id", "round_number", name="uq_assessment_round"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", index=True)
    bank_version_id: int = Field(foreign_key="bank_version.id", ondelete="RESTRICT", index=True)
    round_number: int = Field(ge=1)
    label: str | None = Field(default=None, max_length=200)
    status: str = Field(default="in_progress", max_length=20)
    created_by: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime, nullable=False)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AnswerFields(SQLModel):
    """What an answer holds; shared by the current answer and its history."""

    question_key: str = Field(max_length=64)
    status: str = Field(max_length=20, description="answered | dont_know | not_applicable")
    value_json: str | None = Field(default=None, sa_type=sa.Text)
    reason: str | None = Field(default=None, sa_type=sa.Text)
    note: str | None = Field(default=None, sa_type=sa.Text)
    evidence_url: str | None = Field(default=None, max_length=2000)
    evidence_date: date | None = None
    answered_by: str = Field(default="", max_length=200)


class Answer(AnswerFields, table=True):
    """The current answer to one question of one assessment."""

    __tablename__ = "answer"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "question_key", name="uq_answer_question"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", index=True)
    answered_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, description="Raised on every change; guards against stale writes.")
    carried_over: bool = Field(default=False, description="Copied from an earlier round, not yet confirmed.")


class AnswerEvent(AnswerFields, table=True):
    """Append-only history: every save and every clear of an answer."""

    __tablename__ = "answer_event"

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", index=True)
    recorded_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime, nullable=False)
