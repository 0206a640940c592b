"""Cross-check rules, one by one, and the demo team whose answers contradict its data."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from assessment.bank.answers import answered, dont_know
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import load_demo
from assessment.dora.crosscheck import Observed, check, observed_for_team, stored_findings
from assessment.dora.demo import team_data
from assessment.dora.figures import Typed, save_figures
from assessment.models.assessments import Assessment, Team
from assessment.models.dora import DoraDeployment

DATA = Observed(
    "imported data, test window",
    recovery_hours_median=9.0,
    incidents_resolved=12,
    incidents=40,
    deployments_per_week=0.5,
    change_failure_rate_pct=35.0,
)
CALM = Observed(
    "imported data, test window",
    recovery_hours_median=0.4,
    incidents_resolved=12,
    incidents=5,
    deployments_per_week=30.0,
    change_failure_rate_pct=4.0,
)


def _rules(bank: Bank, answers: dict[str, object], observed: Observed) -> dict[str, tuple[str, str]]:
    values = {k: answered(v) if v is not None else dont_know() for k, v in answers.items()}  # type: ignore[arg-type]
    return {f.rule: (f.answer_quote, f.data_quote) for f in check(values, bank.questions_by_key(), observed)}


def test_rollback_claim_against_recovery_time(bank: Bank) -> None:
    found = _rules(bank, {"rb_last_rollback_minutes": 4}, DATA)
    assert found["rollback_vs_recovery"] == (
        "Rollback time: 4 minutes",
        "median time to restore 9.0 hours over 12 resolved incidents (imported data, test window)",
    )
    assert "rollback_vs_recovery" not in _rules(bank, {"rb_last_rollback_minutes": 4}, CALM)
    assert "rollback_vs_recovery" not in _rules(bank, {"rb_last_rollback_minutes": 90}, DATA)


def test_rollback_level_quotes_the_option_the_team_chose(bank: Bank) -> None:
    quote, _ = _rules(bank, {"rb_rollback_path": 3}, DATA)["rollback_vs_recovery"]
    assert quote.startswith("Rollback path: level 3")
    assert "under 5 minutes" in quote


def test_diagnosis_claim_against_recovery_time(bank: Bank) -> None:
    assert "diagnosis_vs_recovery" in _rules(bank, {"io_root_cause_minutes": 10}, DATA)
    assert "diagnosis_vs_recovery" not in _rules(bank, {"io_root_cause_minutes": 10}, CALM)
    assert "diagnosis_vs_recovery" not in _rules(bank, {"io_root_cause_minutes": None}, DATA)  # don't know


def test_postmortem_claim_against_incident_count(bank: Bank) -> None:
    quote, data = _rules(bank, {"pm_postmortems_written": 3}, DATA)["postmortems_vs_incidents"]
    assert quote == "Postmortems written: 3 of 3 incidents"
    assert data.startswith("40 incidents")
    assert "postmortems_vs_incidents" not in _rules(bank, {"pm_postmortems_written": 1}, DATA)
    assert "postmortems_vs_incidents" not in _rules(bank, {"pm_postmortems_written": 3}, CALM)


def test_automation_claim_against_frequency_and_failure_rate(bank: Bank) -> None:
    _, data = _rules(bank, {"rb_deployment_pipeline": 4}, DATA)["automation_vs_delivery"]
    assert data == "0.5 deployments per week and change failure rate 35 % (imported data, test window)"
    assert "automation_vs_delivery" not in _rules(bank, {"rb_deployment_pipeline": 4}, CALM)
    assert "automation_vs_delivery" not in _rules(bank, {"rb_deployment_pipeline": 1}, DATA)


def test_no_data_no_findings(bank: Bank) -> None:
    assert check({"rb_last_rollback_minutes": answered(4)}, bank.questions_by_key(), None) == []


def test_typed_figures_are_checked_when_no_data_was_imported(engine: Engine, bank: Bank) -> None:
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
        team = session.exec(select(Team).where(Team.name == "Catalogue")).one()
        save_figures(
            session,
            team_id=team.id or 0,
            by="test",
            values={"recovery_time": Typed(range="one_day_to_one_week")},
        )
        observed = observed_for_team(session, team_id=team.id or 0)
    assert observed is not None
    assert observed.source == "typed figures"
    assert observed.recovery_hours_median == 72.0


def test_demo_checkout_answers_contradict_its_data(engine: Engine, bank: Bank) -> None:
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)  # twice: nothing more is added
    with db.read_session(engine) as session:
        ids = {
            name: session.exec(
                select(Assessment.id).join(Team, col(Team.id) == Assessment.team_id).where(Team.name == name)
            ).all()
            for name in ("Checkout", "Platform")
        }
        checkout = stored_findings(session, assessment_id=ids["Checkout"][-1] or 0)
        platform = [f for a in ids["Platform"] for f in stored_findings(session, assessment_id=a or 0)]
        deployments = session.exec(select(func.count()).select_from(DoraDeployment)).one()
    rules = {f.rule: f for f in checkout}
    assert {"diagnosis_vs_recovery", "postmortems_vs_incidents"} <= set(rules)
    assert rules["diagnosis_vs_recovery"].answer_quote.startswith("Root-cause time")
    assert "median time to restore" in rules["diagnosis_vs_recovery"].data_quote
    assert rules["postmortems_vs_incidents"].data_quote.startswith("40 incidents")
    assert platform == []
    assert 0 < deployments < 1000  # loaded once only


def test_demo_data_is_deterministic() -> None:
    now = datetime(2026, 1, 15, tzinfo=UTC)
    first = team_data("Checkout", per_day=2, lead_hours=(20, 120), incidents=40, restore_hours=(2.5, 14), end=now)
    again = team_data("Checkout", per_day=2, lead_hours=(20, 120), incidents=40, restore_hours=(2.5, 14), end=now)
    assert first == again
