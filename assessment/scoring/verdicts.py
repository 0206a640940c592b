"""Readiness verdicts: ready, not ready, or exposed, with the biggest blocker first and one line per gap.

"Exposed" is the finding a consultant leads with: the team already operates in the
end state (deploys on its own, runs many services, injects failures) without the
foundations that make it safe. The context answers (and delivery data) say what the
team already does; the bank's exposures name which foundations that leans on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from assessment.bank.answers import AnswerValue, describe_value
from assessment.bank.model import Bank, EndState, Exposure, Question
from assessment.core.numbers import number_text
from assessment.scoring.gates import CheckState, Contest, Facts, GateState, condition_state, describe_checks
from assessment.scoring.results import FoundationResult


class Readiness(StrEnum):
    READY = "ready"
    NOT_READY = "not_ready"
    EXPOSED = "exposed"


READINESS_LABELS = {Readiness.READY: "Ready", Readiness.NOT_READY: "Not ready", Readiness.EXPOSED: "Exposed"}
# Biggest blocker first: a failed test, then data against the answers, then unknowns, then what is unanswered.
GATE_SEVERITY = {
    GateState.FAILED: 0,
    GateState.CONTESTED: 1,
    GateState.UNKNOWN: 2,
    GateState.UNANSWERED: 3,
    GateState.PASSED: 4,
}


@dataclass(frozen=True)
class ActiveExposure:
    """An exposure the answers or the data show, in words: "deploy to production 35 times a week"."""

    key: str
    says: str
    protects: tuple[str, ...]


def active_exposures(bank: Bank, answers: Mapping[str, AnswerValue], facts: Facts) -> list[ActiveExposure]:
    """The bank's exposures that hold for this team, from the context answers or the delivery data."""
    questions = bank.questions_by_key()
    found = []
    for e in bank.exposures:
        value = _exposure_value(e, questions, answers, facts)
        if value is not None:
            says = e.says.replace("{value}", value)
            if value.startswith("about "):
                says += f" ({facts.deploys_source or 'delivery data'})"
            found.append(ActiveExposure(e.key, says, tuple(e.protects)))
    return found


def _exposure_value(
    e: Exposure, questions: Mapping[str, Question], answers: Mapping[str, AnswerValue], facts: Facts
) -> str | None:
    """The value to quote when the exposure holds, else None.

    When the answer and the delivery data both show it, the one that says more is quoted:
    data wins over an answer that says less, and an answer of 40 a week is not talked
    down to "about 6" by a data window that caught a quiet week.
    """
    per_week = facts.deploys_per_week
    by_data = e.dora_per_week_at_least is not None and per_week is not None and per_week >= e.dora_per_week_at_least
    by_answer = condition_state(e, questions, answers) is CheckState.MET
    raw = answers[e.question].value if by_answer else None
    answered = raw if isinstance(raw, int | float) and not isinstance(raw, bool) else None
    if by_data and per_week is not None and (answered is None or answered <= per_week):
        return f"about {number_text(round(per_week))}"
    if not by_answer:
        return None
    return number_text(answered) if answered is not None else ""


@dataclass(frozen=True)
class Shortfall:
    """One foundation below what an end state needs, with why, in the order a consultant would raise it."""

    foundation: str
    title: str
    level: int
    required: int
    gate: GateState
    gate_short: str
    gate_answer: str | None  # bank 1: the self-rated gate answer
    failed: tuple[str, ...] = ()  # bank 2: each failed check in words
    open: tuple[str, ...] = ()  # bank 2: checks answered "don't know" or not at all
    contest: Contest | None = None
    unproven: bool = False

    def severity(self) -> tuple[int, int]:
        return GATE_SEVERITY[self.gate], self.level - self.required

    def cause(self) -> str:
        """Why the foundation falls short, as a clause after its name."""
        if self.gate is GateState.FAILED:
            detail = "; ".join(self.failed) or f"{self.gate_short.lower()}: {self.gate_answer}"
            return f"its deciding test fails ({detail})"
        if self.gate is GateState.CONTESTED and self.contest is not None:
            return (
                f"the delivery data contradicts the answers ({self.contest.claim}, against "
                f"{self.contest.figure}); it counts as not passed until dated evidence shows otherwise"
            )
        if self.gate is GateState.UNKNOWN:
            asked = "; ".join(self.open) or self.gate_short.lower()
            return f"nobody knows yet whether its deciding test passes ({asked}): find out first"
        if self.gate is GateState.UNANSWERED:
            asked = "; ".join(self.open) or self.gate_short.lower()
            return f"its deciding test is not answered yet ({asked})"
        if self.unproven:
            return "proven needs dated evidence that the deciding test held recently (a drill, a kill test, records)"
        return "other answers in this foundation are still weak"

    def line(self) -> str:
        """One bullet: the foundation, where it stands, and why."""
        return f"{self.title}: level {self.level}, needs {self.required}; {self.cause()}."

    def sentence(self) -> str:
        return f"{self.title.lower()} is at level {self.level} (needs {self.required}); {self.cause()}"


@dataclass(frozen=True)
class Verdict:
    end_state: str
    title: str
    ready: bool
    requires: dict[str, int]
    shortfalls: list[Shortfall]  # biggest blocker first
    unanswered: int
    status: Readiness = Readiness.NOT_READY
    already: str | None = None  # what the team already does, when it is exposed

    @property
    def label(self) -> str:
        return READINESS_LABELS[self.status]

    @property
    def headline(self) -> str:
        name = self.title.lower()
        if self.ready:
            return f"Ready for {name}: every foundation it needs is at the required level."
        blocker = self.shortfalls[0].title.lower() if self.shortfalls else "unanswered questions"
        if self.status is Readiness.EXPOSED:
            return (
                f"Exposed: you already {self.already}, but the foundations {name} needs are missing. "
                f"Biggest blocker: {blocker}."
            )
        return f"Not ready for {name}. Biggest blocker: {blocker}."

    @property
    def bullets(self) -> list[str]:
        lines = [s.line() for s in self.shortfalls]
        if self.unanswered:
            lines.append(f"{self.unanswered} question(s) it depends on are still unanswered.")
        return lines

    @property
    def sentence(self) -> str:
        """The headline and every bullet, for a plain-text line (the CLI, exports)."""
        return " ".join([self.headline, *self.bullets])


def shortfall(bank: Bank, result: FoundationResult, required: int, answers: Mapping[str, AnswerValue]) -> Shortfall:
    gate_q = next((q for q in bank.questions_for(result.key) if q.gate), None)
    gate_answer = answers.get(gate_q.key) if gate_q else None
    return Shortfall(
        foundation=result.key,
        title=result.title,
        level=result.level,
        required=required,
        gate=result.gate,
        gate_short=gate_q.short if gate_q else "deciding test",
        gate_answer=describe_value(gate_q, gate_answer) if gate_q and gate_answer else None,
        failed=describe_checks(result.failed_checks()),
        open=describe_checks(result.open_checks()),
        contest=result.contest,
        unproven=result.unproven,
    )


def verdict(
    bank: Bank,
    end_state: EndState,
    foundations: Mapping[str, FoundationResult],
    answers: Mapping[str, AnswerValue],
    exposures: Sequence[ActiveExposure] = (),
) -> Verdict:
    """Readiness for one end state: shortfalls biggest first, exposed when the team already operates there."""
    shortfalls = sorted(
        (
            shortfall(bank, foundations[fkey], required, answers)
            for fkey, required in end_state.requires.items()
            if foundations[fkey].level < required
        ),
        key=lambda s: (*s.severity(), bank.sequence_index(s.foundation)),
    )
    unanswered = sum(foundations[f].total - foundations[f].answered for f in end_state.requires)
    already = next((e.says for e in exposures if e.key in end_state.already), None)
    status = Readiness.READY if not shortfalls else (Readiness.EXPOSED if already else Readiness.NOT_READY)
    return Verdict(
        end_state.key,
        end_state.title,
        not shortfalls,
        dict(end_state.requires),
        shortfalls,
        unanswered,
        status,
        already if status is Readiness.EXPOSED else None,
    )
