"""The report context: plain frozen data (no ORM objects), built from the same rules as the pages."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from assessment.assessments.repository import AssessmentData
from assessment.bank.answers import AnswerValue, check_answer, dont_know
from assessment.bank.loader import default_bank
from assessment.demo import demo_answer
from assessment.roadmap.plan import build_roadmap
from reports.context import ReportContext, build_context

PLAIN = (str, int, float, bool, type(None))


def _data(answers: dict[str, AnswerValue] | None = None) -> AssessmentData:
    bank = default_bank()
    if answers is None:
        answers = {q.key: check_answer(q, dont_know(note="why")) for q in bank.questions if q.allow_dont_know}
    return AssessmentData(
        id=7,
        organisation="Org",
        team="Team",
        team_id=1,
        round_number=2,
        label="Q3",
        status="completed",
        created_at=datetime(2026, 1, 2, tzinfo=UTC),
        completed_at=datetime(2026, 2, 3, tzinfo=UTC),
        bank=bank,
        answers=answers,
        answer_meta={k: ("ana", datetime(2026, 2, 1, tzinfo=UTC), 1) for k in answers},
    )


def _walk(value: object, path: str) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        assert type(value).__dataclass_params__.frozen, path  # type: ignore[attr-defined]
        for f in dataclasses.fields(value):
            _walk(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, tuple):
        for n, item in enumerate(value):
            _walk(item, f"{path}[{n}]")
    else:
        assert isinstance(value, PLAIN), f"{path} is a {type(value).__name__}"


def test_context_is_plain_frozen_data() -> None:
    ctx = build_context(_data(), generated_on=date(2026, 3, 4))
    _walk(ctx, "ctx")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.team = "other"  # type: ignore[misc]


def test_context_follows_the_roadmap_and_scores() -> None:
    data = _data()
    ctx: ReportContext = build_context(data, generated_on=date(2026, 3, 4))
    roadmap = build_roadmap(data.bank, data.answers)
    assert [r.key for r in ctx.roadmap] == roadmap.keys()
    assert [r.key for b in ctx.phases for r in b.items] == roadmap.keys()
    assert ctx.top_actions == tuple(r for r in ctx.roadmap if not r.in_place)[:3]
    assert (ctx.assessed_on, ctx.generated_on) == ("3 February 2026", "4 March 2026")
    assert ctx.roadmap[0].start_week == 0
    assert all(a.end_week == b.start_week for a, b in zip(ctx.roadmap, ctx.roadmap[1:], strict=False))
    assert ctx.dont_know == sum(f.dont_know for f in ctx.foundations) > 0
    assert all(not v.ready and not v.detail.startswith("Not ready") for v in ctx.verdicts)
    first = ctx.foundations[0]
    assert first.answers[0].note == "why"
    assert first.answers[0].risk_label == "Don't know"


def strong(evidence_date: date | None) -> dict[str, AnswerValue]:
    """Every scored answer at its best; each deciding test's proof answers carry evidence of that date, if any."""
    bank = default_bank()
    answers = {q.key: demo_answer(q, 4) for q in bank.scored_questions()}
    for f in bank.foundations:
        for key in f.proof if evidence_date else []:
            answers[key] = answers[key].with_details(
                evidence_url="https://wiki.example.org/drill", evidence_date=evidence_date
            )
    return answers


def test_stale_evidence_is_shown_and_holds_the_deciding_tests_open() -> None:
    """Issue 17: evidence older than its question allows is stale in the appendix and cannot pass a test."""
    ctx = build_context(_data(strong(date(2025, 6, 1))), generated_on=date(2026, 3, 4))
    assert ctx.gates_passed == 1  # postmortem practice: its questions set no freshness window
    assert [f.level for f in ctx.foundations] == [2, 2, 2, 2, 3]
    rollback = next(a for f in ctx.foundations for a in f.answers if a.key == "rb_last_rollback_minutes")
    assert rollback.stale == "evidence dated 1 June 2025, 276 days old; it stays current 90 days"


def test_a_strong_proven_team_gets_an_empty_roadmap_ready_verdicts_and_the_short_report() -> None:
    ctx = build_context(_data(strong(date(2026, 2, 20))), generated_on=date(2026, 3, 4))
    assert ctx.gates_passed == 5
    assert "passes 5 of 5 deciding tests" in ctx.headline
    assert ctx.headline.endswith(
        "is ready for expanding deployment autonomy, microservices decomposition and chaos experiments."
    )
    assert ctx.roadmap == ()
    assert ctx.top_actions == ()
    assert all(v.ready and v.label == "Ready" for v in ctx.verdicts)
    assert all(f.level == 4 and not f.gate_capped and not f.unproven for f in ctx.foundations)
    assert ctx.short
    assert [(title, dated) for title, dated, _ in ctx.upkeep] == [
        (f.title, "20 February 2026") for f in ctx.foundations
    ]
    renew = {title: by for title, _, by in ctx.upkeep}
    assert renew["Deployment rollback speed"] == "21 May 2026"  # 90 days
    assert renew["On-call coverage and runbooks"] == "19 August 2026"  # ownership lists stay fresh for 180


def test_without_fresh_evidence_a_strong_team_is_held_at_established_not_capped_by_its_test() -> None:
    ctx = build_context(_data(strong(None)), generated_on=date(2026, 3, 4))  # no dated evidence at all
    assert ctx.gates_passed == 5
    assert all(f.level == 3 and f.unproven and not f.gate_capped for f in ctx.foundations)
    assert not ctx.short
    assert ctx.upkeep == ()
    chaos = next(v for v in ctx.verdicts if v.key == "chaos_experiments")
    assert (chaos.ready, chaos.label) == (False, "Not ready")
    assert all("proven needs dated evidence" in b for b in chaos.bullets)
