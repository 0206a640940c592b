"""The rows and blocks each section of the team report shows: plain frozen data, no ORM objects, no markup."""

from __future__ import annotations

from dataclasses import dataclass

from assessment.roadmap.select import Kind

KIND_TAGS = {Kind.DISCOVER.value: "find out", Kind.SETTLE.value: "settle", Kind.PROVE.value: "prove"}


@dataclass(frozen=True)
class DoraFigure:
    """One DORA key as measured or typed, with its benchmark band and definition."""

    metric: str  # a roadmap.DoraMetric value
    label: str  # "Time to restore service"
    value: str  # "9 hours", or "no data"
    band: str | None  # "elite", "high", "medium", "low" or None
    benchmark: str  # what the elite band looks like, e.g. "under one hour"
    definition: str
    sample: str | None = None  # "42 incidents in the window"


@dataclass(frozen=True)
class DoraData:
    """The DORA section's input; the DORA module (assessment/dora) produces it."""

    window: str  # "1 Jan 2026 to 31 Mar 2026 (90 days)"
    source: str  # "typed figures" or "imported files: deployments.csv, incidents.csv"
    edition: str  # "DORA 2024 report"
    figures: tuple[DoraFigure, ...]
    cluster: str | None = None  # nearest cluster over all four keys
    quality: tuple[str, ...] = ()  # what was dropped and why, how incidents were linked


@dataclass(frozen=True)
class Contradiction:
    """An answer and a figure that cannot both be true, each quoted as the reader will check it."""

    title: str
    answer_side: str  # "Rollback time: 4 minutes"
    data_side: str  # "median time to restore 9 hours over 12 incidents"
    consequence: str | None = None


@dataclass(frozen=True)
class DecidingTest:
    """A foundation's deciding test as the method appendix states it: each check and where its threshold comes from."""

    title: str
    checks: tuple[tuple[str, str, str], ...]  # (what is measured, what it needs, why)
    proof_days: int  # how recent the evidence must be for "proven"


@dataclass(frozen=True)
class CheckRow:
    """One check of answers against data that did not find a contradiction: what it could or could not say."""

    title: str
    status: str  # "consistent", "not_enough_data", "no_claim", "question"
    text: str


@dataclass(frozen=True)
class AnswerRow:
    key: str
    short: str
    text: str
    gate: bool
    answer: str | None  # None: unanswered
    score: int | None
    risk: str
    risk_label: str
    note: str | None
    evidence_url: str | None
    evidence_date: str | None
    answered_by: str | None
    stale: str | None = None  # "evidence dated ..., N days old; it stays current M days"


@dataclass(frozen=True)
class FoundationSection:
    key: str
    title: str
    summary: str
    deciding_test: str
    score: int
    level: int
    level_name: str
    gate: str
    gate_label: str
    gate_capped: bool  # held at level 2 because the deciding test is not passed
    unproven: bool  # held at level 3 for want of fresh dated evidence that the deciding test held
    answered: int
    total: int
    dont_know: int
    answers: tuple[AnswerRow, ...]
    weak: tuple[AnswerRow, ...]  # high first, then medium, then in bank order
    investments: tuple[str, ...]  # "3. Title" of this foundation's roadmap items


@dataclass(frozen=True)
class VerdictRow:
    key: str
    title: str
    ready: bool
    sentence: str
    detail: str  # the headline without its "Not ready for ...:" opening, for a box that already says so
    summary: str
    requires: tuple[tuple[str, int, int], ...]  # foundation title, level needed, level now
    status: str = "not_ready"  # ready, not_ready or exposed
    label: str = "Not ready"
    headline: str = ""
    bullets: tuple[str, ...] = ()  # one line per missing foundation, biggest blocker first


@dataclass(frozen=True)
class RoadmapRow:
    position: int
    key: str
    title: str
    foundation_title: str
    phase: str
    kind: str
    serves_gate: bool
    effort: str
    effort_weeks: float
    in_place: bool
    reason: str
    what_it_takes: str
    exit_criterion: str
    prerequisites: tuple[str, ...]  # "2. Title"
    prerequisite_positions: tuple[int, ...]  # 2
    start_week: float  # for the plan chart: one team working through the list in order
    end_week: float

    @property
    def tag(self) -> str:
        """The pill beside the title: what kind of deciding-test work this is ("" for other work)."""
        return KIND_TAGS.get(self.kind, "deciding test" if self.serves_gate else "")


@dataclass(frozen=True)
class PhaseBlock:
    phase: str
    label: str
    weeks: float
    items: tuple[RoadmapRow, ...]


@dataclass(frozen=True)
class EndStateRow:
    key: str
    title: str
    ready: bool
    reason: str
    after: str | None  # "12. Title" of the item it follows
    phase: str
    status: str = "not_ready"  # ready, not_ready or exposed
    label: str = "Not ready"
