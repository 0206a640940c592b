"""Everything one assessment report shows, gathered into frozen dataclasses with no ORM objects.

`build_context` is the only place that decides *what* the report says; templates
decide only how it looks. DORA figures and cross-check contradictions are optional
inputs (`DoraData`, `Contradiction`) so the report works before any DORA data exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from assessment.assessments.comparison import RoundComparison
from assessment.assessments.repository import AssessmentData
from assessment.bank.answers import AnswerStatus, describe_value
from assessment.bank.model import CONTEXT, LEVEL_NAMES, Bank
from assessment.core.numbers import series
from assessment.dora.summary import ROADMAP_METRIC
from assessment.dora.team import TeamDora
from assessment.organisations.brand import Brand
from assessment.roadmap.evidence import Evidence
from assessment.roadmap.plan import NEXT_WEEKS, NOW_WEEKS, Phase, Roadmap, build_roadmap
from assessment.roadmap.select import EFFORT_WEEKS
from assessment.scoring.engine import RISK_ORDER, AssessmentScore, Risk, score_assessment
from assessment.scoring.gates import Facts, GateState
from assessment.scoring.verdicts import READINESS_LABELS, Readiness
from reports.branding import BrandView, brand_view
from reports.sections import (
    AnswerRow,
    CheckRow,
    Contradiction,
    DecidingTest,
    DoraData,
    DoraFigure,
    EndStateRow,
    FoundationSection,
    PhaseBlock,
    RoadmapRow,
    VerdictRow,
)

RISK_LABELS = {
    Risk.HIGH: "High",
    Risk.MEDIUM: "Medium",
    Risk.NONE: "None",
    Risk.NOT_APPLICABLE: "Not applicable",
    Risk.UNANSWERED: "Unanswered",
}
GATE_LABELS = {
    GateState.PASSED: "passes",
    GateState.FAILED: "fails",
    GateState.CONTESTED: "contested by the data",
    GateState.UNKNOWN: "unknown (don't know)",
    GateState.UNANSWERED: "not answered",
}
NOT_SCORED = "not_scored"  # the risk of a context question's answer: asked, never scored
PHASE_LABELS = {Phase.NOW: "Now: the next 30 days", Phase.NEXT: "Next: this quarter", Phase.LATER: "Later"}
DEFAULT_AUTHOR = "Foundations assessment"


@dataclass(frozen=True)
class ReportContext:
    title: str
    author: str
    organisation: str
    team: str
    round_number: int
    round_label: str | None
    status: str
    assessed_on: str
    generated_on: str
    bank_id: str
    bank_title: str
    bank_version: str
    gate_pass_score: int
    overall_score: int
    answered: int
    total: int
    dont_know: int
    gates_passed: int
    headline: str
    verdicts: tuple[VerdictRow, ...]
    top_actions: tuple[RoadmapRow, ...]
    foundations: tuple[FoundationSection, ...]
    roadmap: tuple[RoadmapRow, ...]
    phases: tuple[PhaseBlock, ...]
    end_states: tuple[EndStateRow, ...]
    dora: DoraData | None
    contradictions: tuple[Contradiction, ...]
    levels: tuple[tuple[int, str], ...]
    effort_weeks: tuple[tuple[str, int], ...]
    now_weeks: int
    next_weeks: int
    since: RoundComparison | None = None  # this round against the team's previous one
    checks: tuple[CheckRow, ...] = ()  # the cross-checks that found no contradiction, and why
    deciding_tests: tuple[DecidingTest, ...] = ()  # bank 2: each foundation's measured checks and their sources
    proof_days: int = 90
    short: bool = False  # a ready team's report: summary, evidence and upkeep only
    upkeep: tuple[tuple[str, str, str], ...] = ()  # (foundation, evidence dated, renew it by)
    context_title: str = ""  # "How you ship today": the context questions' section, asked and never scored
    context_answers: tuple[AnswerRow, ...] = ()
    brand: BrandView | None = None  # the organisation's branding; None: the report as Foundations makes it


def build_context(
    data: AssessmentData,
    *,
    score: AssessmentScore | None = None,
    roadmap: Roadmap | None = None,
    evidence: Evidence | None = None,
    dora: DoraData | None = None,
    contradictions: Sequence[Contradiction] = (),
    generated_on: date | None = None,
    author: str = DEFAULT_AUTHOR,
    since: RoundComparison | None = None,
    team_dora: TeamDora | None = None,
    brand: Brand | None = None,
) -> ReportContext:
    """Gather what the report says about one assessment; no markup, no ORM objects.

    `team_dora` (the team's stored DORA data, see assessment.dora.team) fills the
    evidence, the DORA section and the contradictions at once; the three separate
    arguments exist for callers that have figures from elsewhere.
    """
    facts = Facts(as_of=generated_on)
    if team_dora is not None:
        evidence = evidence or team_dora.evidence
        dora = dora or dora_data(team_dora)
        contradictions = contradictions or contradictions_of(team_dora)
        facts = team_dora.facts(generated_on)
    score = score or score_assessment(data.bank, data.answers, facts)
    roadmap = roadmap or build_roadmap(data.bank, data.answers, score=score, evidence=evidence, facts=facts)
    rows = _roadmap_rows(roadmap)
    foundations = tuple(_foundation(data, score, f.key, rows) for f in data.bank.foundations)
    gates_passed = sum(1 for f in score.foundations.values() if f.gate is GateState.PASSED)
    return ReportContext(
        title=f"Foundations assessment: {data.team}",
        author=(brand and (brand.prepared_by or brand.name)) or author,
        organisation=data.organisation,
        team=data.team,
        round_number=data.round_number,
        round_label=data.label,
        status=data.status,
        assessed_on=_day(data.completed_at or data.created_at),
        generated_on=_day(generated_on or date.today()),
        bank_id=data.bank.id,
        bank_title=data.bank.bank.title,
        bank_version=data.bank.version,
        gate_pass_score=data.bank.bank.gate_pass_score,
        overall_score=score.overall_score,
        answered=score.answered,
        total=score.total,
        dont_know=sum(f.dont_know for f in foundations),
        gates_passed=gates_passed,
        headline=_headline(data, score, gates_passed),
        verdicts=_verdicts(data.bank, score),
        top_actions=tuple(r for r in rows if not r.in_place)[:3],
        foundations=foundations,
        roadmap=rows,
        phases=_phases(rows, roadmap),
        end_states=_end_states(roadmap, rows),
        dora=dora,
        contradictions=tuple(contradictions),
        levels=tuple(enumerate(LEVEL_NAMES)),
        effort_weeks=tuple(EFFORT_WEEKS.items()),
        now_weeks=NOW_WEEKS,
        next_weeks=NEXT_WEEKS,
        since=since,
        checks=checks_of(team_dora) if team_dora is not None else (),
        deciding_tests=deciding_tests(data.bank),
        proof_days=data.bank.bank.proof_days,
        short=all(v.ready for v in score.verdicts) and all(r.in_place for r in rows),
        upkeep=upkeep(data.bank, score),
        context_title=data.bank.section_title(CONTEXT),
        context_answers=tuple(_answer_row(data, score, q.key) for q in data.bank.context_questions()),
        brand=brand_view(brand),
    )


def dora_data(team: TeamDora) -> DoraData:
    """The DORA section in words: every figure with its band, the elite benchmark and the definition."""
    figures = tuple(
        DoraFigure(
            metric=str(ROADMAP_METRIC[f.metric]),
            label=f.title,
            value=f.text,
            band=f.band.label if f.band else None,
            benchmark=f.elite,
            definition=f.definition,
            sample=f.sample,
        )
        for f in team.figures
    )
    return DoraData(
        window=team.window or "none stated (typed figures)",
        source=team.source,
        edition=team.edition,
        figures=figures,
        cluster=team.cluster,
        quality=team.quality,
    )


def upkeep(bank: Bank, score: AssessmentScore) -> tuple[tuple[str, str, str], ...]:
    """When each foundation's proof goes stale: the evidence date and the day to renew it by."""
    rows = []
    for f in bank.foundations:
        proven = score.foundations[f.key].proven_on
        if proven is not None:
            days = f.proof_days or bank.bank.proof_days
            rows.append((f.title, _day(proven), _day(proven + timedelta(days=days))))
    return tuple(rows)


def deciding_tests(bank: Bank) -> tuple[DecidingTest, ...]:
    questions = bank.questions_by_key()
    return tuple(
        DecidingTest(
            f.title,
            tuple((questions[c.question].short, c.needs, c.source) for c in f.gate),
            f.proof_days or bank.bank.proof_days,
        )
        for f in bank.foundations
        if f.measured
    )


def checks_of(team: TeamDora) -> tuple[CheckRow, ...]:
    return tuple(CheckRow(o.title, o.status, o.text) for o in team.outcomes if o.status != "contradiction")


def contradictions_of(team: TeamDora) -> tuple[Contradiction, ...]:
    return tuple(Contradiction(f.title, f.answer_quote, f.data_quote, f.explanation) for f in team.findings)


def _day(value: date | datetime) -> str:
    return f"{value.day} {value:%B %Y}"


def _headline(data: AssessmentData, score: AssessmentScore, gates_passed: int) -> str:
    ready = [v.title.lower() for v in score.verdicts if v.ready]
    exposed = [v.title.lower() for v in score.verdicts if v.status is Readiness.EXPOSED]
    readiness = f"ready for {series(ready)}" if ready else "not yet ready for any of the end states assessed"
    if exposed:
        readiness += (
            f", and exposed on {series(exposed)}: it already works that way without the foundations "
            f"{'it needs' if len(exposed) == 1 else 'they need'}"
        )
    return (
        f"{data.team} scores {score.overall_score} out of 100 across the five foundations, passes "
        f"{gates_passed} of {len(score.foundations)} deciding tests and is {readiness}."
    )


def _verdicts(bank: Bank, score: AssessmentScore) -> tuple[VerdictRow, ...]:
    rows = []
    for v in score.verdicts:
        end_state = next(e for e in bank.end_states if e.key == v.end_state)
        requires = tuple(
            (score.foundations[f].title, need, score.foundations[f].level) for f, need in v.requires.items()
        )
        detail = v.headline.split(": ", 1)[1] if ": " in v.headline else v.headline
        rows.append(
            VerdictRow(
                v.end_state,
                v.title,
                v.ready,
                v.sentence,
                detail[:1].upper() + detail[1:],
                end_state.summary,
                requires,
                v.status.value,
                v.label,
                v.headline,
                tuple(v.bullets),
            )
        )
    return tuple(rows)


def _answer_row(data: AssessmentData, score: AssessmentScore, key: str) -> AnswerRow:
    """One answer as the appendix lists it; a context question has no score and no risk ("not scored")."""
    q, answer, result = data.bank.question(key), data.answers.get(key), score.questions.get(key)
    meta = data.answer_meta.get(key)
    if result is None:
        risk, label = NOT_SCORED, "Not scored"
    else:
        risk = result.risk.value
        label = "Don't know" if answer and answer.status is AnswerStatus.DONT_KNOW else RISK_LABELS[result.risk]
    return AnswerRow(
        key=key,
        short=q.short,
        text=q.text,
        gate=q.gate,
        answer=describe_value(q, answer) if answer else None,
        score=result.score if result is not None else None,
        risk=risk,
        risk_label=label,
        note=answer.note if answer else None,
        evidence_url=answer.evidence_url if answer else None,
        evidence_date=answer.evidence_date.isoformat() if answer and answer.evidence_date else None,
        answered_by=meta[0] if meta else None,
        stale=result.stale.phrase if result is not None and result.stale else None,
    )


def _foundation(
    data: AssessmentData, score: AssessmentScore, key: str, rows: Sequence[RoadmapRow]
) -> FoundationSection:
    f, result = data.bank.foundation(key), score.foundations[key]
    answers = tuple(_answer_row(data, score, q.key) for q in data.bank.questions_for(key))
    weak = tuple(
        sorted((a for a in answers if a.risk in (Risk.HIGH, Risk.MEDIUM)), key=lambda a: RISK_ORDER[Risk(a.risk)])
    )
    return FoundationSection(
        key=key,
        title=f.title,
        summary=f.summary,
        deciding_test=f.deciding_test,
        score=result.score,
        level=result.level,
        level_name=result.level_name,
        gate=result.gate.value,
        gate_label=GATE_LABELS[result.gate],
        gate_capped=result.gate_capped,
        unproven=result.unproven,
        answered=result.answered,
        total=result.total,
        dont_know=result.dont_know,
        answers=answers,
        weak=weak,
        investments=tuple(f"{r.position}. {r.title}" for r in rows if r.foundation_title == f.title),
    )


def _roadmap_rows(roadmap: Roadmap) -> tuple[RoadmapRow, ...]:
    numbered = {i.key: f"{i.position}. {i.title}" for i in roadmap.items}
    positions = {i.key: i.position for i in roadmap.items}
    rows: list[RoadmapRow] = []
    week = 0.0
    for i in roadmap.items:
        rows.append(
            RoadmapRow(
                position=i.position,
                key=i.key,
                title=i.title,
                foundation_title=i.foundation_title,
                phase=i.phase.value,
                kind=i.kind,
                serves_gate=i.serves_gate,
                effort=i.effort,
                effort_weeks=i.effort_weeks,
                in_place=i.in_place,
                reason=i.reason,
                what_it_takes=i.what_it_takes,
                exit_criterion=i.exit_criterion,
                prerequisites=tuple(numbered[p] for p in i.prerequisites),
                prerequisite_positions=tuple(positions[p] for p in i.prerequisites),
                start_week=week,
                end_week=week + i.effort_weeks,
            )
        )
        week += i.effort_weeks
    return tuple(rows)


def _phases(rows: Sequence[RoadmapRow], roadmap: Roadmap) -> tuple[PhaseBlock, ...]:
    return tuple(
        PhaseBlock(
            p.value,
            PHASE_LABELS[p],
            roadmap.weeks.get(p.value, 0),
            tuple(r for r in rows if r.phase == p.value),
        )
        for p in Phase
    )


def _end_states(roadmap: Roadmap, rows: Sequence[RoadmapRow]) -> tuple[EndStateRow, ...]:
    numbered = {r.key: f"roadmap item {r.position} ({r.title})" for r in rows}  # "after 19. ..." was cryptic
    return tuple(
        EndStateRow(
            e.key,
            e.title,
            e.ready,
            e.reason,
            numbered.get(e.after or ""),
            e.phase.value,
            e.status,
            READINESS_LABELS[Readiness(e.status)],
        )
        for e in roadmap.end_states
    )
