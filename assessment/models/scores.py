"""Stored scores: each assessment's overall score, foundation levels and readiness, kept current.

They are derived data, recomputed from the answers in the same transaction as
every answer write, so the portfolio can aggregate hundreds of teams in SQL
instead of scoring every team in Python on every page view.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class AssessmentScoreRow(SQLModel, table=True):
    """One assessment's overall score and progress."""

    __tablename__ = "assessment_score"

    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", primary_key=True)
    overall: int = Field(ge=0, le=100)
    answered: int = Field(ge=0)
    total: int = Field(ge=0)
    high_risks: int = Field(ge=0)
    medium_risks: int = Field(ge=0)
    carried_over: int = Field(default=0, ge=0, description="Answers copied from an earlier round, unconfirmed.")


class FoundationScore(SQLModel, table=True):
    """One foundation of one assessment: score 0-100, level after the gate cap, gate state."""

    __tablename__ = "foundation_score"

    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", primary_key=True)
    foundation: str = Field(max_length=64, primary_key=True)
    score: int = Field(ge=0, le=100)
    level: int = Field(ge=0, le=4)
    gate: str = Field(max_length=20, description="passed | failed | unknown | unanswered")
    answered: int = Field(ge=0)
    total: int = Field(ge=0)


class ReadinessRow(SQLModel, table=True):
    """Whether one assessment is ready for one end state (or exposed), and how many foundations fall short."""

    __tablename__ = "end_state_readiness"

    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", primary_key=True)
    end_state: str = Field(max_length=64, primary_key=True)
    ready: bool
    shortfalls: int = Field(ge=0)
    exposed: bool = Field(default=False, description="Not ready, and already working in the end state regardless.")
