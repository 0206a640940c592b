"""Migration 0004 computes the stored scores of every assessment that existed before it."""

from __future__ import annotations

import random

from sqlmodel import select

from assessment.assessments.repository import answers_for, store_bank
from assessment.bank.model import Bank
from assessment.core import db
from assessment.models.assessments import Answer, Assessment, Organisation, Team
from assessment.models.scores import AssessmentScoreRow, FoundationScore, ReadinessRow
from assessment.scoring.engine import score_assessment
from tests.portfolio.conftest import random_answer


def test_upgrade_backfills_scores_of_existing_assessments(database_url: str, bank: Bank) -> None:
    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine, "0003")
        rng = random.Random(4)
        with db.write_session(engine) as session:  # rows written as an older version would: no scores
            org = Organisation(name="Acme")
            session.add(org)
            session.flush()
            team = Team(organisation_id=org.id or 0, name="Payments")
            session.add(team)
            stored = store_bank(session, bank=bank)
            session.flush()
            for number in (1, 2):
                assessment = Assessment(team_id=team.id or 0, bank_version_id=stored.id or 0, round_number=number)
                session.add(assessment)
                session.flush()
                for q in rng.sample(list(bank.questions), k=20):
                    value = random_answer(rng, q)
                    session.add(
                        Answer(
                            assessment_id=assessment.id or 0,
                            question_key=q.key,
                            status=value.status.value,
                            value_json=value.value_json(),
                            reason=value.reason,
                        )
                    )
        db.upgrade(engine)
        with db.read_session(engine) as session:
            for assessment in session.exec(select(Assessment)):
                expected = score_assessment(bank, answers_for(session, assessment_id=assessment.id or 0))
                overall = session.get(AssessmentScoreRow, assessment.id)
                assert overall is not None
                assert (overall.overall, overall.answered) == (
                    expected.overall_score,
                    20,
                )
                cells = {
                    f.foundation: (f.score, f.level, f.gate)
                    for f in session.exec(select(FoundationScore).where(FoundationScore.assessment_id == assessment.id))
                }
                assert cells == {k: (f.score, f.level, f.gate.value) for k, f in expected.foundations.items()}
                ready = {
                    r.end_state: r.ready
                    for r in session.exec(select(ReadinessRow).where(ReadinessRow.assessment_id == assessment.id))
                }
                assert ready == {v.end_state: v.ready for v in expected.verdicts}
    finally:
        engine.dispose()
