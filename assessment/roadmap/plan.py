"""The roadmap: which investments a team should make, in which order, and why.

Selection (`select`): weak answers, failed measured checks of a deciding test, DORA
evidence and prerequisites pick investments; "find out" and "settle" items come from
the foundations themselves; what the answers show in place is only confirmed.
Order (`order`): prerequisites and find-out items first, then the tiers of the
sequencing model (exposed deciding tests, other deciding tests, the rest), the
bank's foundation sequence, cheap before long. Reasons (`reasons`) are sentences a
client can check, with no internal numbers.

Phases: effort sizes count as team-weeks (`EFFORT_WEEKS`; a find-out item counts its
days, a confirm item nothing). Walking the order as one team would, an item is "now"
when it starts within 4 weeks (the next 30 days), "next" when it starts within 13
weeks (this quarter), and "later" after that.
End states come from the verdicts: a ready one is placed first; a blocked one after
the last roadmap item of the foundations it is short of, with the verdict's headline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from assessment.bank.answers import AnswerValue
from assessment.bank.model import Bank
from assessment.roadmap.evidence import Evidence
from assessment.roadmap.order import order
from assessment.roadmap.reasons import reason
from assessment.roadmap.select import EFFORT_WEEKS, Pick, cite, exposed_foundations, select
from assessment.scoring.engine import AssessmentScore, score_assessment
from assessment.scoring.gates import Facts, GateState
from assessment.scoring.verdicts import ActiveExposure, Readiness, Verdict, active_exposures

NOW_WEEKS = 4  # about 30 days
NEXT_WEEKS = 13  # about a quarter, counted from today


class Phase(StrEnum):
    NOW = "now"
    NEXT = "next"
    LATER = "later"


@dataclass(frozen=True)
class RoadmapItem:
    position: int  # 1-based
    key: str
    title: str
    foundation: str
    foundation_title: str
    phase: Phase
    kind: str  # discover, settle, prove, gate, gap, evidence, confirm or prerequisite: why it is on the roadmap
    serves_gate: bool  # it works towards a deciding test that is not passed (or finds out / settles one)
    exposed: bool  # its foundation protects something the team already does
    tier: int  # 0 find out, 1 exposed deciding test, 2 other deciding test, 3 the rest (docs/METHOD.md)
    effort: str  # S, M, L, or "3 days" for a find-out item
    effort_weeks: float  # 0 for a confirm item
    in_place: bool
    prerequisites: tuple[str, ...]  # catalogue prerequisites (all on the roadmap)
    prerequisite_of: tuple[str, ...]  # roadmap items that wait on it
    what_it_takes: str
    exit_criterion: str
    reason: str
    citations: tuple[str, ...]  # "short: answer" and DORA figures behind it


@dataclass(frozen=True)
class EndStateStep:
    key: str
    title: str
    ready: bool
    reason: str
    after: str | None  # the roadmap item it follows; None: it can be taken now
    phase: Phase
    status: str = Readiness.NOT_READY.value


@dataclass(frozen=True)
class Roadmap:
    items: tuple[RoadmapItem, ...]
    end_states: tuple[EndStateStep, ...]
    weeks: dict[str, float] = field(default_factory=dict)  # phase -> team-weeks of effort

    def phase(self, phase: Phase) -> tuple[RoadmapItem, ...]:
        return tuple(i for i in self.items if i.phase is phase)

    def keys(self) -> list[str]:
        return [i.key for i in self.items]

    def item(self, key: str) -> RoadmapItem:
        return next(i for i in self.items if i.key == key)


def build_roadmap(
    bank: Bank,
    answers: Mapping[str, AnswerValue],
    *,
    score: AssessmentScore | None = None,
    evidence: Evidence | None = None,
    facts: Facts | None = None,
) -> Roadmap:
    """The ordered, phased roadmap for one assessment's answers (and optional DORA evidence and facts)."""
    facts = facts or Facts()
    score = score or score_assessment(bank, answers, facts)
    exposures = active_exposures(bank, answers, facts)
    exposed = exposed_foundations(exposures, score)
    picks = select(bank, answers, score, evidence or Evidence())
    keys, tier = order(bank, picks, exposed)
    phases = _phases([picks[k] for k in keys])
    waiting = {k: tuple(o for o in keys if k in picks[o].prerequisites) for k in keys}
    items = tuple(
        _item(bank, n, picks[k], phases[k], tier[k], waiting[k], picks, exposed) for n, k in enumerate(keys, start=1)
    )
    weeks = {p.value: round(sum(i.effort_weeks for i in items if i.phase is p), 1) for p in Phase}
    return Roadmap(items, _end_states(score.verdicts, items), weeks)


def _phases(picks: Sequence[Pick]) -> dict[str, Phase]:
    phases: dict[str, Phase] = {}
    total = 0.0
    for pick in picks:
        start, total = total, total + _weeks(pick)
        phases[pick.key] = Phase.NOW if start < NOW_WEEKS else (Phase.NEXT if start < NEXT_WEEKS else Phase.LATER)
    return phases


def _weeks(pick: Pick) -> float:
    return 0.0 if pick.kind == "confirm" else pick.weeks


def _item(
    bank: Bank,
    position: int,
    pick: Pick,
    phase: Phase,
    tier: int,
    waiting: tuple[str, ...],
    picks: Mapping[str, Pick],
    exposed: Mapping[str, ActiveExposure],
) -> RoadmapItem:
    citations = tuple(cite(q, a) for q, a in pick.weak) + tuple(f"DORA: {s.figure}" for s in pick.signals)
    return RoadmapItem(
        position=position,
        key=pick.key,
        title=pick.title,
        foundation=pick.foundation,
        foundation_title=bank.foundation(pick.foundation).title,
        phase=phase,
        kind=pick.kind.value,
        serves_gate=tier < 3,
        exposed=pick.foundation in exposed and pick.gate,
        tier=tier,
        effort=pick.effort,
        effort_weeks=round(_weeks(pick), 1),
        in_place=pick.kind == "confirm",
        prerequisites=tuple(p for p in pick.prerequisites if p in picks),
        prerequisite_of=waiting,
        what_it_takes=pick.what_it_takes,
        exit_criterion=pick.exit_criterion,
        reason=reason(bank, pick, [picks[k].title for k in waiting], exposed.get(pick.foundation), picks),
        citations=citations,
    )


def _end_states(verdicts: Sequence[Verdict], items: Sequence[RoadmapItem]) -> tuple[EndStateStep, ...]:
    steps = []
    for v in verdicts:
        needed = _needed(v, items)
        last = needed[-1] if needed else None
        steps.append(
            EndStateStep(
                v.end_state,
                v.title,
                v.ready,
                v.headline,
                None if v.ready or last is None else last.key,
                Phase.NOW if v.ready or last is None else last.phase,
                v.status.value,
            )
        )
    return tuple(steps)


def _needed(verdict: Verdict, items: Sequence[RoadmapItem]) -> list[RoadmapItem]:
    """The items an end state actually waits for: the deciding-test work of each shortfall, with what it needs.

    A shortfall whose deciding test passed (only the level is short) waits for that foundation's other work.
    """
    by_key = {i.key: i for i in items}
    wanted: set[str] = set()
    for s in verdict.shortfalls:
        own = [i for i in items if i.foundation == s.foundation and not i.in_place]
        gate_work = [i for i in own if i.kind in ("gate", "discover", "settle")]
        wanted |= {i.key for i in (gate_work if s.gate is not GateState.PASSED and gate_work else own)}
    stack = list(wanted)
    while stack:
        for prerequisite in by_key[stack.pop()].prerequisites:
            if prerequisite not in wanted and not by_key[prerequisite].in_place:
                wanted.add(prerequisite)
                stack.append(prerequisite)
    return [i for i in items if i.key in wanted]


def roadmap_to_data(roadmap: Roadmap) -> dict[str, Any]:
    """Plain JSON-ready data for `foundations roadmap --json`."""
    return {
        "rules": {
            "effort_weeks": dict(EFFORT_WEEKS),
            "now_weeks": NOW_WEEKS,
            "next_weeks": NEXT_WEEKS,
            "tiers": {
                "0": "find out or settle a contradiction",
                "1": "deciding test of a foundation the team is exposed on",
                "2": "deciding test not passed, or the dated evidence that level 4 needs",
                "3": "everything else",
            },
        },
        "weeks": roadmap.weeks,
        "items": [asdict(i) for i in roadmap.items],
        "end_states": [asdict(e) for e in roadmap.end_states],
    }
