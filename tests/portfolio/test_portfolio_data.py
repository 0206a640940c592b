"""The SQL-aggregated portfolio against a slow, obviously correct version that scores every round in Python.

Random organisations (seeded) are written through the real repository
functions, so the stored scores are exactly what answer writes leave behind:
saves, clears, pre-filled rounds and empty rounds included.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from assessment.assessments.repository import list_assessments, load_assessment, save_answer, set_status
from assessment.assessments.scores import refresh_many
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import demo_answer
from assessment.organisations.directory import list_teams
from assessment.portfolio.data import Cell, Portfolio, portfolio_data
from assessment.portfolio.filters import TeamFilter, filter_teams, page, page_count, sort_teams
from assessment.portfolio.trend import foundation_trend
from assessment.scoring.engine import score_assessment
from tests.support.builders import answer_all, new_round, org_id, random_organisation


def slow_teams(session: Session, organisation_id: int) -> dict[str, dict[str, Any]]:
    """Per team with a completed round: what its latest and previous completed rounds score, computed from
    the answers, and its newer round in progress if any."""
    expected: dict[str, dict[str, Any]] = {}
    for team in list_teams(session, organisation_id=organisation_id):
        everything = list_assessments(session, team_id=team.id)
        rounds = [r for r in everything if r.status == "completed"]
        if not rounds:
            continue
        latest = load_assessment(session, assessment_id=rounds[-1].id)
        score = score_assessment(latest.bank, latest.answers)
        previous = None
        if len(rounds) > 1:
            before = load_assessment(session, assessment_id=rounds[-2].id)
            previous = score_assessment(before.bank, before.answers)
        newest = everything[-1]
        expected[team.name] = {
            "round_number": latest.round_number,
            "rounds": len(rounds),
            "overall": score.overall_score,
            "answered": score.answered,
            "cells": {k: Cell(f.score, f.level, f.gate.value) for k, f in score.foundations.items()},
            "ready": {v.end_state: v.ready for v in score.verdicts},
            "previous_overall": previous.overall_score if previous else None,
            "previous_levels": {k: f.level for k, f in previous.foundations.items()} if previous else {},
            "previous_ready": {v.end_state: v.ready for v in previous.verdicts} if previous else {},
            "in_progress": None if newest.status == "completed" else newest.round_number,
        }
    return expected


def slow_trend(session: Session, organisation_id: int) -> dict[tuple[int, str], tuple[float, int]]:
    """Mean per round over the teams that completed rounds 1..R, R the most rounds half the teams reached."""
    completed: dict[int, dict[int, int]] = {}
    for team in list_teams(session, organisation_id=organisation_id):
        completed[team.id or 0] = {
            s.round_number: s.id for s in list_assessments(session, team_id=team.id) if s.status == "completed"
        }
    reach = {
        t: max((r for r in range(1, 5) if all(n in rounds for n in range(1, r + 1))), default=0)
        for t, rounds in completed.items()
    }
    reached = sorted((r for r in reach.values() if r), reverse=True)
    if not reached:
        return {}
    top = reached[(len(reached) - 1) // 2]
    scores: dict[tuple[int, str], list[int]] = defaultdict(list)
    for team_id, rounds in completed.items():
        if reach[team_id] < top:
            continue
        for number in range(1, top + 1):
            data = load_assessment(session, assessment_id=rounds[number])
            for key, f in score_assessment(data.bank, data.answers).foundations.items():
                scores[(number, key)].append(f.score)
    return {k: (round(sum(v) / len(v), 1), len(v)) for k, v in scores.items()}


def assert_matches_slow(session: Session, portfolio: Portfolio) -> None:
    expected = slow_teams(session, portfolio.organisation_id)
    got = {
        row.team: {
            "round_number": row.round_number,
            "rounds": row.rounds,
            "overall": row.overall,
            "answered": row.answered,
            "cells": row.cells,
            "ready": row.ready,
            "previous_overall": row.previous_overall,
            "previous_levels": {k: c.level for k, c in row.previous_cells.items()},
            "previous_ready": row.previous_ready,
            "in_progress": None if row.in_progress is None else row.in_progress.round_number,
        }
        for row in portfolio.teams
    }
    assert got == expected
    levels: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    for team in expected.values():
        for key, cell in team["cells"].items():
            levels[key][cell.level] += 1
    assert portfolio.level_counts == {k: tuple(v) for k, v in levels.items()}
    assert portfolio.ready_counts == {
        e: sum(t["ready"][e] for t in expected.values()) for e, _, _ in portfolio.end_states
    }
    trend = foundation_trend(session, organisation_id=portfolio.organisation_id)
    assert {(p.round_number, p.foundation): (p.mean_score, p.teams) for p in trend} == slow_trend(
        session, portfolio.organisation_id
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_portfolio_equals_the_slow_version_on_random_data(engine: Engine, bank: Bank, seed: int) -> None:
    random_organisation(engine, bank, seed)
    random_organisation(engine, bank, seed + 100, org="Other", teams=2)  # must not leak into Acme
    with db.read_session(engine) as session:
        portfolio = portfolio_data(session, organisation_id=org_id(session))
        assert_matches_slow(session, portfolio)
    assert portfolio.teams_without_rounds == 1
    assert [r.team for r in portfolio.teams] == sorted(r.team for r in portfolio.teams)


def test_a_full_rebuild_changes_nothing(engine: Engine, bank: Bank) -> None:
    """What the answer writes left behind equals a from-scratch recomputation."""
    random_organisation(engine, bank, 11, teams=4)
    with db.read_session(engine) as session:
        before = portfolio_data(session, organisation_id=org_id(session))
    with db.write_session(engine) as session:
        assert refresh_many(session) > 0
    with db.read_session(engine) as session:
        assert portfolio_data(session, organisation_id=org_id(session)) == before


def test_concurrent_writers_to_one_round_leave_scores_that_count_every_answer(engine: Engine, bank: Bank) -> None:
    assessment_id = new_round(engine, bank, org="Acme", team="Payments")

    def write(question_key: str) -> None:
        with db.write_session(engine) as session:
            save_answer(
                session,
                assessment_id=assessment_id,
                question_key=question_key,
                answer=demo_answer(bank.question(question_key), 4),
                by=question_key,
            )

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, [q.key for q in bank.scored_questions()]))
    with db.write_session(engine) as session:
        set_status(session, assessment_id=assessment_id, completed=True)
    with db.read_session(engine) as session:
        portfolio = portfolio_data(session, organisation_id=org_id(session))
        assert_matches_slow(session, portfolio)
    assert portfolio.teams[0].answered == len(bank.scored_questions())


def test_filters_sorting_and_pages(engine: Engine, bank: Bank) -> None:
    random_organisation(engine, bank, 5, teams=8)
    with db.read_session(engine) as session:
        portfolio = portfolio_data(session, organisation_id=org_id(session))
    rows = list(portfolio.teams)
    assert [r.team for r in filter_teams(portfolio, TeamFilter(name=" team 0"))] == [r.team for r in rows]
    assert [r.team for r in filter_teams(portfolio, TeamFilter(name="TEAM 07"))] == ["Team 07"]
    below = filter_teams(portfolio, TeamFilter(foundation="rollback_speed", below_level=2))
    assert below == [r for r in rows if r.cells["rollback_speed"].level < 2]
    ready = filter_teams(portfolio, TeamFilter(end_state="deployment_autonomy", ready=False))
    assert ready == [r for r in rows if not r.ready["deployment_autonomy"]]
    assert filter_teams(portfolio, TeamFilter(end_state="deployment_autonomy")) == rows  # no readiness chosen
    by_score = sort_teams(rows, "overall", descending=True)
    assert [r.overall for r in by_score] == sorted((r.overall for r in rows), reverse=True)
    by_rollback = sort_teams(rows, "foundation:rollback_speed")
    assert [r.cells["rollback_speed"].score for r in by_rollback] == sorted(
        r.cells["rollback_speed"].score for r in rows
    )
    assert len(rows) == 8
    assert page_count(len(rows), 3) == 3
    assert [len(page(rows, n, 3)) for n in (1, 2, 3, 9)] == [3, 3, 2, 2]
    assert page(rows, 0, 3) == rows[:3]
    assert page(rows, 2, 3) == rows[3:6]


def test_an_organisation_without_rounds(engine: Engine, bank: Bank) -> None:
    assessment_id = new_round(engine, bank, org="Acme", team="Payments")
    with db.write_session(engine) as session:  # completed with no answer at all
        set_status(session, assessment_id=assessment_id, completed=True)
    with db.read_session(engine) as session:
        portfolio = portfolio_data(session, organisation_id=org_id(session))
        assert_matches_slow(session, portfolio)
    row = portfolio.teams[0]
    assert (row.overall, row.answered, row.movement, row.ready_count) == (0, 0, None, 0)
    assert {k for k, _ in portfolio.foundations} == {f.key for f in bank.foundations}


def finished_round(engine: Engine, bank: Bank, team: str, level: int) -> int:
    """A completed round of `team` with every question answered at `level`."""
    assessment_id = new_round(engine, bank, team=team)
    answer_all(engine, assessment_id, {q.key: demo_answer(q, level) for q in bank.questions})
    with db.write_session(engine) as session:
        set_status(session, assessment_id=assessment_id, completed=True)
    return assessment_id


def test_a_round_in_progress_never_poses_as_the_teams_state(engine: Engine, bank: Bank) -> None:
    """Issue 16, item 3: starting a round dropped the team to 0 and reported a fall since the last round."""
    first = finished_round(engine, bank, "Payments", 3)
    second = new_round(engine, bank, team="Payments")  # started, two answers so far
    answer_all(engine, second, {q.key: demo_answer(q, 0) for q in bank.questions[:2]})
    new_round(engine, bank, team="Search")  # a team whose first round is still open
    with db.read_session(engine) as session:
        portfolio = portfolio_data(session, organisation_id=org_id(session))
    (payments,) = portfolio.teams
    assert payments.assessment_id == first
    assert payments.overall > 50
    assert payments.movement is None  # one completed round: nothing to compare
    assert payments.in_progress is not None
    assert payments.in_progress.text == f"round 2 in progress (2 of {len(bank.questions)})"
    assert [(p.team, p.text) for p in portfolio.only_in_progress] == [
        ("Search", f"round 1 in progress (0 of {len(bank.questions)})")
    ]
    assert sum(portfolio.level_counts[bank.foundations[0].key]) == 1  # the open rounds are not counted


def test_the_trend_follows_the_same_teams_in_every_round(engine: Engine, bank: Bank) -> None:
    """Issue 16, item 4 of Why: a weaker team joining later drew another team's rise as a fall."""
    finished_round(engine, bank, "Rising", 1)
    finished_round(engine, bank, "Rising", 3)
    finished_round(engine, bank, "Strong", 4)  # one round only: not followed
    finished_round(engine, bank, "Steady", 2)
    finished_round(engine, bank, "Steady", 2)
    new_round(engine, bank, team="Steady")  # round 3 open: not drawn
    with db.read_session(engine) as session:
        trend = foundation_trend(session, organisation_id=org_id(session))
    key = bank.foundations[0].key
    means = {p.round_number: p.mean_score for p in trend if p.foundation == key}
    assert sorted(means) == [1, 2]
    assert means[2] > means[1]  # Rising rose and Steady held: the cohort's mean rises
    assert {p.teams for p in trend} == {2}
