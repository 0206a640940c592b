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
GATE_CAP_LEVEL = 2  # a deciding test not passed caps a foundation at "partial"
UNPROVEN_CAP_LEVEL = 3  # "proven" needs dated evidence that the deciding test held recently
CONTEXT = "context"  # the reserved foundation key of context questions: asked, never scored
CONTEXT_TITLE = "How you ship today"


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
    score: int | None = Field(default=None, ge=0, le=100, description="Required unless the question is context.")


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
    better: Literal["lower", "higher"] = "higher"
    bands: list[Band] = Field(default_factory=list, description="Required unless the question is context.")
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
    fresh_days: int | None = Field(
        default=None, ge=1, description="How long evidence attached to this answer stays current (days)."
    )

    @property
    def scored(self) -> bool:
        """Context questions (how the team ships today) are asked but never scored."""
        return self.foundation != CONTEXT

    def meaning(self) -> tuple[object, ...]:
        """What an answer to this question means: its wording, type, options and unit (not its weight or help).

        Two bank versions that agree on it can carry an answer from one round to the next.
        """
        options = tuple(o.model_dump_json() for o in self.options or [])
        unit = (
            (self.number.unit, self.number.minimum, self.number.maximum, self.number.integer) if self.number else None
        )
        return (self.text, self.type, options, unit, self.good_answer)


class Condition(Strict):
    """A rule on one answer: exactly one of the comparisons is set.

    Numbers compare with `at_most`/`at_least` (inclusive) or must lie strictly below
    another question's answer (`below`); choices must be `one_of` the listed option
    keys; yes/no answers must equal `equals`.
    """

    question: Key
    at_most: float | None = None
    at_least: float | None = None
    below: Key | None = None
    one_of: list[Key] | None = None
    equals: bool | None = None

    def comparisons(self) -> list[str]:
        fields = ("at_most", "at_least", "below", "one_of", "equals")
        return [f for f in fields if getattr(self, f) is not None]


class GateCheck(Condition):
    """One measured part of a deciding test, with the words a client reads and where the threshold comes from."""

    needs: Text = Field(description='The requirement in words: "5 minutes or less".')
    source: Text = Field(description="Why this threshold: the article, the method, or the consultant's reason.")


class Discovery(Strict):
    """A short 'find out' item: what to do when nobody knows whether the deciding test holds."""

    title: Text
    what_it_takes: Text
    exit_criterion: Text
    days: int = Field(ge=1, le=20)


class Exposure(Condition):
    """Something the team already does that raises the urgency of the foundations protecting it.

    `dora_per_week_at_least` lets imported or typed deployment frequency show it too.
    """

    key: Key
    says: Text = Field(description='What the team already does, as a clause: "deploy every day".')
    protects: list[Key] = Field(min_length=1)
    dora_per_week_at_least: float | None = Field(default=None, gt=0)


class Foundation(Strict):
    key: Key
    title: Text
    summary: Text
    deciding_test: Text
    weight: float = Field(default=1.0, gt=0, le=5)
    gate: list[GateCheck] = Field(
        default_factory=list,
        description="Measured checks that decide the deciding test (bank 2). Empty: the gate question decides.",
    )
    proof: list[Key] = Field(
        default_factory=list, description="Answers whose evidence date can show the deciding test held recently."
    )
    proof_days: int | None = Field(default=None, ge=1, description="Freshness of that evidence; bank default else.")
    discover: Discovery | None = None
    exposure_risk: Text | None = Field(
        default=None, description='What goes wrong while exposed: "every bad deployment is an outage until undone".'
    )

    @property
    def measured(self) -> bool:
        return bool(self.gate)


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
    after_foundations: list[Key] = Field(
        default_factory=list,
        description="Foundations whose deciding-test work must come first (chaos after observability).",
    )


class EndState(Strict):
    key: Key
    title: Text
    summary: Text
    requires: dict[Key, int]
    already: list[Key] = Field(
        default_factory=list, description="Exposures that show the team already operates in this end state."
    )


class BankInfo(Strict):
    id: Key
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+(\.\d+)?$")]
    title: Text
    gate_pass_score: int = Field(default=75, ge=1, le=100)
    proof_days: int = Field(default=90, ge=1, description="Default freshness of evidence for 'proven' (days).")


class Bank(Strict):
    """A whole question bank as loaded from YAML, before cross-reference checks."""

    bank: BankInfo
    foundations: list[Foundation] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    investments: list[Investment] = Field(default_factory=list)
    end_states: list[EndState] = Field(default_factory=list)
    exposures: list[Exposure] = Field(default_factory=list)
    sequence: list[Key] = Field(
        default_factory=list,
        description="Foundations in the order their work is taken when nothing else decides (bank 2).",
    )

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

    def sections(self) -> list[str]:
        """The groups questions are asked in: the context first (when the bank has any), then each foundation."""
        return ([CONTEXT] if self.context_questions() else []) + [f.key for f in self.foundations]

    def section_title(self, key: str) -> str:
        return CONTEXT_TITLE if key == CONTEXT else self.foundation(key).title

    def scored_questions(self) -> list[Question]:
        return [q for q in self.questions if q.scored]

    def context_questions(self) -> list[Question]:
        return self.questions_for(CONTEXT)

    @property
    def measured(self) -> bool:
        """Bank 2 and later: deciding tests are decided by measured answers, not by a self-rated level."""
        return any(f.measured for f in self.foundations)

    def sequence_index(self, foundation: str) -> int:
        order = self.sequence or [f.key for f in self.foundations]
        return order.index(foundation) if foundation in order else len(order)

    def investment(self, key: str) -> Investment:
        return next(i for i in self.investments if i.key == key)
