"""Everything the portfolio report shows, as frozen dataclasses with no ORM objects.

The side-by-side parts (heatmap, readiness, movement) come from the SQL
portfolio; the parts that need each team's risks and roadmap (common gaps,
unblocking investments, the page per team) score each latest round once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from assessment.core.numbers import plural
from assessment.organisations.brand import Brand
from assessment.portfolio.data import Portfolio, TeamRow
from assessment.portfolio.dora import TeamCluster
from assessment.portfolio.insights import CommonGap, TeamInsight, Unblocker
from assessment.portfolio.trend import TrendPoint, trend_note
from assessment.scoring.engine import Risk
from assessment.scoring.results import FoundationResult
from assessment.scoring.verdicts import Verdict
from reports.branding import BrandView, brand_view
from reports.charts.palette import LEVELS
from reports.charts.portfolio import CAPPED_GATES
from reports.html import level_class

TOP_RISKS = 3
MOVED_EACH_WAY = 25  # beyond 50 teams the movement table lists the 25 that rose most and the 25 that fell most
NEXT_ITEMS = 3
# A team page must stay one page whatever the names and the bank (a consultant may write a bank with many
# foundations or long titles): the joined PDF's page numbers count on it. Longer lists end in "and N more",
# longer texts in "…"; tests/portfolio lay out a page with every limit reached.
PAGE_FOUNDATIONS = 8
PAGE_END_STATES = 4
PAGE_SHORTFALLS = 3
TITLE_CHARS = 80  # the team's name as the page title
LINE_CHARS = 40  # organisation and round label on the first line; foundation and end-state titles
NAME_CHARS = 30  # a foundation named in a readiness line
TEXT_CHARS = 90  # a roadmap item; a risk's question and its answer, each


@dataclass(frozen=True)
class HeatCell:
    level: int
    score: int
    capped: bool  # the deciding test failed, is contested or is unknown
    css: str  # "absent" ... "proven"


@dataclass(frozen=True)
class HeatRow:
    anchor: str  # id of the team's page
    team: str
    round_number: int
    overall: int
    cells: tuple[HeatCell | None, ...]  # in the order of the portfolio's foundations
    ready: tuple[bool, ...]  # in the order of the end states
    exposed: tuple[bool, ...]  # not ready, and already working in that end state regardless
    short: tuple[int, ...]  # foundations short of each end state
    dora: str
    answered: str
    movement: str  # "+14", "-3" or "first round"
    level_moves: str  # "rollback speed +1, failure isolation -1"; "" when no level moved
    readiness_change: str  # "now ready for chaos experiments", or ""


@dataclass(frozen=True)
class TeamPage:
    anchor: str
    team: str
    round_number: int
    round_label: str | None
    status: str
    assessed_on: str
    overall: int
    movement: str
    answered: int
    total: int
    carried_over: int
    dora: str
    foundations: tuple[tuple[str, int, str, str, str], ...]  # (title, score, "2 partial", css, what holds it back)
    more_foundations: int  # beyond PAGE_FOUNDATIONS
    readiness: tuple[
        tuple[str, bool, str, str], ...
    ]  # (end state, ready, "Exposed", "Short of: rollback speed 1 of 3")
    more_end_states: int  # beyond PAGE_END_STATES
    risks: tuple[tuple[str, str, str], ...]  # (risk, short, answer)
    next_items: tuple[tuple[str, str], ...]  # (phase, title)
    organisation: str  # clipped for the page's first line


@dataclass(frozen=True)
class PortfolioContext:
    organisation: str
    generated_on: str
    foundations: tuple[str, ...]  # titles
    end_states: tuple[str, ...]  # titles
    teams: int
    teams_without_rounds: int
    mean_score: int
    ready_counts: tuple[tuple[str, int], ...]
    headline: str
    rows: tuple[HeatRow, ...]
    gaps: tuple[CommonGap, ...]
    unblockers: tuple[Unblocker, ...]
    moved: tuple[HeatRow, ...]  # teams with an earlier round, most improved first (the extremes when many)
    moved_total: int  # teams with an earlier round
    improved: int
    declined: int
    pages: tuple[TeamPage, ...]
    dora_edition: str
    in_progress: tuple[str, ...] = ()  # "Team: round 1 in progress (20 of 34)", teams with no completed round
    trend_note: str = ""  # which teams the trend follows
    brand: BrandView | None = None  # the organisation's branding; None: the report as Foundations makes it
    dora_lookback: str = ""  # ", with the organisation's attribution look-back of 24 h" when a cluster used it


def _anchor(team_id: int) -> str:
    return f"team-{team_id}"


def _movement(row: TeamRow) -> str:
    return "first round" if row.movement is None else f"{row.movement:+d}"


def _dora(found: TeamCluster | None) -> str:
    return "no data" if found is None else found.cluster


def _cell(row: TeamRow, key: str) -> HeatCell | None:
    cell = row.cells.get(key)
    if cell is None:
        return None
    return HeatCell(cell.level, cell.score, cell.gate in CAPPED_GATES, LEVELS[cell.level].css)


def _readiness_change(row: TeamRow, p: Portfolio) -> str:
    changes = [
        ("now ready for " if row.ready.get(k) else "no longer ready for ") + title.lower()
        for k, title, _ in p.end_states
        if row.previous_ready and row.previous_ready.get(k) != row.ready.get(k)
    ]
    return "; ".join(changes)


def heat_row(row: TeamRow, p: Portfolio, clusters: dict[int, TeamCluster], shortfalls: dict[int, list[int]]) -> HeatRow:
    moves = ", ".join(f"{title.lower()} {row.level_change(k):+d}" for k, title in p.foundations if row.level_change(k))
    return HeatRow(
        anchor=_anchor(row.team_id),
        team=row.team,
        round_number=row.round_number,
        overall=row.overall,
        cells=tuple(_cell(row, k) for k, _ in p.foundations),
        ready=tuple(row.ready.get(k, False) for k, _, _ in p.end_states),
        exposed=tuple(row.readiness(k) == "exposed" for k, _, _ in p.end_states),
        short=tuple(shortfalls.get(row.team_id, [0] * len(p.end_states))),
        dora=_dora(clusters.get(row.team_id)),
        answered=f"{row.answered}/{row.total}",
        movement=_movement(row),
        level_moves=moves,
        readiness_change=_readiness_change(row, p),
    )


def clip(text: str, limit: int) -> str:
    """`text`, or its first `limit - 1` characters and "…" when longer."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def team_page(row: TeamRow, insight: TeamInsight, clusters: dict[int, TeamCluster], organisation: str) -> TeamPage:
    """The short page of one team: levels, readiness, top risks, what comes next (details: the team report).

    Every list and text is bounded (PAGE_*, *_CHARS) so that the page can never run over one page.
    """
    score, data = insight.score, insight.data
    foundations = tuple(
        (
            clip(f.title, LINE_CHARS),
            f.score,
            LEVELS[f.level].label,
            level_class(f.level),
            _held_back(f),
        )
        for f in score.foundations.values()
    )
    risks = tuple(
        (
            r.risk.value,
            clip(data.bank.question(r.question_key).short, TEXT_CHARS),
            clip(r.answer_text or "", TEXT_CHARS),
        )
        for r in score.risks[:TOP_RISKS]
        if r.risk in (Risk.HIGH, Risk.MEDIUM)
    )
    items = tuple((i.phase.value, clip(i.title, TEXT_CHARS)) for i in insight.roadmap.items[:NEXT_ITEMS])
    return TeamPage(
        anchor=_anchor(row.team_id),
        team=clip(row.team, TITLE_CHARS),
        round_number=row.round_number,
        round_label=clip(row.label, LINE_CHARS) if row.label else None,
        status="complete" if row.in_progress is None else f"complete; {row.in_progress.text}",
        assessed_on=f"{data.created_at:%-d %b %Y}",
        overall=row.overall,
        movement=_movement(row),
        answered=score.answered,
        total=score.total,
        carried_over=row.carried_over,
        dora=_dora(clusters.get(row.team_id)),
        foundations=foundations[:PAGE_FOUNDATIONS],
        more_foundations=max(0, len(foundations) - PAGE_FOUNDATIONS),
        readiness=tuple(
            (clip(v.title, LINE_CHARS), v.ready, v.label, _short_of(v)) for v in score.verdicts[:PAGE_END_STATES]
        ),
        more_end_states=max(0, len(score.verdicts) - PAGE_END_STATES),
        risks=risks,
        next_items=items,
        organisation=clip(organisation, LINE_CHARS),
    )


def _held_back(f: FoundationResult) -> str:
    """Why the level is lower than the answers alone would make it, in a few words ("" when it is not)."""
    if f.unproven:
        return "proven needs dated evidence"
    return "capped by its deciding test" if f.gate_capped else ""


def _short_of(verdict: Verdict) -> str:
    """'Short of: rollback speed 1 of 3, postmortem practice 1 of 2' (levels reached of levels needed)."""
    if verdict.ready:
        return "every foundation it needs is at the required level"
    shown = [
        f"{clip(s.title.lower(), NAME_CHARS)} {s.level} of {s.required}" for s in verdict.shortfalls[:PAGE_SHORTFALLS]
    ]
    more = len(verdict.shortfalls) - PAGE_SHORTFALLS
    return (
        "Short of: "
        + ", ".join(shown)
        + (f" and {plural(more, 'more foundation', 'more foundations')}" if more > 0 else "")
    )


def _headline(p: Portfolio) -> str:
    teams = len(p.teams)
    if not teams:
        return f"No team of {p.organisation} has an assessment round yet."
    key, title, _ = p.end_states[0] if p.end_states else ("", "the first step", {})
    ready = p.ready_counts.get(key, 0)
    return (
        f"{ready} of {teams} team(s) of {p.organisation} are ready for {title.lower()}; "
        f"{teams - ready} still lack at least one foundation it needs."
    )


def build_portfolio_context(
    p: Portfolio,
    trend: Sequence[TrendPoint],
    clusters: dict[int, TeamCluster],
    insights: Sequence[TeamInsight],
    gaps: Sequence[CommonGap],
    unblocking: Sequence[Unblocker],
    *,
    edition: str,
    generated_on: date | None = None,
    brand: Brand | None = None,
) -> PortfolioContext:
    """Assemble the report from the portfolio, the per-team insights and the cross-team rankings."""
    by_team = {i.data.team_id: i for i in insights}
    shortfalls = {team_id: [len(v.shortfalls) for v in i.score.verdicts] for team_id, i in by_team.items()}
    rows = tuple(heat_row(r, p, clusters, shortfalls) for r in p.teams)
    moved_rows = sorted((r for r in p.teams if r.movement is not None), key=lambda r: (-(r.movement or 0), r.team))
    shown = (
        moved_rows
        if len(moved_rows) <= 2 * MOVED_EACH_WAY
        else (moved_rows[:MOVED_EACH_WAY] + moved_rows[-MOVED_EACH_WAY:])
    )
    moved = tuple(heat_row(r, p, clusters, shortfalls) for r in shown)
    teams = len(p.teams)
    return PortfolioContext(
        organisation=p.organisation,
        generated_on=f"{generated_on or date.today():%-d %B %Y}",
        foundations=tuple(t for _, t in p.foundations),
        end_states=tuple(t for _, t, _ in p.end_states),
        teams=teams,
        teams_without_rounds=p.teams_without_rounds,
        mean_score=round(sum(r.overall for r in p.teams) / teams) if teams else 0,
        ready_counts=tuple((t, p.ready_counts.get(k, 0)) for k, t, _ in p.end_states),
        headline=_headline(p),
        rows=rows,
        gaps=tuple(gaps),
        unblockers=tuple(unblocking),
        moved=moved,
        moved_total=len(moved_rows),
        improved=sum(1 for r in moved_rows if (r.movement or 0) > 0),
        declined=sum(1 for r in moved_rows if (r.movement or 0) < 0),
        pages=tuple(
            team_page(r, by_team[r.team_id], clusters, p.organisation) for r in p.teams if r.team_id in by_team
        ),
        dora_edition=edition,
        in_progress=tuple(f"{r.team}: {r.text}" for r in p.only_in_progress),
        trend_note=trend_note(trend),
        brand=brand_view(brand),
        dora_lookback=lookback_legend(clusters),
    )


def lookback_legend(clusters: dict[int, TeamCluster]) -> str:
    """The look-back the clusters from imported data used (one per organisation), for the heatmap's legend."""
    hours = sorted({c.lookback_hours for c in clusters.values() if c.lookback_hours is not None})
    return f", with the organisation's attribution look-back of {hours[0]:g} h" if hours else ""
