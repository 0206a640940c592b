"""Most common gaps and the investments that unblock the most teams, on three teams whose answers are known."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from assessment.assessments.repository import AssessmentData
from assessment.bank.model import Bank
from assessment.demo import demo_answer
from assessment.portfolio.insights import common_gaps, team_insights, unblockers
from assessment.scoring.engine import Risk, score_assessment


def team(bank: Bank, team_id: int, name: str, **levels: int) -> AssessmentData:
    """A round whose every scored answer sits at its foundation's level (4 unless given).

    Each foundation's proof answers carry evidence dated last month, so a foundation at level 4 is proven.
    """
    answers = {q.key: demo_answer(q, levels.get(q.foundation, 4)) for q in bank.scored_questions()}
    dated = date.today() - timedelta(days=20)
    for f in bank.foundations:
        for key in f.proof:
            answers[key] = answers[key].with_details(evidence_url="https://wiki.example.org/drill", evidence_date=dated)
    return AssessmentData(
        id=team_id,
        organisation="Acme",
        team=name,
        team_id=team_id,
        round_number=1,
        label=None,
        status="completed",
        created_at=datetime.now(UTC),
        completed_at=None,
        bank=bank,
        answers=answers,
        answer_meta={},
    )


def test_gaps_rank_by_teams_then_high_risk_then_bank_order(bank: Bank) -> None:
    weak = {f.key: 1 for f in bank.foundations}
    rounds = [
        team(bank, 1, "Weak", **weak),
        team(bank, 2, "Proven"),
        team(bank, 3, "Slow rollback", rollback_speed=0),
    ]
    gaps = common_gaps(team_insights(rounds), limit=100)
    expected: dict[str, int] = {}
    for data in rounds:  # the obvious count: weak answers per question over the teams
        for key, result in score_assessment(bank, data.answers).questions.items():
            if result.risk in (Risk.HIGH, Risk.MEDIUM):
                expected[key] = expected.get(key, 0) + 1
    assert {g.question_key: g.teams for g in gaps} == expected
    rollback = {q.key for q in bank.questions_for("rollback_speed")}
    shared = [g for g in gaps if g.teams == 2]
    assert shared
    assert {g.question_key for g in shared} <= rollback
    assert gaps[: len(shared)] == shared
    order = {q.key: n for n, q in enumerate(bank.questions)}
    assert [g.question_key for g in shared] == sorted(
        (g.question_key for g in shared),
        key=lambda k: (-next(g.high for g in shared if g.question_key == k), order[k]),
    )
    assert common_gaps(team_insights([rounds[1]])) == []


def test_unblockers_count_teams_blocked_by_the_investments_foundation(bank: Bank) -> None:
    weak = {f.key: 1 for f in bank.foundations}
    rounds = [
        team(bank, 1, "Weak", **weak),
        team(bank, 2, "Proven"),
        team(bank, 3, "Slow rollback", rollback_speed=0),
    ]
    insights = team_insights(rounds)
    ranked = unblockers(insights, limit=100)
    by_key = {u.key: u for u in ranked}
    assert by_key["one_step_rollback"].teams == 2  # the weak team and the slow-rollback team
    assert all(u.teams == 1 for u in ranked if u.foundation != "Deployment rollback speed")
    assert [u.teams for u in ranked] == sorted((u.teams for u in ranked), reverse=True)
    slow = insights[2]
    blocked = {v.title for v in slow.score.verdicts if not v.ready}
    assert {title for title, _ in by_key["one_step_rollback"].end_states} >= blocked
    assert unblockers(team_insights([rounds[1]])) == []
