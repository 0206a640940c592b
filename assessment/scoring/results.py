"""A foundation's result: score, level, gate and the evidence behind them (shared by scoring and verdicts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from assessment.bank.model import LEVEL_NAMES
from assessment.scoring.gates import CheckResult, CheckState, Contest, GateState


@dataclass(frozen=True)
class FoundationResult:
    key: str
    title: str
    score: int  # 0-100, rounded
    raw_level: int
    level: int
    gate: GateState
    answered: int
    total: int
    dont_know: int
    checks: tuple[CheckResult, ...] = ()  # bank 2: the measured checks of the deciding test
    contest: Contest | None = None  # the data contradiction that holds the gate back, if any
    proven_on: date | None = None  # newest fresh evidence that the deciding test held
    measured: bool = False

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level]

    @property
    def unproven(self) -> bool:
        """Level 4 by the answers, held at 3 for want of fresh dated evidence."""
        return self.measured and self.gate is GateState.PASSED and self.raw_level > self.level

    @property
    def gate_capped(self) -> bool:
        """Held at level 2 by a deciding test not passed (a level held at 3 for want of proof is `unproven`)."""
        return self.raw_level > self.level and self.gate is not GateState.PASSED

    def failed_checks(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.state is CheckState.FAILED)

    def open_checks(self) -> tuple[CheckResult, ...]:
        """Checks nobody could answer ("don't know") or nobody has answered yet."""
        return tuple(c for c in self.checks if c.state in (CheckState.UNKNOWN, CheckState.UNANSWERED))
