"""Golden roadmaps for the demo teams, built through the database like the app builds them.

A change here means the ordering rules or the demo data changed: check the new order
against the rules in assessment/roadmap/plan.py before updating the golden lists.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from assessment.assessments.repository import list_assessments, load_assessment
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import load_demo
from assessment.roadmap.plan import build_roadmap

# title -> ("phase:investment ..." in order, "end_state:ready|blocked@after ...")
GOLDEN: dict[str, tuple[str, str]] = {
    "Catalogue, round 1": (
        (
            "now:dependency_map now:default_timeouts_and_circuit_breakers now:incident_record "
            "next:blameless_postmortem_process next:automated_deployment_pipeline next:one_step_rollback "
            "next:rollback_drills next:bulkheads_and_fallbacks next:action_item_tracking "
            "later:service_ownership_registry later:service_health_metrics later:structured_logging "
            "later:instance_kill_drill later:distributed_tracing later:root_cause_drills "
            "later:automated_test_suite later:top_failure_runbooks later:incident_learning_review "
            "later:shared_oncall_rotation"
        ),
        (
            "deployment_autonomy:blocked@incident_learning_review "
            "microservices:blocked@incident_learning_review "
            "chaos_experiments:blocked@incident_learning_review"
        ),
    ),
    "Checkout, round 1": (
        (
            "now:automated_deployment_pipeline next:one_step_rollback next:rollback_drills "
            "next:service_ownership_registry later:top_failure_runbooks later:dependency_map "
            "later:default_timeouts_and_circuit_breakers later:bulkheads_and_fallbacks "
            "later:automated_test_suite later:shared_oncall_rotation later:backward_compatible_migrations "
            "later:incident_record later:blameless_postmortem_process later:structured_logging"
        ),
        (
            "deployment_autonomy:blocked@backward_compatible_migrations "
            "microservices:blocked@backward_compatible_migrations "
            "chaos_experiments:blocked@backward_compatible_migrations"
        ),
    ),
    "Mobile API, round 1": (
        (
            "now:structured_logging next:distributed_tracing later:automated_deployment_pipeline "
            "later:one_step_rollback later:dependency_map later:default_timeouts_and_circuit_breakers "
            "later:bulkheads_and_fallbacks later:service_ownership_registry later:service_health_metrics "
            "later:root_cause_drills later:rollback_drills later:instance_kill_drill"
        ),
        (
            "deployment_autonomy:blocked@instance_kill_drill "
            "microservices:blocked@instance_kill_drill "
            "chaos_experiments:blocked@instance_kill_drill"
        ),
    ),
    "Payments, round 1": (
        (
            "now:dependency_map now:default_timeouts_and_circuit_breakers next:automated_deployment_pipeline "
            "next:one_step_rollback later:rollback_drills later:bulkheads_and_fallbacks "
            "later:structured_logging later:distributed_tracing later:service_ownership_registry "
            "later:top_failure_runbooks later:incident_record later:blameless_postmortem_process "
            "later:action_item_tracking later:shared_oncall_rotation later:service_health_metrics "
            "later:root_cause_drills later:instance_kill_drill later:automated_test_suite "
            "later:backward_compatible_migrations later:incident_learning_review"
        ),
        (
            "deployment_autonomy:blocked@incident_learning_review "
            "microservices:blocked@incident_learning_review "
            "chaos_experiments:blocked@incident_learning_review"
        ),
    ),
    "Payments, round 2": (
        (
            "now:dependency_map now:default_timeouts_and_circuit_breakers next:automated_deployment_pipeline "
            "next:one_step_rollback later:rollback_drills later:bulkheads_and_fallbacks later:incident_record "
            "later:blameless_postmortem_process later:action_item_tracking later:service_ownership_registry "
            "later:top_failure_runbooks later:structured_logging later:distributed_tracing "
            "later:shared_oncall_rotation later:service_health_metrics later:root_cause_drills "
            "later:instance_kill_drill later:automated_test_suite later:backward_compatible_migrations "
            "later:incident_learning_review"
        ),
        (
            "deployment_autonomy:blocked@incident_learning_review "
            "microservices:blocked@incident_learning_review "
            "chaos_experiments:blocked@incident_learning_review"
        ),
    ),
    "Platform, round 1": (
        (
            "now:structured_logging now:distributed_tracing next:automated_deployment_pipeline "
            "next:one_step_rollback next:backward_compatible_migrations next:incident_record "
            "next:blameless_postmortem_process next:action_item_tracking later:incident_learning_review "
            "later:service_ownership_registry later:shared_oncall_rotation"
        ),
        "deployment_autonomy:ready@None microservices:ready@None chaos_experiments:ready@None",
    ),
    "Platform, round 2": (
        "",
        "deployment_autonomy:ready@None microservices:ready@None chaos_experiments:ready@None",
    ),
}


def test_demo_roadmaps_match_the_golden_lists(engine: Engine, bank: Bank) -> None:
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
    with db.read_session(engine) as session:
        assessments = [load_assessment(session, assessment_id=r.id) for r in list_assessments(session)]
    got = {}
    for data in assessments:
        roadmap = build_roadmap(data.bank, data.answers)
        got[data.title] = (
            " ".join(f"{i.phase.value}:{i.key}" for i in roadmap.items),
            " ".join(f"{e.key}:{'ready' if e.ready else 'blocked'}@{e.after}" for e in roadmap.end_states),
        )
    assert got == GOLDEN


def test_checkout_starts_with_its_failed_rollback_gate(engine: Engine, bank: Bank) -> None:
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
    with db.read_session(engine) as session:
        row = next(r for r in list_assessments(session) if r.team == "Checkout")
        data = load_assessment(session, assessment_id=row.id)
    roadmap = build_roadmap(data.bank, data.answers)
    first, second = roadmap.items[:2]
    assert (first.key, second.key) == ("automated_deployment_pipeline", "one_step_rollback")
    assert first.serves_gate
    assert "prerequisite of One-step rollback" in first.reason
    assert second.kind == "gate"
    assert "Rollback path: level 1 (ad hoc)" in second.reason
