"""The portfolio's trend across rounds: the same teams in every round, completed rounds only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in
from assessment.assessments.rounds import COMPLETED
from assessment.models.assessments import Assessment, Team
from assessment.models.scores import FoundationScore


@dataclass(frozen=True)
class TrendPoint:
    round_number: int
    foundation: str
    mean_score: float
    teams: int


def trend_cohort(session: Session, *, organisation_id: int, team_ids: Sequence[int] | None = None) -> tuple[int, ...]:
    """The teams a trend follows, and through how many rounds: the same teams in every round.

    A mean over whichever teams reached each round would draw a team's rise as a
    fall when weaker teams join later. So the trend fixes a cohort: R is the most
    completed rounds (1, 2, ... R, without a gap) that at least half of the teams
    asked about have reached, and the cohort is those teams. Returns (R, team ids...)
    with R = 0 when no team has completed a first round.
    """
    query = (
        select(Assessment.team_id, Assessment.round_number)
        .join(Team, col(Team.id) == Assessment.team_id)
        .where(Team.organisation_id == organisation_id, Assessment.status == COMPLETED)
    )
    if team_ids is not None:
        query = query.where(col(Team.id).in_(list(team_ids)))
    done: dict[int, set[int]] = defaultdict(set)
    for team_id, number in session.exec(query):
        done[team_id].add(number)
    reach = {
        team: next(r for r in range(1, len(numbers) + 2) if r not in numbers) - 1 for team, numbers in done.items()
    }
    reached = sorted((r for r in reach.values() if r > 0), reverse=True)
    if not reached:
        return (0,)
    rounds = reached[(len(reached) - 1) // 2]  # the most rounds at least half of the teams have completed
    return (rounds, *sorted(team for team, r in reach.items() if r >= rounds))


def foundation_trend(
    session: Session, *, organisation_id: int, team_ids: Sequence[int] | None = None
) -> list[TrendPoint]:
    """Mean score of each foundation per round number over a fixed cohort (`trend_cohort`) of teams, all or
    the given ones, completed rounds only: every point is the same teams."""
    authorize_in(session, None, Action.VIEW_PORTFOLIO, access.organisation(organisation_id))
    rounds, *cohort = trend_cohort(session, organisation_id=organisation_id, team_ids=team_ids)
    query = (
        select(Assessment.round_number, FoundationScore.foundation, func.avg(FoundationScore.score), func.count())
        .join(Assessment, col(Assessment.id) == FoundationScore.assessment_id)
        .where(
            col(Assessment.team_id).in_(cohort),
            Assessment.status == COMPLETED,
            col(Assessment.round_number) <= rounds,
        )
        .group_by(col(Assessment.round_number), col(FoundationScore.foundation))
        .order_by(col(Assessment.round_number), col(FoundationScore.foundation))
    )
    return [TrendPoint(r, f, round(float(mean), 1), int(n)) for r, f, mean, n in session.execute(query)]


def trend_note(trend: Sequence[TrendPoint]) -> str:
    """Which teams the trend follows (the same ones in every round), for the caption under the chart."""
    if not trend:
        return "The trend appears once a team has completed a round."
    teams, rounds = trend[0].teams, max(p.round_number for p in trend)
    return (
        f"Mean score of each foundation over the same {teams} team(s) in every round: those that completed "
        f"rounds 1 to {rounds}. Rounds still in progress are not counted."
    )
