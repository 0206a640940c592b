"""Cross-check rules, one by one, and the demo team whose answers contradict its data.

docs/METHOD.md, "Data is evidence": a figure must be clearly beyond a limit (the margin, 1.5x)
to contradict a claim; below the minimum data the check says so instead of agreeing; typed
figures are quoted as typed, with no counts nobody typed; a contradiction contests the
deciding test behind the claim, in the stored scores too, until dated evidence settles it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, func, select

from assessment.assessments.repository import create_assessment, save_answer, store_bank
from assessment.assessments.scores import refresh_many, stored_contests
from assessment.bank.answers import AnswerValue, answered, dont_know
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import load_demo
from assessment.dora.crosscheck import check, outcomes, refresh_team_findings, stored_findings
from assessment.dora.demo import team_data
from assessment.dora.figures import Typed, save_figures
from assessment.dora.observed import Observed, observed_for_team
from assessment.models.assessments import Assessment, Team
from assessment.models.dora import DoraDeployment, DoraFinding
from assessment.models.scores import FoundationScore
from assessment.organisations.directory import ensure_organisation, ensure_team
from assessment.scoring.gates import Contest
from tests.support.banks import bank_v1

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


def _values(answers: Mapping[str, object]) -> dict[str, AnswerValue]:
    """Raw answers as the rules read them: None is "don't know"."""
    return {k: answered(v) if v is not None else dont_know() for k, v in answers.items()}  # type: ignore[arg-type]


def _rules(bank: Bank, answers: Mapping[str, object], observed: Observed) -> dict[str, tuple[str, str]]:
    return {f.rule: (f.answer_quote, f.data_quote) for f in check(_values(answers), bank.questions_by_key(), observed)}


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
    found = _rules(bank, {"io_diagnosis_minutes_worst": 10}, DATA)
    assert found["diagnosis_vs_recovery"][0] == "Slowest root-cause time, last three incidents: 10 minutes"
    assert "diagnosis_vs_recovery" not in _rules(bank, {"io_diagnosis_minutes_worst": 10}, CALM)
    assert "diagnosis_vs_recovery" not in _rules(bank, {"io_diagnosis_minutes_worst": 45}, DATA)  # no fast claim
    assert "diagnosis_vs_recovery" not in _rules(bank, {"io_diagnosis_minutes_worst": None}, DATA)  # don't know
    # a round answered on bank 1 is checked with its own question: the last incident's root-cause time
    assert _rules(bank_v1(), {"io_root_cause_minutes": 10}, DATA)["diagnosis_vs_recovery"][0] == (
        "Root-cause time: 10 minutes"
    )


def test_postmortem_claim_against_incident_count(bank: Bank) -> None:
    quote, data = _rules(bank, {"pm_postmortems_written": 3}, DATA)["postmortems_vs_incidents"]
    assert quote == "Postmortems written: 3 of 3 incidents"
    assert data.startswith("40 incidents")
    assert "postmortems_vs_incidents" not in _rules(bank, {"pm_postmortems_written": 1}, DATA)
    assert "postmortems_vs_incidents" not in _rules(bank, {"pm_postmortems_written": 3}, CALM)


def test_automation_claim_against_frequency_and_failure_rate(bank: Bank) -> None:
    # 35 % is beyond the 30 % limit but not by the margin (45 %): only the rare deployments are quoted
    _, data = _rules(bank, {"rb_deployment_pipeline": 4}, DATA)["automation_vs_delivery"]
    assert data == "0.5 deployments per week (imported data, test window)"
    failing = replace(DATA, change_failure_rate_pct=45.0)
    _, data = _rules(bank, {"rb_deployment_pipeline": 4}, failing)["automation_vs_delivery"]
    assert data == "0.5 deployments per week and change failure rate 45 % (imported data, test window)"
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
    assert rules["diagnosis_vs_recovery"].answer_quote.startswith("Slowest root-cause time, last three incidents: ")
    assert "median time to restore" in rules["diagnosis_vs_recovery"].data_quote
    assert rules["postmortems_vs_incidents"].data_quote.startswith("40 incidents")
    assert platform == []
    assert 0 < deployments < 1000  # loaded once only


def test_demo_data_is_deterministic() -> None:
    now = datetime(2026, 1, 15, tzinfo=UTC)
    first = team_data("Checkout", per_day=2, lead_hours=(20, 120), incidents=40, restore_hours=(2.5, 14), end=now)
    again = team_data("Checkout", per_day=2, lead_hours=(20, 120), incidents=40, restore_hours=(2.5, 14), end=now)
    assert first == again


# --- the margin, not a knife edge -------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "observed", "rule", "contradicts"),
    [
        # restore over 1 hour x 1.5 contradicts a rollback claimed at 15 minutes or less
        ({"rb_last_rollback_minutes": 4}, {"recovery_hours_median": 1.01}, "rollback_vs_recovery", False),
        ({"rb_last_rollback_minutes": 4}, {"recovery_hours_median": 1.5}, "rollback_vs_recovery", False),
        ({"rb_last_rollback_minutes": 4}, {"recovery_hours_median": 1.6}, "rollback_vs_recovery", True),
        # restore over 4 hours x 1.5 contradicts a diagnosis claimed at 30 minutes or less
        ({"io_diagnosis_minutes_worst": 30}, {"recovery_hours_median": 6.0}, "diagnosis_vs_recovery", False),
        ({"io_diagnosis_minutes_worst": 30}, {"recovery_hours_median": 6.1}, "diagnosis_vs_recovery", True),
        # 12 x 1.5 = 18 incidents make three-of-three postmortems unlikely
        ({"pm_postmortems_written": 3}, {"incidents": 17}, "postmortems_vs_incidents", False),
        ({"pm_postmortems_written": 3}, {"incidents": 18}, "postmortems_vs_incidents", True),
        # fewer than 1 / 1.5 deployments a week, or a failure rate of 30 % x 1.5, doubt a proven pipeline
        ({"rb_deployment_pipeline": 4}, {"deployments_per_week": 0.7}, "automation_vs_delivery", False),
        ({"rb_deployment_pipeline": 4}, {"deployments_per_week": 0.6}, "automation_vs_delivery", True),
        ({"rb_deployment_pipeline": 4}, {"change_failure_rate_pct": 44.0}, "automation_vs_delivery", False),
    ],
)
def test_a_contradiction_needs_the_margin_beyond_the_limit(
    bank: Bank, answers: dict[str, object], observed: dict[str, Any], rule: str, contradicts: bool
) -> None:
    assert (rule in _rules(bank, answers, replace(CALM, **observed))) is contradicts


def test_a_figure_just_past_the_margin_is_quoted_with_its_count(bank: Bank) -> None:
    slow = replace(CALM, recovery_hours_median=1.6)
    assert _rules(bank, {"rb_last_rollback_minutes": 4}, slow)["rollback_vs_recovery"] == (
        "Rollback time: 4 minutes",
        "median time to restore 1.6 hours over 12 resolved incidents (imported data, test window)",
    )


# --- not enough data is said as such --------------------------------------------------------


def _outcomes(bank: Bank, answers: Mapping[str, object], observed: Observed) -> dict[str, tuple[str, str]]:
    return {o.rule: (o.status, o.text) for o in outcomes(_values(answers), bank.questions_by_key(), observed)}


def test_too_few_resolved_incidents_is_not_enough_data_never_agreement(bank: Bank) -> None:
    """2 resolved incidents taking days, against a 4-minute rollback: no contradiction, and no agreement either."""
    few = replace(DATA, recovery_hours_median=50.0, incidents_resolved=2, incidents=2)
    answers = {"rb_last_rollback_minutes": 4, "io_diagnosis_minutes_worst": 10}
    assert check(_values(answers), bank.questions_by_key(), few) == []
    found = _outcomes(bank, answers, few)
    expected = "Not enough data to check: 2 resolved incidents in the window; the check needs 3."
    assert found["rollback_vs_recovery"] == ("not_enough_data", expected)
    assert found["diagnosis_vs_recovery"] == ("not_enough_data", expected)
    none = replace(DATA, recovery_hours_median=None, incidents_resolved=0, incidents=1)
    assert _outcomes(bank, answers, none)["rollback_vs_recovery"] == (
        "not_enough_data",
        "Not enough data to check: no resolved incidents.",
    )
    enough = replace(few, incidents_resolved=3)
    assert _outcomes(bank, answers, enough)["rollback_vs_recovery"][0] == "contradiction"


def test_every_check_reports_what_it_concluded(bank: Bank) -> None:
    answers = {
        "rb_last_rollback_minutes": 4,
        "io_diagnosis_minutes_worst": 10,
        "pm_postmortems_written": 3,
        "rb_deployment_pipeline": 3,
    }
    assert _outcomes(bank, answers, CALM) == dict.fromkeys(
        ("rollback_vs_recovery", "diagnosis_vs_recovery", "postmortems_vs_incidents", "automation_vs_delivery"),
        ("consistent", "Checked: the answers and the data fit together."),
    )
    unknown = _outcomes(
        bank, {"pm_postmortems_written": None, "pm_last_three_incidents": None}, replace(CALM, incidents=30)
    )
    assert unknown["postmortems_vs_incidents"] == (
        "question",
        "The data shows 30 incidents (imported data, test window), and the answers do not say how many have "
        "postmortems: which of them do?",
    )


def test_a_check_the_answers_give_nothing_to_is_never_agreement(bank: Bank) -> None:
    """Unanswered, "don't know" and not applicable claim nothing: the check says so, even with plenty of data."""
    found = _outcomes(bank, {"rb_last_rollback_minutes": None, "io_root_cause_path": None}, CALM)
    assert found == {
        "rollback_vs_recovery": ("no_claim", "Nothing to check: the answers give no rollback time or rollback path."),
        "diagnosis_vs_recovery": (
            "no_claim",
            "Nothing to check: the answers give no diagnosis time or root-cause path.",
        ),
        # incidents in the data and no word on postmortems: a question, not silence
        "postmortems_vs_incidents": (
            "question",
            "The data shows 5 incidents (imported data, test window), and the answers do not say how many have "
            "postmortems: which of them do?",
        ),
        "automation_vs_delivery": ("no_claim", "Nothing to check: the answers give no deployment pipeline level."),
    }
    no_incidents = _outcomes(bank, {}, replace(CALM, incidents=0))
    assert no_incidents["postmortems_vs_incidents"] == (
        "no_claim",
        "Nothing to check: the answers give no postmortem coverage.",
    )
    # one answer is enough to make it a check, a slow one included (slow rollback, slow recovery: they fit)
    slow = _outcomes(bank, {"rb_last_rollback_minutes": 60}, DATA)["rollback_vs_recovery"]
    assert slow == ("consistent", "Checked: the answers and the data fit together.")


# --- typed figures are quoted as typed --------------------------------------------------------


def _typed(engine: Engine, values: dict[str, Typed]) -> Observed:
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Acme")
        team = ensure_team(session, organisation_id=org.id or 0, name="Web")
        save_figures(session, team_id=team.id or 0, by="test", values=values)
        observed = observed_for_team(session, team_id=team.id or 0)
    assert observed is not None
    return observed


def test_typed_figures_are_quoted_as_typed_without_counts(engine: Engine, bank: Bank) -> None:
    observed = _typed(engine, {"recovery_time": Typed(range="one_day_to_one_week")})
    assert (observed.incidents_resolved, observed.incidents) == (None, None)  # nobody typed a count
    quote = _rules(bank, {"rb_last_rollback_minutes": 4}, observed)["rollback_vs_recovery"][1]
    assert quote == "time to restore typed: between one day and one week (typed figures)"
    assert "incidents" not in quote
    found = _outcomes(
        bank, {"rb_last_rollback_minutes": 4, "pm_postmortems_written": 3, "rb_deployment_pipeline": 3}, observed
    )
    assert found["rollback_vs_recovery"][0] == "contradiction"
    # what was not typed cannot be checked, and is not said to agree
    assert found["postmortems_vs_incidents"] == (
        "not_enough_data",
        "Not enough data to check: typed figures give no number of incidents.",
    )
    assert found["automation_vs_delivery"] == (
        "not_enough_data",
        "Not enough data to check: no deployment frequency or change failure rate.",
    )


def test_a_typed_number_is_quoted_in_its_own_words(engine: Engine, bank: Bank) -> None:
    observed = _typed(engine, {"recovery_time": Typed(number=200.0), "deployment_frequency": Typed(number=35.0)})
    assert _rules(bank, {"io_diagnosis_minutes_worst": 10}, observed)["diagnosis_vs_recovery"][1] == (
        "time to restore typed: 8.3 days (typed figures)"
    )
    only_lead_time = _typed(engine, {"lead_time": Typed(number=30.0)})
    assert _outcomes(bank, {"rb_rollback_path": 2}, only_lead_time)["rollback_vs_recovery"] == (
        "not_enough_data",
        "Not enough data to check: no time to restore was typed.",
    )


# --- a contradiction contests the deciding test -----------------------------------------------


def test_each_contradiction_names_the_deciding_test_it_contests(bank: Bank) -> None:
    answers = {"rb_last_rollback_minutes": 4, "io_diagnosis_minutes_worst": 10, "pm_postmortems_written": 3}
    answers["rb_deployment_pipeline"] = 4
    found = {f.rule: f.foundation for f in check(_values(answers), bank.questions_by_key(), DATA)}
    assert found == {
        "rollback_vs_recovery": "rollback_speed",
        "diagnosis_vs_recovery": "incident_observability",
        "postmortems_vs_incidents": "postmortem_practice",
        "automation_vs_delivery": None,  # the pipeline is no deciding test: it is cited, it contests nothing
    }


PASSING_ROLLBACK = {
    "rb_last_rollback_minutes": 4,
    "rb_deploy_minutes": 15,
    "rb_days_since_rehearsal": 30,
    "rb_one_step_share": 95,
}


def _rollback_round(engine: Engine, bank: Bank) -> tuple[int, int]:
    """A team whose answers pass the rollback test (4 minutes, rehearsed, 95 % of services): team and round ids."""
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Acme")
        team = ensure_team(session, organisation_id=org.id or 0, name="Web")
        stored = store_bank(session, bank=bank)
        assessment = create_assessment(session, team_id=team.id or 0, bank_version_id=stored.id or 0, created_by="t")
        for key, raw in PASSING_ROLLBACK.items():
            save_answer(session, assessment_id=assessment.id or 0, question_key=key, answer=answered(raw), by="t")
        return team.id or 0, assessment.id or 0


def _stored_rollback(engine: Engine, assessment_id: int) -> tuple[str, int]:
    with db.read_session(engine) as session:
        row = session.exec(
            select(FoundationScore).where(
                FoundationScore.assessment_id == assessment_id, FoundationScore.foundation == "rollback_speed"
            )
        ).one()
        return row.gate, row.level


def test_a_stored_contradiction_contests_the_stored_gate_until_dated_evidence_settles_it(
    engine: Engine, bank: Bank
) -> None:
    team_id, assessment_id = _rollback_round(engine, bank)
    assert _stored_rollback(engine, assessment_id) == ("passed", 3)
    with db.write_session(engine) as session:
        save_figures(session, team_id=team_id, by="test", values={"recovery_time": Typed(range="one_day_to_one_week")})
        refresh_team_findings(session, (team_id,))
    with db.read_session(engine) as session:
        rows = session.exec(select(DoraFinding.rule, DoraFinding.foundation)).all()
        contests = stored_contests(session, [assessment_id])
    assert rows == [("rollback_vs_recovery", "rollback_speed")]
    assert contests == {
        assessment_id: (
            Contest(
                "rollback_speed",
                "Rollback time: 4 minutes",
                "time to restore typed: between one day and one week (typed figures)",
            ),
        )
    }
    assert _stored_rollback(engine, assessment_id) == ("contested", 2)
    with db.write_session(engine) as session:
        refresh_many(session, assessment_ids=[assessment_id])  # recomputing reads the stored contest again
    assert _stored_rollback(engine, assessment_id) == ("contested", 2)
    with db.write_session(engine) as session:  # a timed rollback drill, recorded last week
        drill = answered(4, evidence_url="https://ci.example/drill/7", evidence_date=date.today() - timedelta(days=7))
        save_answer(session, assessment_id=assessment_id, question_key="rb_last_rollback_minutes", answer=drill, by="t")
    assert _stored_rollback(engine, assessment_id) == ("passed", 4)  # settled, and the drill proves it


def test_migration_0006_names_the_foundation_of_existing_findings(database_url: str) -> None:
    """Rows written at revision 0005, in plain SQL (today's models hold columns that revision has not)."""
    engine = db.make_engine(database_url)
    now = datetime.now(UTC)
    rules = ("rollback_vs_recovery", "diagnosis_vs_recovery", "postmortems_vs_incidents", "automation_vs_delivery")
    try:
        db.upgrade(engine, "0005")
        with engine.begin() as conn:
            statements = (
                "INSERT INTO organisation (id, name, created_at) VALUES (1, 'Acme', :at)",
                "INSERT INTO team (id, organisation_id, name, created_at) VALUES (1, 1, 'Web', :at)",
                "INSERT INTO bank_version (id, bank_id, version, title, content_hash, content, created_at) "
                "VALUES (1, 'foundations', '1.0.0', 'Foundations', 'hash', :bank, :at)",
                "INSERT INTO assessment (id, team_id, bank_version_id, round_number, status, created_by, created_at) "
                "VALUES (1, 1, 1, 1, 'in_progress', 't', :at)",
            )
            bank = bank_v1().model_dump_json()  # 0006 recomputes the stored scores, so the bank must be real
            for statement in statements:
                conn.execute(sa.text(statement), {"at": now, "bank": bank})
            for rule in rules:
                conn.execute(
                    sa.text(
                        "INSERT INTO dora_finding (assessment_id, rule, title, answer_quote, data_quote, explanation, "
                        "computed_at) VALUES (1, :rule, 't', 'claim', 'figure', 'why', :at)"
                    ),
                    {"rule": rule, "at": now},
                )
        db.upgrade(engine)
        with engine.connect() as conn:
            rows: dict[str, str | None] = dict(conn.execute(sa.text("SELECT rule, foundation FROM dora_finding")).all())
        assert rows == {
            "rollback_vs_recovery": "rollback_speed",
            "diagnosis_vs_recovery": "incident_observability",
            "postmortems_vs_incidents": "postmortem_practice",
            "automation_vs_delivery": None,
        }
    finally:
        engine.dispose()
