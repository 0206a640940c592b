"""Keep the stored scores (`score_models`) equal to what `score_assessment` says about the answers.

`refresh_scores` runs inside every answer write. It first locks the assessment
row (PostgreSQL `FOR NO KEY UPDATE`; SQLite writers are already serialised by
BEGIN IMMEDIATE), so of two concurrent writers to one assessment the later one
recomputes after the earlier has committed and sees both answers: the stored
scores never miss an answer. The lock does not conflict with the foreign-key
share locks that answer inserts take, so writers cannot deadlock on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from assessment.assessments.lookup import bank_of, get_assessment, get_bank_version, to_value
from assessment.bank.answers import AnswerValue
from assessment.bank.model import Bank
from assessment.core.db import table_of
from assessment.models.assessments import Answer, Assessment, BankVersion
from assessment.models.dora import DoraFinding
from assessment.models.scores import AssessmentScoreRow, FoundationScore, ReadinessRow
from assessment.scoring.engine import AssessmentScore, Risk, score_assessment
from assessment.scoring.gates import Contest, Facts
from assessment.scoring.verdicts import Readiness

TABLES = (table_of(AssessmentScoreRow), table_of(FoundationScore), table_of(ReadinessRow))
BATCH = 500  # assessments per delete/insert round in bulk refreshes


def lock_assessment(session: Session, *, assessment_id: int) -> None:
    """Serialise score refreshes of one assessment until this transaction ends (SQLite: already serial)."""
    if session.get_bind().dialect.name == "sqlite":
        return
    session.execute(
        sa.select(col(Assessment.id)).where(col(Assessment.id) == assessment_id).with_for_update(key_share=True)
    )


def refresh_scores(session: Session, *, assessment_id: int, bank: Bank | None = None) -> AssessmentScore:
    """Recompute and store one assessment's scores from its current answers; return them.

    `bank` saves two lookups when the caller already holds the assessment's bank.
    """
    lock_assessment(session, assessment_id=assessment_id)
    if bank is None:
        assessment = get_assessment(session, assessment_id=assessment_id)
        bank = bank_of(get_bank_version(session, bank_version_id=assessment.bank_version_id))
    rows = session.exec(
        select(Answer).where(Answer.assessment_id == assessment_id).execution_options(populate_existing=True)
    ).all()
    facts = Facts(contests=stored_contests(session, [assessment_id]).get(assessment_id, ()))
    result = score_assessment(bank, {r.question_key: to_value(r) for r in rows}, facts)
    write_scores(session, {assessment_id: (result, sum(1 for r in rows if r.carried_over))})
    return result


def stored_contests(session: Session, assessment_ids: Sequence[int]) -> dict[int, tuple[Contest, ...]]:
    """The contradictions stored with these assessments, as contests of the deciding tests they doubt."""
    rows = session.exec(
        select(DoraFinding)
        .where(col(DoraFinding.assessment_id).in_(list(assessment_ids)), col(DoraFinding.foundation).is_not(None))
        .order_by(col(DoraFinding.id))
    ).all()
    found: dict[int, list[Contest]] = defaultdict(list)
    for r in rows:
        found[r.assessment_id].append(Contest(r.foundation or "", r.answer_quote, r.data_quote))
    return {k: tuple(v) for k, v in found.items()}


def refresh_many(session: Session, *, assessment_ids: Sequence[int] | None = None) -> int:
    """Recompute the stored scores of many assessments (all when None) in a few queries; return how many.

    Migration 0011 (the newest change to the score tables) calls it for every assessment: it writes
    every column of the newest tables, so a migration that changes them moves that call to itself.
    """
    ids = (
        list(assessment_ids)
        if assessment_ids is not None
        else list(session.exec(select(Assessment.id).order_by(col(Assessment.id))))
    )
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = [i for i in ids[start : start + BATCH] if i is not None]
        banks = _banks_of(session, chunk)
        answers, carried = _answers_of(session, chunk)
        contests = stored_contests(session, chunk)
        write_scores(
            session,
            {
                a: (score_assessment(banks[a], answers[a], Facts(contests=contests.get(a, ()))), carried[a])
                for a in chunk
            },
        )
        done += len(chunk)
    return done


def _banks_of(session: Session, assessment_ids: Sequence[int]) -> dict[int, Bank]:
    rows = session.exec(
        select(Assessment.id, BankVersion)
        .join(BankVersion, col(BankVersion.id) == Assessment.bank_version_id)
        .where(col(Assessment.id).in_(assessment_ids))
    )
    return {int(a or 0): bank_of(version) for a, version in rows}


def _answers_of(
    session: Session, assessment_ids: Sequence[int]
) -> tuple[dict[int, dict[str, AnswerValue]], dict[int, int]]:
    answers: dict[int, dict[str, AnswerValue]] = defaultdict(dict)
    carried: dict[int, int] = defaultdict(int)
    rows = session.exec(
        select(Answer).where(col(Answer.assessment_id).in_(assessment_ids)).execution_options(populate_existing=True)
    )
    for row in rows:
        answers[row.assessment_id][row.question_key] = to_value(row)
        carried[row.assessment_id] += int(row.carried_over)
    return answers, carried


def write_scores(session: Session, results: Mapping[int, tuple[AssessmentScore, int]]) -> None:
    """Store these results (and carried-over counts) over the assessments' previous scores.

    One upsert per table: an assessment's bank never changes, so its set of
    foundations and end states never does either and no row is ever left stale.
    """
    if not results:
        return
    dialect = session.get_bind().dialect.name
    for table, rows in zip(TABLES, _score_rows(results.items()), strict=True):
        if rows:
            session.execute(_upsert(dialect, table.name), rows)  # executemany of one cached statement


@lru_cache(maxsize=16)
def _upsert(dialect: str, table_name: str) -> Any:
    """INSERT ... ON CONFLICT (primary key) DO UPDATE every other column, built once per dialect and table."""
    table = next(t for t in TABLES if t.name == table_name)
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    keys = [c.name for c in table.primary_key.columns]
    return stmt.on_conflict_do_update(
        index_elements=keys, set_={c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    )


def _score_rows(
    results: Iterable[tuple[int, tuple[AssessmentScore, int]]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    overall: list[dict[str, Any]] = []
    foundations: list[dict[str, Any]] = []
    readiness: list[dict[str, Any]] = []
    for assessment_id, (result, carried) in results:
        risks = [r.risk for r in result.risks]
        overall.append(
            {
                "assessment_id": assessment_id,
                "overall": result.overall_score,
                "answered": result.answered,
                "total": result.total,
                "carried_over": carried,
                "high_risks": risks.count(Risk.HIGH),
                "medium_risks": risks.count(Risk.MEDIUM),
            }
        )
        foundations.extend(
            {
                "assessment_id": assessment_id,
                "foundation": f.key,
                "score": f.score,
                "level": f.level,
                "gate": f.gate.value,
                "answered": f.answered,
                "total": f.total,
            }
            for f in result.foundations.values()
        )
        readiness.extend(
            {
                "assessment_id": assessment_id,
                "end_state": v.end_state,
                "ready": v.ready,
                "shortfalls": len(v.shortfalls),
                "exposed": v.status is Readiness.EXPOSED,
            }
            for v in result.verdicts
        )
    return overall, foundations, readiness
