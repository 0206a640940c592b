"""The portfolio of an organisation: every team's latest completed round side by side, aggregated in SQL.

A round still being answered is not the team's state: a team is shown with its
latest completed round, and a newer unfinished one is named as "in progress
(n of 34)" beside it; movement compares two completed rounds only.

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

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in
from assessment.assessments.lookup import bank_of
from assessment.assessments.rounds import COMPLETED
from assessment.bank.loader import default_bank
from assessment.bank.model import Bank
from assessment.core.errors import NotFoundError
from assessment.models.assessments import AnswerEvent, Assessment, BankVersion, Organisation, Team
from assessment.models.scores import AssessmentScoreRow, FoundationScore, ReadinessRow


class Cell(NamedTuple):
    """One foundation of one round: score 0-100, level 0-4 after the gate cap, gate state."""

    score: int
    level: int
    gate: str


class RoundProgress(NamedTuple):
    """A round not yet completed: which, and how far its answers got."""

    team_id: int
    team: str
    assessment_id: int
    round_number: int
    answered: int
    total: int

    @property
    def text(self) -> str:
        return f"round {self.round_number} in progress ({self.answered} of {self.total})"


@dataclass(frozen=True)
class TeamRow:
    """A team's latest completed round as the portfolio shows it, with its previous completed round for
    movement and a newer round still in progress, if any."""

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
    exposed: frozenset[str] = frozenset()  # end states the team already works in without the foundations
    previous_overall: int | None = None
    previous_cells: dict[str, Cell] = field(default_factory=dict)
    previous_ready: dict[str, bool] = field(default_factory=dict)
    in_progress: RoundProgress | None = None

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

    def readiness(self, end_state: str) -> str:
        """ "ready", "exposed" or "not ready": the verdict's words, as the team's report gives them."""
        if self.ready.get(end_state, False):
            return "ready"
        return "exposed" if end_state in self.exposed else "not ready"


@dataclass(frozen=True)
class Portfolio:
    organisation_id: int
    organisation: str
    foundations: tuple[tuple[str, str], ...]  # (key, title) in bank order
    end_states: tuple[tuple[str, str, dict[str, int]], ...]  # (key, title, required levels)
    teams: tuple[TeamRow, ...]  # teams with at least one completed round, by name
    teams_without_rounds: int
    level_counts: dict[str, tuple[int, ...]]  # foundation -> teams at level 0..4 (latest rounds)
    ready_counts: dict[str, int]  # end state -> teams ready (latest rounds)
    only_in_progress: tuple[RoundProgress, ...] = ()  # teams whose first round is not completed yet, by name

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
    """Every team's latest round with its scores, readiness and previous round, in eight short queries.

    The first query ranks each team's rounds (a window function) and returns the
    ids of the latest two; every later query selects by those ids, so no plan
    depends on table statistics (a freshly bulk-loaded PostgreSQL has none).
    """
    authorize_in(session, None, Action.VIEW_PORTFOLIO, access.organisation(organisation_id))
    org = _org(session, organisation_id)
    ranked = _ranked(session, organisation_id)
    unfinished = _in_progress(session, organisation_id)
    latest = [ids[0] for ids in ranked.values()]
    both = latest + [ids[1] for ids in ranked.values() if ids[1] is not None]
    heads, cells = _heads(session, both), _cells(session, both)
    ready, exposed = _readiness(session, both)
    teams = sorted(
        (_team_row(t, ranked[t], heads, cells, (ready, exposed), unfinished.get(t)) for t in ranked),
        key=lambda r: (r.team, r.team_id),
    )
    banks = _banks(session, organisation_id)
    return Portfolio(
        organisation_id=organisation_id,
        organisation=org.name,
        foundations=_foundations(banks),
        end_states=_end_states(banks),
        teams=tuple(teams),
        teams_without_rounds=_teams_without_rounds(session, organisation_id),
        level_counts=_level_counts(session, latest),
        ready_counts=_ready_counts(session, latest),
        only_in_progress=tuple(
            sorted((p for t, p in unfinished.items() if t not in ranked), key=lambda p: (p.team, p.team_id))
        ),
    )


def _ranked(session: Session, organisation_id: int) -> dict[int, tuple[int, int | None, int]]:
    """team id -> (latest completed round's id, previous completed round's id or None, completed rounds)."""
    order = func.row_number().over(partition_by=col(Assessment.team_id), order_by=col(Assessment.round_number).desc())
    rounds = func.count().over(partition_by=col(Assessment.team_id))
    inner = (
        sa.select(col(Assessment.id), col(Assessment.team_id), order.label("rn"), rounds.label("rounds"))
        .join(Team, col(Team.id) == Assessment.team_id)
        .where(col(Team.organisation_id) == organisation_id, col(Assessment.status) == COMPLETED)
        .subquery("ranked")
    )
    found: dict[int, list[Any]] = {}
    for assessment_id, team_id, rn, count in session.execute(sa.select(inner).where(inner.c.rn <= 2)):
        entry = found.setdefault(team_id, [None, None, count])
        entry[rn - 1] = assessment_id
    return {team: (ids[0], ids[1], ids[2]) for team, ids in found.items()}


def _in_progress(session: Session, organisation_id: int) -> dict[int, RoundProgress]:
    """team id -> its newest round, when that round is not completed (with how many questions it answered)."""
    order = func.row_number().over(partition_by=col(Assessment.team_id), order_by=col(Assessment.round_number).desc())
    inner = (
        sa.select(
            col(Assessment.id),
            col(Assessment.team_id),
            col(Team.name),
            col(Assessment.round_number),
            col(Assessment.status),
            order.label("rn"),
        )
        .join(Team, col(Team.id) == Assessment.team_id)
        .where(col(Team.organisation_id) == organisation_id)
        .subquery("newest")
    )
    rows = session.execute(
        sa.select(
            inner.c.id,
            inner.c.team_id,
            inner.c.name,
            inner.c.round_number,
            col(AssessmentScoreRow.answered),
            col(AssessmentScoreRow.total),
        )
        .join(AssessmentScoreRow, col(AssessmentScoreRow.assessment_id) == inner.c.id, isouter=True)
        .where(inner.c.rn == 1, inner.c.status != COMPLETED)
    ).all()
    return {
        team_id: RoundProgress(team_id, name, a_id, number, answered or 0, total or 0)
        for a_id, team_id, name, number, answered, total in rows
    }


def _heads(session: Session, ids: Sequence[int]) -> dict[int, Any]:
    """Per assessment id: team name, round, status, label, date and stored overall figures."""
    columns = (
        Assessment.id,
        Team.name,
        Assessment.round_number,
        Assessment.status,
        Assessment.label,
        Assessment.created_at,
        AssessmentScoreRow.overall,
        AssessmentScoreRow.answered,
        AssessmentScoreRow.total,
        AssessmentScoreRow.carried_over,
        AssessmentScoreRow.high_risks,
    )
    rows = session.execute(
        sa.select(*(col(c) for c in columns))
        .join(Team, col(Team.id) == Assessment.team_id)
        .join(AssessmentScoreRow, col(AssessmentScoreRow.assessment_id) == Assessment.id, isouter=True)
        .where(col(Assessment.id).in_(ids))
    )
    return {row[0]: row for row in rows}


def _cells(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Cell]]:
    rows = session.execute(
        sa.select(
            *(
                col(c)
                for c in (
                    FoundationScore.assessment_id,
                    FoundationScore.foundation,
                    FoundationScore.score,
                    FoundationScore.level,
                    FoundationScore.gate,
                )
            )
        ).where(col(FoundationScore.assessment_id).in_(ids))
    )
    cells: dict[int, dict[str, Cell]] = defaultdict(dict)
    for assessment_id, foundation, score, level, gate in rows:
        cells[assessment_id][foundation] = Cell(score, level, gate)
    return cells


def _readiness(session: Session, ids: Sequence[int]) -> tuple[dict[int, dict[str, bool]], dict[int, set[str]]]:
    """Per assessment: whether it is ready for each end state, and the end states it is exposed in."""
    rows = session.execute(
        sa.select(
            col(ReadinessRow.assessment_id),
            col(ReadinessRow.end_state),
            col(ReadinessRow.ready),
            col(ReadinessRow.exposed),
        ).where(col(ReadinessRow.assessment_id).in_(ids))
    )
    ready: dict[int, dict[str, bool]] = defaultdict(dict)
    exposed: dict[int, set[str]] = defaultdict(set)
    for assessment_id, end_state, is_ready, is_exposed in rows:
        ready[assessment_id][end_state] = bool(is_ready)
        if is_exposed:
            exposed[assessment_id].add(end_state)
    return ready, exposed


def _team_row(
    team_id: int,
    ranked: tuple[int, int | None, int],
    heads: dict[int, Any],
    cells: dict[int, dict[str, Cell]],
    readiness: tuple[dict[int, dict[str, bool]], dict[int, set[str]]],
    in_progress: RoundProgress | None,
) -> TeamRow:
    latest, previous, rounds = ranked
    ready, exposed = readiness
    (_, name, round_number, status, label, created_at, overall, answered, total, carried, high) = heads[latest]
    return TeamRow(
        team_id=team_id,
        team=name,
        assessment_id=latest,
        round_number=round_number,
        rounds=rounds,
        status=status,
        label=label,
        created_at=created_at,
        overall=overall or 0,
        answered=answered or 0,
        total=total or 0,
        carried_over=carried or 0,
        high_risks=high or 0,
        cells=cells.get(latest, {}),
        ready=ready.get(latest, {}),
        exposed=frozenset(exposed.get(latest, ())),
        previous_id=previous,
        previous_overall=(heads[previous][6] or 0) if previous is not None else None,
        previous_cells=cells.get(previous, {}) if previous is not None else {},
        previous_ready=ready.get(previous, {}) if previous is not None else {},
        in_progress=in_progress,
    )


def _banks(session: Session, organisation_id: int) -> list[Bank]:
    """The bank versions the organisation's rounds use, newest first (the shipped bank when none)."""
    versions = session.exec(
        select(BankVersion)
        .where(
            col(BankVersion.id).in_(
                select(Assessment.bank_version_id)
                .join(Team, col(Team.id) == Assessment.team_id)
                .where(Team.organisation_id == organisation_id)
            )
        )
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
    return int(
        session.exec(
            select(func.count())
            .select_from(Team)
            .where(
                Team.organisation_id == organisation_id,
                ~sa.exists().where(col(Assessment.team_id) == col(Team.id)),
            )
        ).one()
    )


def _level_counts(session: Session, latest: Sequence[int]) -> dict[str, tuple[int, ...]]:
    """Teams at each level per foundation over the latest rounds (a GROUP BY in the database)."""
    rows = session.execute(
        sa.select(col(FoundationScore.foundation), col(FoundationScore.level), func.count())
        .where(col(FoundationScore.assessment_id).in_(latest))
        .group_by(col(FoundationScore.foundation), col(FoundationScore.level))
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    for foundation, level, n in rows:
        counts[foundation][level] = n
    return {k: tuple(v) for k, v in counts.items()}


def _ready_counts(session: Session, latest: Sequence[int]) -> dict[str, int]:
    """Teams ready for each end state over the latest rounds (a GROUP BY in the database)."""
    rows = session.execute(
        sa.select(col(ReadinessRow.end_state), func.sum(sa.case((col(ReadinessRow.ready), 1), else_=0)))
        .where(col(ReadinessRow.assessment_id).in_(latest))
        .group_by(col(ReadinessRow.end_state))
    )
    return {end_state: int(n or 0) for end_state, n in rows}


def data_stamp(session: Session) -> tuple[int, ...]:
    """A cheap fingerprint that changes with every answer event, new round, new team or DORA import.

    Caches of portfolio data key on it, so a cached portfolio is never older than the database.
    Each part is a max or count over a primary key or an indexed column.
    """
    from assessment.models.dora import DoraFigures, DoraImport  # the DORA tables are optional to this module

    parts: list[sa.ColumnElement[int | None] | sa.ColumnElement[int]] = [
        func.max(col(AnswerEvent.id)),
        func.max(col(Assessment.id)),
        func.max(col(Team.id)),
        func.count(col(Team.id)),
        func.max(col(DoraImport.id)),
        func.max(col(DoraFigures.id)),
    ]
    stamp = session.execute(sa.select(*[sa.select(part).scalar_subquery() for part in parts])).one()
    return tuple(int(v or 0) for v in stamp)
