"""The issue's findings about the old judgement, each as a rule that failed before bank 2 and the sequencing model."""

from __future__ import annotations

from datetime import date, timedelta

from assessment.bank.answers import AnswerValue, answered, check_answer
from assessment.bank.loader import default_bank
from assessment.roadmap.evidence import DoraMetric, Evidence, Signal
from assessment.roadmap.plan import build_roadmap
from assessment.scoring.engine import score_assessment
from assessment.scoring.gates import Facts, GateState
from assessment.scoring.verdicts import active_exposures
from tests.support.profiles import profile_answers

BANK = default_bank()
TODAY = date(2026, 12, 7)


def healthy() -> dict[str, AnswerValue]:
    return profile_answers(BANK, "p4_ready_and_proven", TODAY)


def with_values(answers: dict[str, AnswerValue], **values: object) -> dict[str, AnswerValue]:
    changed = {k: check_answer(BANK.question(k), answered(v)) for k, v in values.items()}  # type: ignore[arg-type]
    return {**answers, **changed}


def test_proven_needs_dated_evidence_not_only_a_high_score() -> None:
    answers = {k: a.with_details(evidence_date=None, evidence_url=None) for k, a in healthy().items()}
    score = score_assessment(BANK, answers, Facts(as_of=TODAY))
    for f in score.foundations.values():
        assert (f.raw_level, f.level, f.unproven) == (4, 3, True)
    assert not next(v for v in score.verdicts if v.end_state == "chaos_experiments").ready


def test_stale_evidence_does_not_prove_anything() -> None:
    stale = {
        k: a.with_details(evidence_date=TODAY - timedelta(days=400)) if a.evidence_date else a
        for k, a in healthy().items()
    }
    score = score_assessment(BANK, stale, Facts(as_of=TODAY))
    # issue 17: a stale drill no longer carries the deciding test either: it is unknown, the level at most 2
    assert score.foundations["rollback_speed"].gate is GateState.UNKNOWN
    assert score.foundations["rollback_speed"].level == 2
    assert score_assessment(BANK, healthy(), Facts(as_of=TODAY)).foundations["rollback_speed"].level == 4


def test_owners_for_sixty_percent_of_services_is_not_ready_for_chaos() -> None:
    score = score_assessment(BANK, with_values(healthy(), oc_owned_services_share=60), Facts(as_of=TODAY))
    assert score.foundations["oncall_runbooks"].gate is GateState.FAILED
    assert not any(v.ready for v in score.verdicts)


def test_a_slow_unrehearsed_rollback_and_slow_diagnosis_are_not_ready_whatever_the_ratings() -> None:
    answers = with_values(
        healthy(), rb_last_rollback_minutes=45, rb_days_since_rehearsal=365, io_diagnosis_minutes_worst=120
    )
    score = score_assessment(BANK, answers, Facts(as_of=TODAY))
    for end_state in ("deployment_autonomy", "microservices"):
        verdict = next(v for v in score.verdicts if v.end_state == end_state)
        assert not verdict.ready
        assert {s.foundation for s in verdict.shortfalls} == {"rollback_speed", "incident_observability"}


def test_data_never_rebuilds_what_the_answers_show_in_place() -> None:
    """Tracing at level 4 with slow recovery in the data: confirm tracing, do not plan six weeks of it."""
    slow = Evidence((Signal(DoraMetric.TIME_TO_RESTORE, 1.0, "median time to restore 2 days (low band)"),))
    roadmap = build_roadmap(BANK, healthy(), evidence=slow, facts=Facts(as_of=TODAY))
    tracing = roadmap.item("distributed_tracing")
    assert (tracing.kind, tracing.effort_weeks, tracing.in_place) == ("confirm", 0, True)
    assert "confirm its exit criterion rather than rebuild it" in tracing.reason


def test_reasons_carry_no_internal_numbers() -> None:
    answers = with_values(healthy(), rb_last_rollback_minutes=35, ctx_deploys_per_week=35, io_tracing=1)
    roadmap = build_roadmap(BANK, answers, facts=Facts(as_of=TODAY))
    for item in roadmap.items:
        assert "gap" not in item.reason
        assert "priority" not in item.reason
        assert "tier" not in item.reason
    first = next(i for i in roadmap.items if i.kind != "confirm")
    assert first.foundation == "rollback_speed"
    assert first.reason.startswith("You already deploy to production 35 times a week")
    assert "every bad deployment stays live until someone undoes it by hand" in first.reason


def test_dont_know_on_observability_is_found_out_in_days_before_any_build() -> None:
    answers = {**healthy(), "io_diagnosis_minutes_worst": AnswerValue(status=answered(1).status.__class__("dont_know"))}
    roadmap = build_roadmap(BANK, answers, facts=Facts(as_of=TODAY))
    first = roadmap.items[0]
    assert (first.kind, first.effort, first.phase.value) == ("discover", "3 days", "now")
    assert "Nobody could say whether the deciding test of incident observability holds" in first.reason


def test_the_exposure_quotes_whichever_of_answer_and_data_says_more() -> None:
    """An answer of 40 a week is not talked down to "about 6" by data, nor data of 30 to an answer of 8."""
    answers = with_values(healthy(), ctx_deploys_per_week=40)
    quiet_week = Facts(as_of=TODAY, deploys_per_week=6.2, deploys_source="imported data")
    says = {e.key: e.says for e in active_exposures(BANK, answers, quiet_week)}
    assert says["frequent_deploys"] == "deploy to production 40 times a week"
    busy = Facts(as_of=TODAY, deploys_per_week=30.4, deploys_source="imported data")
    says = {e.key: e.says for e in active_exposures(BANK, answers, busy)}
    assert says["frequent_deploys"] == "deploy to production 40 times a week"
    few = with_values(healthy(), ctx_deploys_per_week=2)
    says = {e.key: e.says for e in active_exposures(BANK, few, busy)}
    assert says["frequent_deploys"] == "deploy to production about 30 times a week (imported data)"


def test_a_level_held_at_3_for_want_of_proof_gets_a_short_record_keeping_item_first() -> None:
    """Level 4 by the answers with no dated evidence: before, chaos was "not ready" with nothing on the roadmap."""
    answers = {k: a.with_details(evidence_date=None, evidence_url=None) for k, a in healthy().items()}
    roadmap = build_roadmap(BANK, answers, facts=Facts(as_of=TODAY))
    chaos = next(e for e in roadmap.end_states if e.key == "chaos_experiments")
    proving = [i for i in roadmap.items if i.kind == "prove"]
    chaos_needs = next(e for e in BANK.end_states if e.key == "chaos_experiments").requires
    needed = {f for f, level in chaos_needs.items() if level == 4}
    assert {i.foundation for i in proving} == needed
    assert roadmap.items[: len(proving)] == tuple(proving)  # days of record keeping, first
    assert {(i.effort, i.phase.value) for i in proving} == {("2 days", "now")}
    assert chaos.status == "not_ready"
    assert chaos.after == proving[-1].key
    seeing = roadmap.item("prove_incident_observability")
    assert seeing.title == "Record dated evidence for incident observability"
    assert seeing.reason.startswith("The answers put incident observability at level 4 (proven), but no dated")
    assert seeing.exit_criterion == "The answers carry evidence dated within the last 90 days."
    assert "slowest root-cause time" in seeing.what_it_takes.lower()
    # nothing needs rollback at level 4: no record keeping is asked for it
    assert "prove_rollback_speed" not in {i.key for i in roadmap.items}
