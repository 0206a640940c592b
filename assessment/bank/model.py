"""Typed model of a question bank: foundations, questions, investments and end states.

A bank is data a consultant edits, so every rule a later stage relies on
(references resolve, options have text, bands are ordered) is checked here, once,
with the YAML path of the offending value.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

LEVEL_NAMES: tuple[str, ...] = ("absent", "ad hoc", "partial", "established", "proven")
MAX_LEVEL = len(LEVEL_NAMES) - 1
GATE_CAP_LEVEL = 2  # a failed deciding test caps a foundation at "partial"


class Strict(BaseModel):
    """Base for bank models: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class AnswerType(StrEnum):
    LEVEL = "level"
    YES_NO = "yes_no"
    NUMBER = "number"
    CHOICE = "choice"


class LevelOption(Strict):
    """One rung of a maturity question: what a visitor would observe at this level."""

    level: int = Field(ge=0, le=MAX_LEVEL)
    text: Text


class ChoiceOption(Strict):
    """One option of a choice question with the score (0-100) it earns."""

    key: Key
    text: Text
    score: int = Field(ge=0, le=100)


class Band(Strict):
    """A number band: values on the good side of `limit` earn `score`."""

    limit: float
    score: int = Field(ge=0, le=100)


class NumberSpec(Strict):
    """How a measured value is read: its unit, range, direction and score bands."""

    unit: Text
    minimum: float = 0
    maximum: float | None = None
    integer: bool = False
    better: Literal["lower", "higher"]
    bands: list[Band] = Field(min_length=1)
    otherwise: int = Field(default=0, ge=0, le=100)


class RiskRule(Strict):
    """Answers scoring below `high_below` are high risk, below `medium_below` medium."""

    high_below: int = Field(default=50, ge=0, le=101)
    medium_below: int = Field(default=75, ge=0, le=101)


class Question(Strict):
    key: Key
    foundation: Key
    short: Text = Field(description="A few words naming what is asked, used in findings.")
    text: Text
    help: Text
    type: AnswerType
    weight: float = Field(default=1.0, gt=0, le=5)
    gate: bool = False
    options: list[LevelOption] | list[ChoiceOption] | None = None
    good_answer: bool | None = Field(default=None, description="yes_no: which answer is good.")
    number: NumberSpec | None = None
    allow_dont_know: bool = True
    allow_not_applicable: bool = False
    risk: RiskRule = RiskRule()
    triggers: list[Key] = Field(default_factory=list)


class Foundation(Strict):
    key: Key
    title: Text
    summary: Text
    deciding_test: Text
    weight: float = Field(default=1.0, gt=0, le=5)


class Effort(StrEnum):
    S = "S"
    M = "M"
    L = "L"


class Investment(Strict):
    key: Key
    title: Text
    foundation: Key
    what_it_takes: Text
    exit_criterion: Text
    effort: Effort
    prerequisites: list[Key] = Field(default_factory=list)


class EndState(Strict):
    key: Key
    title: Text
    summary: Text
    requires: dict[Key, int]


class BankInfo(Strict):
    id: Key
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")]
    title: Text
    gate_pass_score: int = Field(default=75, ge=1, le=100)


class Bank(Strict):
    """A whole question bank as loaded from YAML, before cross-reference checks."""

    bank: BankInfo
    foundations: list[Foundation] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    investments: list[Investment] = Field(default_factory=list)
    end_states: list[EndState] = Field(default_factory=list)

    @property
    def id(self) -> str:
        return self.bank.id

    @property
    def version(self) -> str:
        return self.bank.version

    def foundation(self, key: str) -> Foundation:
        return next(f for f in self.foundations if f.key == key)

    def question(self, key: str) -> Question:
        return self.questions_by_key()[key]

    def questions_by_key(self) -> dict[str, Question]:
        return {q.key: q for q in self.questions}

    def questions_for(self, foundation: str) -> list[Question]:
        return [q for q in self.questions if q.foundation == foundation]

    def investment(self, key: str) -> Investment:
        return next(i for i in self.investments if i.key == key)
