"""Across teams: the most common gaps, and the investments that would unblock the most teams.

These need each team's risks and roadmap, so they score the teams' latest rounds
in Python; the portfolio report calls them once per PDF (the page does not).

- A gap is a scored question answered weakly (high or medium risk, "don't know"
  included) in a team's latest round; gaps are ranked by how many teams share them.
  Context questions (how the team ships today) are never gaps.
- An investment unblocks a team when it is on that team's roadmap, is not already
  in place, and belongs to a foundation that keeps the team from an end state it is
  not ready for. A "find out" or "settle" item counts too (it is the first step on
  a foundation nobody could judge). Investments are ranked by the number of teams
  they would unblock, then by how many (team, end state) pairs, then by the bank's
  catalogue order (find-out and settle items after the catalogue).

Each round is scored with the contradictions stored with it, as its stored scores
are, so a contested deciding test counts here as it does in the heatmap.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from assessment.assessments.repository import AssessmentData
from assessment.bank.answers import AnswerStatus
from assessment.roadmap.plan import Roadmap, build_roadmap
from assessment.scoring.engine import AssessmentScore, Risk, score_assessment
from assessment.scoring.gates import Contest, Facts

WEAK = (Risk.HIGH, Risk.MEDIUM)


@dataclass(frozen=True)
class TeamInsight:
    """One team's latest round with its score and roadmap."""

    data: AssessmentData
    score: AssessmentScore
    roadmap: Roadmap


@dataclass(frozen=True)
class CommonGap:
    question_key: str
    short: str
    foundation: str  # title
    teams: int  # teams with this gap
    high: int  # of which at high risk
    dont_know: int  # of which answered "don't know"


@dataclass(frozen=True)
class Unblocker:
    key: str
    title: str
    foundation: str  # title
    effort: str
    teams: int  # teams it would help unblock
    pairs: int  # (team, end state) pairs it is needed for
    end_states: tuple[tuple[str, int], ...]  # (end state title, teams) most first


def team_insights(
    rounds: Sequence[AssessmentData], contests: Mapping[int, tuple[Contest, ...]] | None = None
) -> list[TeamInsight]:
    """Score and plan every round given (each team's latest, normally), with its stored contradictions."""
    insights = []
    for data in rounds:
        facts = Facts(contests=(contests or {}).get(data.id, ()))
        score = score_assessment(data.bank, data.answers, facts)
        insights.append(TeamInsight(data, score, build_roadmap(data.bank, data.answers, score=score, facts=facts)))
    return insights


def common_gaps(insights: Sequence[TeamInsight], limit: int = 10) -> list[CommonGap]:
    """The weak answers most teams share, most teams first (then high risks, then bank order)."""
    teams: Counter[str] = Counter()
    high: Counter[str] = Counter()
    unknown: Counter[str] = Counter()
    found: dict[str, tuple[str, str, int]] = {}
    for insight in insights:
        bank = insight.data.bank
        for n, q in enumerate(bank.scored_questions()):
            result = insight.score.questions[q.key]
            if result.risk not in WEAK:
                continue
            teams[q.key] += 1
            high[q.key] += result.risk is Risk.HIGH
            answer = insight.data.answers.get(q.key)
            unknown[q.key] += answer is not None and answer.status is AnswerStatus.DONT_KNOW
            found.setdefault(q.key, (q.short, bank.foundation(q.foundation).title, n))
    ranked = sorted(teams, key=lambda k: (-teams[k], -high[k], found[k][2], k))
    return [CommonGap(k, found[k][0], found[k][1], teams[k], high[k], unknown[k]) for k in ranked[:limit]]


def unblockers(insights: Sequence[TeamInsight], limit: int = 10) -> list[Unblocker]:
    """Investments ranked by how many blocked teams need them (see the module docstring)."""
    teams: dict[str, set[int]] = defaultdict(set)
    per_end_state: dict[str, Counter[str]] = defaultdict(Counter)
    pairs: Counter[str] = Counter()
    info: dict[str, tuple[str, str, str, int]] = {}
    for insight in insights:
        catalogue = {inv.key: n for n, inv in enumerate(insight.data.bank.investments)}
        for verdict in insight.score.verdicts:
            short = {s.foundation for s in verdict.shortfalls}
            for item in insight.roadmap.items:
                if item.foundation not in short or item.in_place:
                    continue
                teams[item.key].add(insight.data.team_id)
                per_end_state[item.key][verdict.title] += 1
                pairs[item.key] += 1
                order = catalogue.get(item.key, len(catalogue))
                info.setdefault(item.key, (item.title, item.foundation_title, item.effort, order))
    ranked = sorted(teams, key=lambda k: (-len(teams[k]), -pairs[k], info[k][3], k))
    return [
        Unblocker(
            k,
            info[k][0],
            info[k][1],
            info[k][2],
            len(teams[k]),
            pairs[k],
            tuple(per_end_state[k].most_common()),
        )
        for k in ranked[:limit]
    ]
