"""The portfolio of an organisation: every team's latest round side by side, aggregated in SQL.

Everything here reads the stored scores (`score_models`), which every answer
write keeps current, so the page costs a handful of queries whatever the number
of teams: no team is scored in Python on a page view. Filtering, sorting and
paging then work on the few hundred rows those queries return.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from assessment import access
from assessment.access import Action, authorize_in
from assessment.bank import Bank
from assessment.bulk import latest_rounds
from assessment.errors import NotFoundError
from assessment.models import AnswerEvent, Assessment, BankVersion, Organisation, Team
from assessment.questions import default_bank
from assessment.repository import bank_of
from assessment.score_models import AssessmentScoreRow, FoundationScore, ReadinessRow


class Cell(NamedTuple):
    """One foundation of one round: score 0-100, level 0-4 after the gate cap, gate state."""

    score: int
    level: int
    gate: str


@dataclass(frozen=True)
class TeamRow:
    """A team's latest round as the portfolio shows it, with its previous round for movement."""

    team_id: int
    team: str
    assessment_id: int
    round_number: int
    rounds: int
    status: str
    label: str | None
    created_at: datetime
    overall: int
    answered: int
    total: int
    carried_over: int
    high_risks: int
    cells: dict[str, Cell]
    ready: dict[str, bool]
    previous_id: int | None = None
    previous_overall: int | None = None
    previous_cells: dict[str, Cell] = field(default_factory=dict)
    previous_ready: dict[str, bool] = field(default_factory=dict)

    @property
    def movement(self) -> int | None:
        """Change of the overall score since the previous round (None for a first round)."""
        return None if self.previous_overall is None else self.overall - self.previous_overall

    def level_change(self, foundation: str) -> int | None:
        now, before = self.cells.get(foundation), self.previous_cells.get(foundation)
        return None if now is None or before is None else now.level - before.level

    @property
    def ready_count(self) -> int:
        return sum(self.ready.values())


@dataclass(frozen=True)
class TrendPoint:
    round_number: int
    foundation: str
    mean_score: float
    teams: int


@dataclass(frozen=True)
class Portfolio:
    organisation_id: int
    organisation: str
    foundations: tuple[tuple[str, str], ...]  # (key, title) in bank order
    end_states: tuple[tuple[str, str, dict[str, int]], ...]  # (key, title, required levels)
    teams: tuple[TeamRow, ...]  # teams with at least one round, by name
    teams_without_rounds: int
    level_counts: dict[str, tuple[int, ...]]  # foundation -> teams at level 0..4 (latest rounds)
    ready_counts: dict[str, int]  # end state -> teams ready (latest rounds)

    def foundation_title(self, key: str) -> str:
        return dict(self.foundations).get(key, key)

    def end_state_title(self, key: str) -> str:
        return next((title for k, title, _ in self.end_states if k == key), key)


def _org(session: Session, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"no organisation with id {organisation_id}")
    return org


def portfolio_data(session: Session, *, organisation_id: int) -> Portfolio:
    """Every team's latest round with its scores, readiness and previous round, in six queries."""
    authorize_in(session, None, Action.VIEW_PORTFOLIO, access.organisation(organisation_id))
    org = _org(session, organisation_id)
    pairs = _round_pairs(organisation_id)
    heads = list(session.execute(_heads_query(pairs)))
    cells = _cells(session, pairs)
    ready = _readiness(session, pairs)
    teams = tuple(_team_row(h, cells, ready) for h in heads)
    banks = _banks(session, organisation_id)
    return Portfolio(
        organisation_id=organisation_id, organisation=org.name,
        foundations=_foundations(banks), end_states=_end_states(banks), teams=teams,
        teams_without_rounds=_teams_without_rounds(session, organisation_id),
        level_counts=_level_counts(session, pairs), ready_counts=_ready_counts(session, pairs),
    )


def _round_pairs(organisation_id: int) -> sa.Subquery:
    """Per team: its latest round number, its round count and the round number just before the latest."""
    latest = latest_rounds(organisation_id)
    counted = (select(Assessment.team_id, func.count().label("rounds"),
                      func.max(sa.case((col(Assessment.round_number) < latest.c.round_number,
                                        Assessment.round_number))).label("previous"))
               .join(latest, latest.c.team_id == Assessment.team_id)
               .group_by(col(Assessment.team_id)).subquery("counted"))
    return (select(latest.c.team_id, latest.c.round_number.label("latest"), counted.c.rounds, counted.c.previous)
            .join(counted, counted.c.team_id == latest.c.team_id).subquery("pairs"))


def _heads_query(pairs: sa.Subquery) -> Any:
    now, before = sa.orm.aliased(Assessment, name="now"), sa.orm.aliased(Assessment, name="before")
    s_now, s_before = sa.orm.aliased(AssessmentScoreRow, name="s_now"), sa.orm.aliased(AssessmentScoreRow,
                                                                                         name="s_before")
    return (
        sa.select(*(col(c) for c in (Team.id, Team.name, now.id, now.round_number)), pairs.c.rounds,
                  *(col(c) for c in (now.status, now.label, now.created_at, s_now.overall, s_now.answered,
                                     s_now.total, s_now.carried_over, s_now.high_risks, before.id,
                                     s_before.overall)))
        .join(pairs, pairs.c.team_id == Team.id)
        .join(now, sa.and_(col(now.team_id) == Team.id, col(now.round_number) == pairs.c.latest))
        .join(s_now, col(s_now.assessment_id) == now.id, isouter=True)
        .join(before, sa.and_(col(before.team_id) == Team.id, col(before.round_number) == pairs.c.previous),
              isouter=True)
        .join(s_before, col(s_before.assessment_id) == before.id, isouter=True)
        .order_by(Team.name)
    )


def _pair_rounds(pairs: sa.Subquery) -> Any:
    """Join condition: an assessment that is a team's latest or previous round."""
    return sa.and_(col(Assessment.team_id) == pairs.c.team_id,
                   sa.or_(col(Assessment.round_number) == pairs.c.latest,
                          col(Assessment.round_number) == pairs.c.previous))


def _cells(session: Session, pairs: sa.Subquery) -> dict[int, dict[str, Cell]]:
    rows = session.execute(
        sa.select(*(col(c) for c in (FoundationScore.assessment_id, FoundationScore.foundation,
                                     FoundationScore.score, FoundationScore.level, FoundationScore.gate)))
        .join(Assessment, col(Assessment.id) == FoundationScore.assessment_id).join(pairs, _pair_rounds(pairs))
    )
    cells: dict[int, dict[str, Cell]] = defaultdict(dict)
    for assessment_id, foundation, score, level, gate in rows:
        cells[assessment_id][foundation] = Cell(score, level, gate)
    return cells


def _readiness(session: Session, pairs: sa.Subquery) -> dict[int, dict[str, bool]]:
    rows = session.execute(
        select(ReadinessRow.assessment_id, ReadinessRow.end_state, ReadinessRow.ready)
        .join(Assessment, col(Assessment.id) == ReadinessRow.assessment_id).join(pairs, _pair_rounds(pairs))
    )
    ready: dict[int, dict[str, bool]] = defaultdict(dict)
    for assessment_id, end_state, is_ready in rows:
        ready[assessment_id][end_state] = bool(is_ready)
    return ready


def _team_row(head: Any, cells: dict[int, dict[str, Cell]], ready: dict[int, dict[str, bool]]) -> TeamRow:
    (team_id, name, assessment_id, round_number, rounds, status, label, created_at, overall, answered, total,
     carried, high, previous_id, previous_overall) = head
    return TeamRow(
        team_id=team_id, team=name, assessment_id=assessment_id, round_number=round_number, rounds=rounds,
        status=status, label=label, created_at=created_at, overall=overall or 0, answered=answered or 0,
        total=total or 0, carried_over=carried or 0, high_risks=high or 0, cells=cells.get(assessment_id, {}),
        ready=ready.get(assessment_id, {}), previous_id=previous_id, previous_overall=previous_overall,
        previous_cells=cells.get(previous_id, {}) if previous_id is not None else {},
        previous_ready=ready.get(previous_id, {}) if previous_id is not None else {},
    )


def _banks(session: Session, organisation_id: int) -> list[Bank]:
    """The bank versions the organisation's rounds use, newest first (the shipped bank when none)."""
    versions = session.exec(
        select(BankVersion).where(col(BankVersion.id).in_(
            select(Assessment.bank_version_id).join(Team, col(Team.id) == Assessment.team_id)
            .where(Team.organisation_id == organisation_id)))
        .order_by(col(BankVersion.created_at).desc(), col(BankVersion.id).desc())
    ).all()
    return [bank_of(v) for v in versions] or [default_bank()]


def _foundations(banks: Sequence[Bank]) -> tuple[tuple[str, str], ...]:
    seen: dict[str, str] = {}
    for bank in banks:
        for f in bank.foundations:
            seen.setdefault(f.key, f.title)
    return tuple(seen.items())


def _end_states(banks: Sequence[Bank]) -> tuple[tuple[str, str, dict[str, int]], ...]:
    seen: dict[str, tuple[str, str, dict[str, int]]] = {}
    for bank in banks:
        for e in bank.end_states:
            seen.setdefault(e.key, (e.key, e.title, dict(e.requires)))
    return tuple(seen.values())


def _teams_without_rounds(session: Session, organisation_id: int) -> int:
    return int(session.exec(
        select(func.count()).select_from(Team).where(
            Team.organisation_id == organisation_id,
            ~sa.exists().where(col(Assessment.team_id) == col(Team.id)))
    ).one())


def _level_counts(session: Session, pairs: sa.Subquery) -> dict[str, tuple[int, ...]]:
    rows = session.execute(
        select(FoundationScore.foundation, FoundationScore.level, func.count())
        .join(Assessment, col(Assessment.id) == FoundationScore.assessment_id)
        .join(pairs, sa.and_(col(Assessment.team_id) == pairs.c.team_id, col(Assessment.round_number) == pairs.c.latest))
        .group_by(col(FoundationScore.foundation), col(FoundationScore.level))
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    for foundation, level, n in rows:
        counts[foundation][level] = n
    return {k: tuple(v) for k, v in counts.items()}


def _ready_counts(session: Session, pairs: sa.Subquery) -> dict[str, int]:
    rows = session.execute(
        select(ReadinessRow.end_state, func.sum(sa.case((col(ReadinessRow.ready), 1), else_=0)))
        .join(Assessment, col(Assessment.id) == ReadinessRow.assessment_id)
        .join(pairs, sa.and_(col(Assessment.team_id) == pairs.c.team_id, col(Assessment.round_number) == pairs.c.latest))
        .group_by(col(ReadinessRow.end_state))
    )
    return {end_state: int(n or 0) for end_state, n in rows}


def foundation_trend(session: Session, *, organisation_id: int,
                     team_ids: Sequence[int] | None = None) -> list[TrendPoint]:
    """Mean score of each foundation per round number, over all teams or the given ones."""
    authorize_in(session, None, Action.VIEW_PORTFOLIO, access.organisation(organisation_id))
    query = (
        select(Assessment.round_number, FoundationScore.foundation, func.avg(FoundationScore.score), func.count())
        .join(Assessment, col(Assessment.id) == FoundationScore.assessment_id)
        .join(Team, col(Team.id) == Assessment.team_id)
        .where(Team.organisation_id == organisation_id)
        .group_by(col(Assessment.round_number), col(FoundationScore.foundation))
        .order_by(col(Assessment.round_number), col(FoundationScore.foundation))
    )
    if team_ids is not None:
        query = query.where(col(Team.id).in_(list(team_ids)))
    return [TrendPoint(r, f, round(float(mean), 1), int(n)) for r, f, mean, n in session.execute(query)]


def data_stamp(session: Session) -> tuple[int, ...]:
    """A cheap fingerprint that changes with every answer event, new round, new team or DORA import.

    Caches of portfolio data key on it, so a cached portfolio is never older than the database.
    Each part is a max or count over a primary key or an indexed column.
    """
    from assessment.dora.models import DoraFigures, DoraImport  # the DORA tables are optional to this module

    parts = [func.max(AnswerEvent.id), func.max(Assessment.id), func.max(Team.id), func.count(Team.id),
             func.max(DoraImport.id), func.max(DoraFigures.id)]
    stamp = session.execute(sa.select(*[sa.select(part).scalar_subquery() for part in parts])).one()
    return tuple(int(v or 0) for v in stamp)
