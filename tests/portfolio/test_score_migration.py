"""The upgrade computes the stored scores of every assessment that existed before them (in 0011, the newest change
to the score tables), with the contests 0006 gives existing findings and the exposure 0011 adds."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from assessment.assessments.repository import answers_for, store_bank
from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.types import utcnow
from assessment.demo import demo_answer
from assessment.models.assessments import Answer, Assessment, Team
from assessment.models.dora import DoraFinding
from assessment.models.scores import AssessmentScoreRow, FoundationScore, ReadinessRow
from assessment.scoring.engine import score_assessment
from tests.support.builders import random_answer


def _old_organisation(session: Session, name: str) -> int:
    """An organisation row as an older schema holds it (the table's later columns do not exist yet)."""
    session.execute(
        sa.text("INSERT INTO organisation (name, created_at) VALUES (:name, :at)"), {"name": name, "at": utcnow()}
    )
    return int(session.execute(sa.text("SELECT id FROM organisation WHERE name = :name"), {"name": name}).scalar_one())


def test_upgrade_backfills_scores_of_existing_assessments(database_url: str, bank: Bank) -> None:
    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine, "0003")
        rng = random.Random(4)
        with db.write_session(engine) as session:  # rows written as an older version would: no scores
            org = _old_organisation(session, "Acme")
            team = Team(organisation_id=org, name="Payments")
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
                    r.end_state: (r.ready, r.exposed)
                    for r in session.exec(select(ReadinessRow).where(ReadinessRow.assessment_id == assessment.id))
                }
                assert ready == {v.end_state: (v.ready, v.status.value == "exposed") for v in expected.verdicts}
    finally:
        engine.dispose()


def test_upgrade_to_0006_contests_the_deciding_tests_of_existing_findings(database_url: str, bank: Bank) -> None:
    """A finding stored before 0006 gets its foundation from its rule, and the stored scores are recomputed with it."""
    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine, "0005")
        answers = {q.key: demo_answer(q, 4) for q in bank.scored_questions()}  # every deciding test passes
        with db.write_session(engine) as session:
            org = _old_organisation(session, "Acme")
            team = Team(organisation_id=org, name="Checkout")
            session.add(team)
            stored = store_bank(session, bank=bank)
            session.flush()
            assessment = Assessment(team_id=team.id or 0, bank_version_id=stored.id or 0, round_number=1)
            session.add(assessment)
            session.flush()
            assessment_id = assessment.id or 0
            for key, value in answers.items():
                session.add(
                    Answer(
                        assessment_id=assessment_id,
                        question_key=key,
                        status=value.status.value,
                        value_json=value.value_json(),
                    )
                )
            session.flush()
            for key, f in score_assessment(bank, answers).foundations.items():  # as version 0005 stored them
                session.execute(
                    sa.text(
                        "INSERT INTO foundation_score (assessment_id, foundation, score, level, gate, answered, total) "
                        "VALUES (:a, :f, :s, :l, :g, :n, :t)"
                    ),
                    {"a": assessment_id, "f": key, "s": f.score, "l": f.level, "g": f.gate.value}
                    | {"n": f.answered, "t": f.total},
                )
            session.execute(  # a finding as 0005 stored it: no foundation column yet
                sa.text(
                    "INSERT INTO dora_finding (assessment_id, rule, title, answer_quote, data_quote, explanation, "
                    "computed_at) VALUES (:a, 'rollback_vs_recovery', 'Rollback against recovery', "
                    "'last rollback: 2 minutes', 'median time to restore: 9 hours', 'x', :at)"
                ),
                {"a": assessment_id, "at": datetime(2026, 11, 1, tzinfo=UTC)},
            )
        with db.read_session(engine) as session:
            gate = session.get(FoundationScore, (assessment_id, "rollback_speed"))
            assert gate is not None
            assert gate.gate == "passed"
        db.upgrade(engine)
        with db.read_session(engine) as session:
            finding = session.exec(select(DoraFinding)).one()
            assert finding.foundation == "rollback_speed"
            gate = session.get(FoundationScore, (assessment_id, "rollback_speed"))
            assert gate is not None
            assert (gate.gate, gate.level) == ("contested", 2)
            ready = session.get(ReadinessRow, (assessment_id, "deployment_autonomy"))
            assert ready is not None
            assert not ready.ready
    finally:
        engine.dispose()
