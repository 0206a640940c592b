"""Golden roadmaps for the demo teams, judged through the database like the app judges them (with their DORA data).

A change here means the sequencing model or the demo data changed: check the new order
against docs/METHOD.md ("The order of the roadmap") before updating the golden lists.
What each list shows, by the method's rules:
- Catalogue does not know three deciding tests: three find-out items first (observability,
  isolation, postmortems in the foundation sequence), then the rest in the sequence; every end
  state waits only for the find-out items (what to build depends on what they find).
- Checkout's data contradicts two claims: two settle items first; then the rollback test it
  fails while it already deploys and releases on its own (tier 1), its pipeline first as the
  prerequisite; then everything else in the sequence. Exposed for autonomy and microservices,
  which wait for the settle items and the rollback work; chaos also for the isolation work
  (its test passed, its level is short).
- Mobile API is exposed on isolation, observability and rollback, all failed: all of it is
  tier 1; on-call and postmortems are not answered yet, so nothing is planned for them.
- Payments fails every test it answered, with nothing exposed: deciding-test work in the
  sequence (ownership and on-call first, postmortem process after the owners and the rotation it
  needs), then the weak answers (incident roles, paging load, the recurring-cause review) last,
  after the end states. Incident roles and paging load are on-call work but no deciding test
  waits for them, so they no longer ride ahead of the rollback test on the postmortem process.
  In round 2 on-call passes: the owners and the rotation are one-line confirm items the
  postmortem process needs, and the runbooks gap is a weak answer behind every failed test.
- Platform is ready for autonomy and microservices; chaos waits for proof: two days of
  record keeping each for observability and isolation come first (their tests passed, level 4
  needs the dated records), and chaos follows the instance-kill drill. In round 2 its dated
  drill records make it proven: nothing to do.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from assessment.assessments.repository import AssessmentData, list_assessments, load_assessment
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import load_demo
from assessment.judgement import judge
from assessment.roadmap.plan import build_roadmap

# title -> ("phase:investment ..." in order, "end_state:status@after ...")
GOLDEN: dict[str, tuple[str, str]] = {
    "Catalogue, round 1": (
        (
            "now:discover_incident_observability now:discover_failure_isolation "
            "now:discover_postmortem_practice now:service_ownership_registry now:shared_oncall_rotation "
            "next:top_failure_runbooks next:automated_deployment_pipeline next:one_step_rollback "
            "next:rollback_drills next:structured_logging later:service_health_metrics "
            "later:distributed_tracing later:root_cause_drills later:dependency_map "
            "later:default_timeouts_and_circuit_breakers later:bulkheads_and_fallbacks "
            "later:instance_kill_drill later:incident_record later:blameless_postmortem_process "
            "later:action_item_tracking later:incident_learning_review"
        ),
        (
            "deployment_autonomy:not_ready@discover_postmortem_practice "
            "microservices:not_ready@discover_postmortem_practice "
            "chaos_experiments:not_ready@discover_postmortem_practice"
        ),
    ),
    "Checkout, round 1": (
        (
            "now:settle_incident_observability now:settle_postmortem_practice "
            "now:automated_deployment_pipeline next:one_step_rollback next:rollback_drills "
            "next:service_ownership_registry next:paging_load_review next:shared_oncall_rotation "
            "later:top_failure_runbooks later:backward_compatible_migrations later:automated_test_suite "
            "later:structured_logging later:service_health_metrics later:dependency_map "
            "later:default_timeouts_and_circuit_breakers later:bulkheads_and_fallbacks "
            "later:instance_kill_drill later:incident_record"
        ),
        (
            "deployment_autonomy:exposed@rollback_drills microservices:exposed@rollback_drills "
            "chaos_experiments:not_ready@instance_kill_drill"
        ),
    ),
    "Mobile API, round 1": (
        (
            "now:service_ownership_registry now:automated_deployment_pipeline next:one_step_rollback "
            "next:rollback_drills next:structured_logging later:service_health_metrics "
            "later:distributed_tracing later:root_cause_drills later:dependency_map "
            "later:default_timeouts_and_circuit_breakers later:bulkheads_and_fallbacks "
            "later:instance_kill_drill"
        ),
        (
            "deployment_autonomy:exposed@instance_kill_drill microservices:exposed@instance_kill_drill "
            "chaos_experiments:not_ready@instance_kill_drill"
        ),
    ),
    "Payments, round 1": (
        (
            "now:service_ownership_registry now:shared_oncall_rotation next:top_failure_runbooks "
            "next:backward_compatible_migrations next:automated_deployment_pipeline later:one_step_rollback "
            "later:rollback_drills later:automated_test_suite later:structured_logging "
            "later:service_health_metrics later:distributed_tracing later:root_cause_drills "
            "later:dependency_map later:default_timeouts_and_circuit_breakers later:bulkheads_and_fallbacks "
            "later:instance_kill_drill later:incident_record later:blameless_postmortem_process "
            "later:action_item_tracking later:incident_response_roles later:paging_load_review "
            "later:incident_learning_review"
        ),
        (
            "deployment_autonomy:not_ready@action_item_tracking microservices:not_ready@action_item_tracking "
            "chaos_experiments:not_ready@action_item_tracking"
        ),
    ),
    "Payments, round 2": (
        (
            "now:service_ownership_registry now:shared_oncall_rotation now:automated_deployment_pipeline "
            "next:one_step_rollback next:rollback_drills next:structured_logging "
            "later:service_health_metrics later:distributed_tracing later:root_cause_drills "
            "later:dependency_map later:default_timeouts_and_circuit_breakers later:bulkheads_and_fallbacks "
            "later:instance_kill_drill later:incident_record later:blameless_postmortem_process "
            "later:action_item_tracking later:incident_response_roles later:top_failure_runbooks "
            "later:incident_learning_review"
        ),
        (
            "deployment_autonomy:not_ready@action_item_tracking microservices:not_ready@action_item_tracking "
            "chaos_experiments:not_ready@action_item_tracking"
        ),
    ),
    "Platform, round 1": (
        (
            "now:prove_incident_observability now:prove_failure_isolation "
            "now:service_ownership_registry now:paging_load_review now:shared_oncall_rotation "
            "next:top_failure_runbooks next:backward_compatible_migrations next:automated_deployment_pipeline "
            "next:one_step_rollback later:structured_logging later:service_health_metrics "
            "later:distributed_tracing later:dependency_map later:default_timeouts_and_circuit_breakers "
            "later:bulkheads_and_fallbacks later:instance_kill_drill later:incident_record "
            "later:blameless_postmortem_process later:action_item_tracking later:incident_learning_review"
        ),
        ("deployment_autonomy:ready@None microservices:ready@None chaos_experiments:not_ready@instance_kill_drill"),
    ),
    "Platform, round 2": (
        (""),
        ("deployment_autonomy:ready@None microservices:ready@None chaos_experiments:ready@None"),
    ),
}


def test_demo_roadmaps_match_the_golden_lists(engine: Engine, bank: Bank) -> None:
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
    got = {}
    with db.read_session(engine) as session:
        for row in list_assessments(session):
            data = load_assessment(session, assessment_id=row.id)
            roadmap = judge(session, data).roadmap
            got[data.title] = (
                " ".join(f"{i.phase.value}:{i.key}" for i in roadmap.items),
                " ".join(f"{e.key}:{e.status}@{e.after}" for e in roadmap.end_states),
            )
    assert got == GOLDEN


def _checkout(engine: Engine, bank: Bank) -> AssessmentData:
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
    with db.read_session(engine) as session:
        row = next(r for r in list_assessments(session) if r.team == "Checkout")
        return load_assessment(session, assessment_id=row.id)


def test_checkout_settles_its_contradictions_then_its_exposed_rollback_gate(engine: Engine, bank: Bank) -> None:
    data = _checkout(engine, bank)
    with db.read_session(engine) as session:
        roadmap = judge(session, data).roadmap
    settle_io, settle_pm, pipeline, rollback = roadmap.items[:4]
    assert [(i.key, i.kind, i.effort) for i in (settle_io, settle_pm)] == [
        ("settle_incident_observability", "settle", "2 days"),
        ("settle_postmortem_practice", "settle", "2 days"),
    ]
    assert settle_io.reason.startswith(
        "The answers say Slowest root-cause time, last three incidents: 15 minutes; the delivery data shows "
        "median time to restore "
    )
    assert settle_pm.reason.startswith(
        "The answers say Postmortems written: 3 of 3 incidents; the delivery data shows "
    )
    assert (pipeline.key, pipeline.tier, pipeline.serves_gate) == ("automated_deployment_pipeline", 1, True)
    assert "It comes early because One-step rollback to last known-good" in pipeline.reason
    assert (rollback.key, rollback.kind, rollback.tier, rollback.exposed) == ("one_step_rollback", "gate", 1, True)
    # the team says 40 a week, its imported data fewer: the exposure quotes what says more
    assert rollback.reason.startswith(
        "You already deploy to production 40 times a week, and the deciding test of deployment rollback speed "
        "fails (Rollback time: 240 minutes (needs 5 minutes or less, and faster than a normal deployment)"
    )
    assert "every bad deployment stays live until someone undoes it by hand." in rollback.reason


def test_checkout_without_its_data_starts_with_the_rollback_work(engine: Engine, bank: Bank) -> None:
    """The settle items come from the data alone: the answers by themselves pass both tests."""
    data = _checkout(engine, bank)
    roadmap = build_roadmap(data.bank, data.answers)
    assert roadmap.keys()[:3] == ["automated_deployment_pipeline", "one_step_rollback", "rollback_drills"]
    assert not [i for i in roadmap.items if i.kind == "settle"]
    # without data, the context answers still show what Checkout already does (40 deployments a week)
    assert roadmap.item("one_step_rollback").reason.startswith("You already deploy to production 40 times a week")
