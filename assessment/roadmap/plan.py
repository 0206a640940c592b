"""The roadmap: which investments a team should make, in which order, and why.

Rules (also in README "Roadmap"); every step is deterministic:

1. Selection. An investment is on the roadmap when a weak answer triggers it (risk
   high or medium, which includes "don't know"), when DORA evidence points at it
   (`Evidence`), or when it is a prerequisite of a selected investment. A
   prerequisite whose own questions were all answered without risk is still listed
   ("prerequisite of X") so its exit criterion gets checked, but it adds no gap.
2. Weighted gap. Each weak answer adds foundation weight x question weight x
   (100 - answer score) to every investment it triggers; each DORA signal adds
   `DORA_POINTS` x its strength to the investments it points at.
3. Rank. An item serves a failed gate when it is triggered by the deciding question
   of a foundation whose gate failed or is unknown, or is a prerequisite of such an
   item. An item's priority is the largest gap among itself and everything that
   waits on it, so a prerequisite is never left behind the work that needs it.
4. Order. Repeatedly take, among the items whose prerequisites are all placed, the
   one that serves a failed gate, then has the highest priority, then comes first
   in the bank's catalogue (then by key). Prerequisites therefore always come first
   and every gate item comes before every other item.
5. Phases. Effort sizes count as team-weeks (`EFFORT_WEEKS`); a prerequisite the
   answers show in place counts 0 weeks (it needs a check, not a build). Walking
   the order, an item is "now" while the running total stays within 4 weeks (the
   next 30 days; the first item that takes any weeks is always "now"), "next" while
   it stays within 13 weeks (this quarter), and "later" after that.
6. End states come from the scoring verdicts. A ready one is placed first; a blocked
   one is placed after the last roadmap item of the foundations it is short of, with
   the verdict's words as its reason.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from assessment.bank.answers import AnswerValue, describe_value
from assessment.bank.model import Bank, Effort, Investment, Question
from assessment.scoring.engine import AssessmentScore, GateState, Risk, Verdict, score_assessment

EFFORT_WEEKS: dict[Effort, int] = {Effort.S: 1, Effort.M: 3, Effort.L: 6}
NOW_WEEKS = 4  # about 30 days
NEXT_WEEKS = 13  # about a quarter, counted from today
DORA_POINTS = 300.0  # one signal of strength 1 weighs as much as a weight-3 question scoring 0
WEAK = (Risk.HIGH, Risk.MEDIUM)


class Phase(StrEnum):
    NOW = "now"
    NEXT = "next"
    LATER = "later"


class DoraMetric(StrEnum):
    DEPLOYMENT_FREQUENCY = "deployment_frequency"
    LEAD_TIME = "lead_time"
    CHANGE_FAILURE_RATE = "change_failure_rate"
    TIME_TO_RESTORE = "time_to_restore"


# Which investments each kind of DORA evidence raises. Keys missing from a bank are ignored.
DORA_TARGETS: dict[DoraMetric, tuple[str, ...]] = {
    DoraMetric.TIME_TO_RESTORE: (
        "service_health_metrics",
        "distributed_tracing",
        "root_cause_drills",
        "top_failure_runbooks",
    ),
    DoraMetric.CHANGE_FAILURE_RATE: ("one_step_rollback", "rollback_drills", "automated_test_suite"),
    DoraMetric.LEAD_TIME: ("automated_deployment_pipeline",),
    DoraMetric.DEPLOYMENT_FREQUENCY: ("automated_deployment_pipeline",),
}


@dataclass(frozen=True)
class Signal:
    """One piece of DORA evidence that should raise the investments it points at.

    metric:   which of the four keys the evidence is about.
    strength: 0 (no concern) to 1 (far from the benchmark). A producer maps bands,
              for instance low = 1.0, medium = 0.5, high or elite = 0 (and then
              need not send the signal at all). A cross-check contradiction about
              the same metric can be sent as a signal of strength 1.
    figure:   the measured figure as the reader should see it in the reason,
              e.g. "median time to restore 9 hours (low band)".
    targets:  the investments it raises, when not the metric's usual ones in
              DORA_TARGETS (a contradiction points at what the claim was about).
    """

    metric: DoraMetric
    strength: float
    figure: str
    targets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.strength <= 1:
            raise ValueError(f"signal strength must be between 0 and 1, got {self.strength}")


@dataclass(frozen=True)
class Evidence:
    """Optional DORA input to the roadmap: signals with a strength above 0 count."""

    signals: tuple[Signal, ...] = ()

    def for_investment(self, key: str) -> list[Signal]:
        return [s for s in self.signals if s.strength > 0 and key in (s.targets or DORA_TARGETS[s.metric])]


@dataclass(frozen=True)
class RoadmapItem:
    position: int  # 1-based
    key: str
    title: str
    foundation: str
    foundation_title: str
    phase: Phase
    kind: str  # "gate", "gap", "evidence" or "prerequisite": why it is on the roadmap at all
    serves_gate: bool
    gap: float  # its own weighted gap (answers plus DORA points)
    priority: float  # the largest gap among itself and the items that wait on it
    effort: str
    effort_weeks: int  # 0 when the answers suggest it is already in place
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


@dataclass(frozen=True)
class Roadmap:
    items: tuple[RoadmapItem, ...]
    end_states: tuple[EndStateStep, ...]
    weeks: dict[str, int] = field(default_factory=dict)  # phase -> team-weeks of effort

    def phase(self, phase: Phase) -> tuple[RoadmapItem, ...]:
        return tuple(i for i in self.items if i.phase is phase)

    def keys(self) -> list[str]:
        return [i.key for i in self.items]

    def item(self, key: str) -> RoadmapItem:
        return next(i for i in self.items if i.key == key)


@dataclass
class _Pick:
    """What the answers and evidence say about one selected investment (working state)."""

    investment: Investment
    gap: float = 0.0
    gate: bool = False
    weak: list[tuple[Question, AnswerValue]] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    in_place: list[tuple[Question, AnswerValue]] = field(default_factory=list)


def build_roadmap(
    bank: Bank,
    answers: Mapping[str, AnswerValue],
    *,
    score: AssessmentScore | None = None,
    evidence: Evidence | None = None,
) -> Roadmap:
    """The ordered, phased roadmap for one assessment's answers (and optional DORA evidence)."""
    score = score or score_assessment(bank, answers)
    picks = _select(bank, answers, score, evidence or Evidence())
    serves_gate = _closure(bank, [k for k, p in picks.items() if p.gate])
    priority = _priorities(bank, picks)
    order = _order(bank, picks, serves_gate, priority)
    phases = _phases([picks[k] for k in order])
    items = tuple(
        _item(bank, n, picks[k], phases[k], k in serves_gate, priority[k], order) for n, k in enumerate(order, start=1)
    )
    weeks = {p.value: sum(i.effort_weeks for i in items if i.phase is p) for p in Phase}
    return Roadmap(items, _end_states(score.verdicts, items), weeks)


def _select(
    bank: Bank, answers: Mapping[str, AnswerValue], score: AssessmentScore, evidence: Evidence
) -> dict[str, _Pick]:
    picks: dict[str, _Pick] = {}
    for q in bank.questions:
        result, answer = score.questions[q.key], answers.get(q.key)
        if answer is None or result.risk not in WEAK:
            continue
        gap = bank.foundation(q.foundation).weight * q.weight * (100 - (result.score or 0))
        gate_open = q.gate and score.foundations[q.foundation].gate in (GateState.FAILED, GateState.UNKNOWN)
        for key in q.triggers:
            pick = picks.setdefault(key, _Pick(bank.investment(key)))
            pick.gap += gap
            pick.gate = pick.gate or gate_open
            pick.weak.append((q, answer))
    for inv in bank.investments:
        signals = evidence.for_investment(inv.key)
        if signals:
            pick = picks.setdefault(inv.key, _Pick(inv))
            pick.signals = signals
            pick.gap += sum(DORA_POINTS * s.strength for s in signals)
    for key in _closure(bank, list(picks)):
        if key not in picks:
            picks[key] = _Pick(bank.investment(key), in_place=_answered_for(bank, answers, key))
    return picks


def _answered_for(bank: Bank, answers: Mapping[str, AnswerValue], key: str) -> list[tuple[Question, AnswerValue]]:
    """The (not weak) answers showing this prerequisite in place; empty unless all are answered."""
    questions = [q for q in bank.questions if key in q.triggers]
    if not questions or any(q.key not in answers for q in questions):
        return []
    return [(q, answers[q.key]) for q in questions]


def _closure(bank: Bank, keys: Iterable[str]) -> set[str]:
    """The keys with all their prerequisites, transitively."""
    seen: set[str] = set()
    stack = list(keys)
    while stack:
        key = stack.pop()
        if key not in seen:
            seen.add(key)
            stack.extend(bank.investment(key).prerequisites)
    return seen


def _priorities(bank: Bank, picks: Mapping[str, _Pick]) -> dict[str, float]:
    """Each item's gap raised to the largest gap of anything that (transitively) waits on it."""
    priority = {k: p.gap for k, p in picks.items()}
    for pick in picks.values():
        for prereq in _closure(bank, pick.investment.prerequisites):
            priority[prereq] = max(priority[prereq], pick.gap)
    return priority


def _order(bank: Bank, picks: Mapping[str, _Pick], serves_gate: set[str], priority: Mapping[str, float]) -> list[str]:
    """Kahn's algorithm with the stated rank as the choice among items free to start."""
    catalogue = {inv.key: n for n, inv in enumerate(bank.investments)}
    waiting = {k: set(p.investment.prerequisites) for k, p in picks.items()}

    def rank(key: str) -> tuple[bool, float, int, str]:
        return (key not in serves_gate, -priority[key], catalogue[key], key)

    ready = [rank(k) for k, w in waiting.items() if not w]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        key = heapq.heappop(ready)[3]
        order.append(key)
        for other, prereqs in waiting.items():
            if key in prereqs:
                prereqs.discard(key)
                if not prereqs:
                    heapq.heappush(ready, rank(other))
    return order


def _weeks(pick: _Pick) -> int:
    return 0 if pick.in_place else EFFORT_WEEKS[pick.investment.effort]


def _phases(picks: Sequence[_Pick]) -> dict[str, Phase]:
    phases: dict[str, Phase] = {}
    total = 0
    for pick in picks:
        before, total = total, total + _weeks(pick)
        phases[pick.investment.key] = (
            Phase.NOW if before == 0 or total <= NOW_WEEKS else (Phase.NEXT if total <= NEXT_WEEKS else Phase.LATER)
        )
    return phases


def _item(
    bank: Bank,
    position: int,
    pick: _Pick,
    phase: Phase,
    serves_gate: bool,
    priority: float,
    order: Sequence[str],
) -> RoadmapItem:
    inv = pick.investment
    citations = tuple(_cite(q, a) for q, a in pick.weak) + tuple(f"DORA: {s.figure}" for s in pick.signals)
    waiting = tuple(k for k in order if inv.key in bank.investment(k).prerequisites)
    return RoadmapItem(
        position=position,
        key=inv.key,
        title=inv.title,
        foundation=inv.foundation,
        foundation_title=bank.foundation(inv.foundation).title,
        phase=phase,
        kind=_kind(pick),
        serves_gate=serves_gate,
        gap=round(pick.gap, 1),
        priority=round(priority, 1),
        effort=inv.effort.value,
        effort_weeks=_weeks(pick),
        in_place=bool(pick.in_place),
        prerequisites=tuple(inv.prerequisites),
        prerequisite_of=waiting,
        what_it_takes=inv.what_it_takes,
        exit_criterion=inv.exit_criterion,
        reason=_reason(bank, pick, waiting, serves_gate),
        citations=citations,
    )


def _kind(pick: _Pick) -> str:
    if pick.gate:
        return "gate"
    if pick.weak:
        return "gap"
    return "evidence" if pick.signals else "prerequisite"


def _reason(bank: Bank, pick: _Pick, waiting: Sequence[str], serves_gate: bool) -> str:
    """One line a reader can check against the answers and figures."""
    inv = pick.investment
    cited = "; ".join([_cite(q, a) for q, a in pick.weak[:3]] + [f"DORA {s.figure}" for s in pick.signals])
    more = f" (+{len(pick.weak) - 3} more)" if len(pick.weak) > 3 else ""
    names = ", ".join(bank.investment(k).title for k in waiting) or "a selected investment"
    if pick.gate:
        title = bank.foundation(inv.foundation).title
        return f"Deciding test of {title.lower()} not passed: {cited}{more}."
    first = f" Comes early as a prerequisite of {names}." if serves_gate else ""
    if pick.weak:
        return f"Weak answers, weighted gap {pick.gap:.0f}: {cited}{more}.{first}"
    if pick.signals:
        return f"Raised by delivery data: {cited}.{first}"
    if pick.in_place:
        shown = "; ".join(_cite(q, a) for q, a in pick.in_place[:2])
        return f"Prerequisite of {names}; answers suggest it is in place ({shown}), so confirm its exit criterion."
    return f"Prerequisite of {names}."


def _cite(question: Question, answer: AnswerValue) -> str:
    """ "Rollback time: 45 minutes": the question's short name and the answer in words."""
    return f"{question.short}: {describe_value(question, answer).rstrip('.')}"


def _end_states(verdicts: Sequence[Verdict], items: Sequence[RoadmapItem]) -> tuple[EndStateStep, ...]:
    steps = []
    for v in verdicts:
        short = {s.foundation for s in v.shortfalls}
        last = next((i for i in reversed(items) if i.foundation in short), None)
        if v.ready:
            steps.append(EndStateStep(v.end_state, v.title, True, v.sentence, None, Phase.NOW))
        elif last is None:
            last_key, last_phase = (items[-1].key, items[-1].phase) if items else (None, Phase.LATER)
            steps.append(EndStateStep(v.end_state, v.title, False, v.sentence, last_key, last_phase))
        else:
            steps.append(EndStateStep(v.end_state, v.title, False, v.sentence, last.key, last.phase))
    return tuple(steps)


def roadmap_to_data(roadmap: Roadmap) -> dict[str, Any]:
    """Plain JSON-ready data for `foundations roadmap --json`."""
    return {
        "rules": {
            "effort_weeks": {k.value: v for k, v in EFFORT_WEEKS.items()},
            "now_weeks": NOW_WEEKS,
            "next_weeks": NEXT_WEEKS,
            "dora_points": DORA_POINTS,
        },
        "weeks": roadmap.weeks,
        "items": [asdict(i) for i in roadmap.items],
        "end_states": [asdict(e) for e in roadmap.end_states],
    }
