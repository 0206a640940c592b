"""Load every round of an organisation (or only each team's latest) in two queries.

Exports and the portfolio report need the answers of hundreds of rounds; loading
them one assessment at a time would cost several queries per round.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from assessment.assessments.lookup import bank_of, to_value
from assessment.assessments.repository import AssessmentData
from assessment.bank.answers import AnswerValue
from assessment.core.errors import NotFoundError
from assessment.models.assessments import Answer, Assessment, BankVersion, Organisation, Team
from assessment.organisations.directory import find_organisation


def organisation_named(session: Session, name: str) -> Organisation:
    """The organisation with this name, or NotFoundError naming it."""
    org = find_organisation(session, name=name)
    if org is None:
        raise NotFoundError(f"no organisation named {name!r}")
    return org


def latest_rounds(organisation_id: int) -> sa.Subquery:
    """(team_id, round_number) of each team's newest round in the organisation."""
    return (
        select(Assessment.team_id, func.max(Assessment.round_number).label("round_number"))
        .join(Team, col(Team.id) == Assessment.team_id)
        .where(Team.organisation_id == organisation_id)
        .group_by(col(Assessment.team_id))
        .subquery("latest")
    )


def load_organisation_rounds(
    session: Session, *, organisation_id: int, latest_only: bool = False
) -> list[AssessmentData]:
    """Every round of the organisation's teams (or each team's newest), by team name then round."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"no organisation with id {organisation_id}")
    rounds = list(
        session.exec(
            _scoped(
                select(Assessment, Team.name, BankVersion).join(
                    BankVersion, col(BankVersion.id) == Assessment.bank_version_id
                ),
                organisation_id,
                latest_only,
            ).order_by(Team.name, Assessment.round_number)
        )
    )
    answers, meta, carried = _answers(session, organisation_id, latest_only)
    return [
        AssessmentData(
            id=a.id or 0,
            organisation=org.name,
            team=team,
            team_id=a.team_id,
            round_number=a.round_number,
            label=a.label,
            status=a.status,
            created_at=a.created_at,
            completed_at=a.completed_at,
            bank=bank_of(version),
            answers=answers[a.id or 0],
            answer_meta=meta[a.id or 0],
            carried_over=frozenset(carried[a.id or 0]),
        )
        for a, team, version in rounds
    ]


def _scoped(query: Any, organisation_id: int, latest_only: bool) -> Any:
    """Restrict a query over Assessment to the organisation (and to each team's newest round)."""
    query = query.join(Team, col(Team.id) == Assessment.team_id).where(Team.organisation_id == organisation_id)
    if latest_only:
        latest = latest_rounds(organisation_id)
        query = query.join(
            latest,
            sa.and_(latest.c.team_id == Assessment.team_id, latest.c.round_number == Assessment.round_number),
        )
    return query


def _answers(
    session: Session, organisation_id: int, latest_only: bool
) -> tuple[dict[int, dict[str, AnswerValue]], dict[int, dict[str, tuple[str, datetime, int]]], dict[int, set[str]]]:
    answers: dict[int, dict[str, AnswerValue]] = defaultdict(dict)
    meta: dict[int, dict[str, tuple[str, datetime, int]]] = defaultdict(dict)
    carried: dict[int, set[str]] = defaultdict(set)
    query = _scoped(
        select(Answer).join(Assessment, col(Assessment.id) == Answer.assessment_id),
        organisation_id,
        latest_only,
    )
    for row in session.exec(query.order_by(col(Answer.id))):
        answers[row.assessment_id][row.question_key] = to_value(row)
        meta[row.assessment_id][row.question_key] = (row.answered_by, row.answered_at, row.version)
        if row.carried_over:
            carried[row.assessment_id].add(row.question_key)
    return answers, meta, carried


def carried_over_of(session: Session, *, organisation_id: int, latest_only: bool = False) -> dict[int, set[str]]:
    """Per assessment, the question keys whose answers are unconfirmed copies from an earlier round."""
    found: dict[int, set[str]] = defaultdict(set)
    query = _scoped(
        select(Answer.assessment_id, Answer.question_key).join(Assessment, col(Assessment.id) == Answer.assessment_id),
        organisation_id,
        latest_only,
    )
    for assessment_id, key in session.exec(query.where(col(Answer.carried_over))):
        found[assessment_id].add(key)
    return found
