"""Which investments go on the roadmap, and what the answers, gates and data say about each.

An investment is selected when a weak answer triggers it, when a failed measured check
of a deciding test triggers it (even if the answer scores well elsewhere: 10 minutes
is not under 5), when DORA evidence points at it, or when something selected needs
it. Two kinds of short items are made from the foundation itself: "find out" when
nobody knows whether the deciding test passes, and "settle" when the delivery data
contradicts the answers. Whatever the answers show in place becomes "confirm", never
a rebuild, even when data raised it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from assessment.bank.answers import AnswerValue, describe_value
from assessment.bank.model import Bank, Investment, Question
from assessment.core.numbers import series
from assessment.roadmap.evidence import Evidence, Signal
from assessment.scoring.engine import AssessmentScore, Risk
from assessment.scoring.gates import CheckState, Contest, GateState, describe_checks
from assessment.scoring.results import FoundationResult
from assessment.scoring.verdicts import ActiveExposure

WEAK = (Risk.HIGH, Risk.MEDIUM)
NOT_PASSED = (GateState.FAILED, GateState.CONTESTED, GateState.UNKNOWN)
SETTLE_DAYS = 2
PROVE_DAYS = 2  # find the drill or kill-test records and attach them; rerun one if none is recent


class Kind(StrEnum):
    DISCOVER = "discover"  # find out whether the deciding test holds
    SETTLE = "settle"  # settle a contradiction between the answers and the data
    GATE = "gate"  # work towards passing a deciding test
    GAP = "gap"  # weak answers outside the deciding test
    EVIDENCE = "evidence"  # raised by delivery data
    CONFIRM = "confirm"  # the answers show it in place: check the exit criterion
    PROVE = "prove"  # level 4 by the answers, held at 3 until dated evidence shows the test held recently
    PREREQUISITE = "prerequisite"  # needed by something selected


@dataclass
class Pick:
    """What the answers, gates and evidence say about one roadmap item (working state)."""

    key: str
    title: str
    foundation: str
    what_it_takes: str
    exit_criterion: str
    weeks: float
    effort: str
    prerequisites: tuple[str, ...] = ()
    after_foundations: tuple[str, ...] = ()
    gate: bool = False
    weak: list[tuple[Question, AnswerValue]] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # failed checks of the deciding test, in words
    signals: list[Signal] = field(default_factory=list)
    in_place: list[tuple[Question, AnswerValue]] = field(default_factory=list)
    made: Kind | None = None  # DISCOVER, SETTLE or PROVE for items made from the foundation
    open: list[str] = field(default_factory=list)  # for DISCOVER: what nobody knew
    contest: Contest | None = None

    @property
    def kind(self) -> Kind:
        if self.made is not None:
            return self.made
        if self.in_place and not self.gate:
            return Kind.CONFIRM
        if self.gate:
            return Kind.GATE
        if self.weak:
            return Kind.GAP
        return Kind.EVIDENCE if self.signals else Kind.PREREQUISITE


EFFORT_WEEKS = {"S": 1, "M": 3, "L": 6}


def from_investment(inv: Investment) -> Pick:
    return Pick(
        key=inv.key,
        title=inv.title,
        foundation=inv.foundation,
        what_it_takes=inv.what_it_takes,
        exit_criterion=inv.exit_criterion,
        weeks=EFFORT_WEEKS[inv.effort.value],
        effort=inv.effort.value,
        prerequisites=tuple(inv.prerequisites),
        after_foundations=tuple(inv.after_foundations),
    )


def select(
    bank: Bank, answers: Mapping[str, AnswerValue], score: AssessmentScore, evidence: Evidence
) -> dict[str, Pick]:
    """Every item of the roadmap, before ordering."""
    picks: dict[str, Pick] = {}

    def pick(key: str) -> Pick:
        return picks.setdefault(key, from_investment(bank.investment(key)))

    for q in bank.scored_questions():
        answer, result = answers.get(q.key), score.questions[q.key]
        gate_open = q.gate and score.foundations[q.foundation].gate in NOT_PASSED
        if answer is None or result.risk not in WEAK:
            continue
        for key in q.triggers:
            item = pick(key)
            item.weak.append((q, answer))
            item.gate = item.gate or gate_open
    for foundation in score.foundations.values():
        _gate_checks(bank, foundation, pick)
    for inv in bank.investments:
        signals = evidence.for_investment(inv.key)
        if signals:
            pick(inv.key).signals = signals
    for key in closure(bank, list(picks)):
        pick(key)
    for item in picks.values():
        if not item.weak and not item.gate:
            item.in_place = answered_for(bank, answers, item.key)
    for foundation in score.foundations.values():
        _made_items(bank, foundation, picks)
    return picks


def _gate_checks(bank: Bank, result: FoundationResult, pick: Callable[[str], Pick]) -> None:
    """A failed measured check selects what its question triggers, as gate work."""
    if result.gate is not GateState.FAILED:
        return
    questions = bank.questions_by_key()
    failed = [c for c in result.checks if c.state is CheckState.FAILED]
    for check in failed:
        phrase = describe_checks([c for c in failed if c.question == check.question])[0]
        for key in questions[check.question].triggers:
            item = pick(key)
            item.gate = True
            if phrase not in item.failed:
                item.failed.append(phrase)


def _made_items(bank: Bank, result: FoundationResult, picks: dict[str, Pick]) -> None:
    foundation = bank.foundation(result.key)
    if result.gate is GateState.UNKNOWN and foundation.discover is not None:
        d = foundation.discover
        picks[f"discover_{result.key}"] = Pick(
            key=f"discover_{result.key}",
            title=d.title,
            foundation=result.key,
            what_it_takes=d.what_it_takes,
            exit_criterion=d.exit_criterion,
            weeks=d.days / 5,
            effort=f"{d.days} days",
            made=Kind.DISCOVER,
            open=[c.sentence for c in result.open_checks()],
        )
    if result.unproven and any(e.requires.get(result.key, 0) > result.level for e in bank.end_states):
        picks[f"prove_{result.key}"] = _prove(bank, result)
    if result.gate is GateState.CONTESTED and result.contest is not None:
        picks[f"settle_{result.key}"] = Pick(
            key=f"settle_{result.key}",
            title=f"Settle what the data says about {result.title.lower()}",
            foundation=result.key,
            what_it_takes=(
                "Put the answer next to the data, then time a drill or pull the incident timelines, and attach "
                "the dated record to the answer."
            ),
            exit_criterion="The answer carries dated evidence, or is corrected to what the records show.",
            weeks=SETTLE_DAYS / 5,
            effort=f"{SETTLE_DAYS} days",
            made=Kind.SETTLE,
            contest=result.contest,
        )


def _prove(bank: Bank, result: FoundationResult) -> Pick:
    """Days of record keeping, not a build: the answers already say level 4, an end state needs it shown."""
    foundation = bank.foundation(result.key)
    days = foundation.proof_days or bank.bank.proof_days
    shown = [f"\u201c{bank.question(k).short}\u201d" for k in foundation.proof]
    return Pick(
        key=f"prove_{result.key}",
        title=f"Record dated evidence for {result.title.lower()}",
        foundation=result.key,
        what_it_takes=(
            f"Attach to {series(shown)} the date of and a link to the record the answer comes from (the drill, "
            "kill test or incident timelines); where no record is recent enough, run the drill again."
        ),
        exit_criterion=f"The answers carry evidence dated within the last {days} days.",
        weeks=PROVE_DAYS / 5,
        effort=f"{PROVE_DAYS} days",
        made=Kind.PROVE,
    )


def answered_for(bank: Bank, answers: Mapping[str, AnswerValue], key: str) -> list[tuple[Question, AnswerValue]]:
    """The answers showing an investment in place: every question that triggers it answered, none weak."""
    questions = [q for q in bank.scored_questions() if key in q.triggers]
    if not questions or any(q.key not in answers for q in questions):
        return []
    return [(q, answers[q.key]) for q in questions]


def closure(bank: Bank, keys: Iterable[str]) -> set[str]:
    """The keys with all their prerequisites, transitively."""
    seen: set[str] = set()
    stack = list(keys)
    while stack:
        key = stack.pop()
        if key not in seen:
            seen.add(key)
            stack.extend(bank.investment(key).prerequisites)
    return seen


def exposed_foundations(exposures: Iterable[ActiveExposure], score: AssessmentScore) -> dict[str, ActiveExposure]:
    """Foundations an exposure leans on whose deciding test is not passed, with the first exposure that shows it."""
    found: dict[str, ActiveExposure] = {}
    for e in exposures:
        for key in e.protects:
            if score.foundations[key].gate is not GateState.PASSED:
                found.setdefault(key, e)
    return found


def cite(question: Question, answer: AnswerValue) -> str:
    """ "Rollback time: 45 minutes": the question's short name and the answer in words."""
    return f"{question.short}: {describe_value(question, answer).rstrip('.')}"
