"""Workshop tables: a facilitated session over one assessment round per team.

Secrets (the facilitator key, participant tokens) are never stored: only their
SHA-256 digests, so a copy of the database opens no workshop. Individual answers
live here as evidence; the agreed answer lives in the team's assessment and each
decision is recorded in `workshop_decision` with the spread it was taken from.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from assessment.core.types import UTCDateTime, utcnow

DIGEST_LENGTH = 64  # hex SHA-256


class Workshop(SQLModel, table=True):
    """One facilitated session for one or more teams of an organisation."""

    __tablename__ = "workshop"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=200)
    join_code: str = Field(
        max_length=16,
        sa_column_kwargs={"unique": True},
        description="Short code participants type; unique, so never reused.",
    )
    facilitator_key_hash: str = Field(max_length=DIGEST_LENGTH)
    facilitator: str = Field(default="", max_length=200)
    status: str = Field(default="open", max_length=20, description="open | closed")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(
        sa_type=UTCDateTime, nullable=False, description="Join and participant links stop working after this."
    )
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WorkshopTeam(SQLModel, table=True):
    """A team taking part in a workshop, with the assessment round the workshop fills in."""

    __tablename__ = "workshop_team"
    __table_args__ = (sa.UniqueConstraint("workshop_id", "team_id", name="uq_workshop_team"),)

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", index=True)
    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", index=True)


class Participant(SQLModel, table=True):
    """Someone answering on their own laptop; identified only by a random token."""

    __tablename__ = "participant"

    id: int | None = Field(default=None, primary_key=True)
    workshop_id: int = Field(foreign_key="workshop.id", ondelete="CASCADE", index=True)
    workshop_team_id: int = Field(foreign_key="workshop_team.id", ondelete="CASCADE", index=True)
    display_name: str = Field(max_length=80)
    token_hash: str = Field(max_length=DIGEST_LENGTH, sa_column_kwargs={"unique": True})
    joined_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ParticipantAnswer(SQLModel, table=True):
    """One participant's current answer to one question (kept as evidence after agreement)."""

    __tablename__ = "participant_answer"
    __table_args__ = (sa.UniqueConstraint("participant_id", "question_key", name="uq_participant_answer"),)

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", ondelete="CASCADE")
    question_key: str = Field(max_length=64)
    status: str = Field(max_length=20, description="answered | dont_know | not_applicable")
    value_json: str | None = Field(default=None, sa_type=sa.Text)
    reason: str | None = Field(default=None, sa_type=sa.Text)
    note: str | None = Field(default=None, sa_type=sa.Text)
    answered_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    version: int = Field(default=1, description="Raised on every change by the participant.")


class WorkshopDecision(SQLModel, table=True):
    """Audit of one agreed answer: what was decided, by whom, from which spread of answers."""

    __tablename__ = "workshop_decision"

    id: int | None = Field(default=None, primary_key=True)
    workshop_team_id: int = Field(foreign_key="workshop_team.id", ondelete="CASCADE", index=True)
    question_key: str = Field(max_length=64)
    status: str = Field(max_length=20)
    value_json: str | None = Field(default=None, sa_type=sa.Text)
    reason: str | None = Field(default=None, sa_type=sa.Text)
    note: str | None = Field(default=None, sa_type=sa.Text)
    answer_version: int = Field(description="Version of the assessment answer this decision wrote.")
    decided_by: str = Field(default="", max_length=200)
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    participants_answered: int = Field(default=0)
    distribution_json: str = Field(
        default="[]", sa_type=sa.Text, description="[[label, count], ...] of individual answers at the time."
    )
