"""The Rounds page in AppTest: start a pre-filled round, confirm carried answers, compare two rounds."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from assessment.assessments.repository import list_assessments
from assessment.assessments.rounds import carried_over_keys
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.organisations.directory import find_team
from tests.support.app import open_page, texts

ROUNDS = "ui/pages/rounds.py"


def open_team(engine: Engine, name: str) -> AppTest:
    with db.read_session(engine) as session:
        team_id = find_team(session, team=name, organisation=DEMO_ORG).id
    at = open_page(ROUNDS)
    at.selectbox(key="rounds_team").set_value(team_id).run()
    assert not at.exception, at.exception
    return at


def test_comparison_of_the_last_two_rounds(demo_app_engine: Engine) -> None:
    at = open_team(demo_app_engine, "Payments")
    metrics = {m.label: (m.value, m.delta) for m in at.metric}
    assert int(metrics["Overall score"][1]) > 0
    markdown = texts(at, "markdown")
    assert "**Answers that changed**" in markdown
    assert "**Roadmap items completed**" in markdown
    assert at.dataframe[0].value.columns.tolist() == ["Foundation", "Round 1", "Round 2", "Score change"]


def test_start_a_prefilled_round_then_confirm(demo_app_engine: Engine, bank: Bank) -> None:
    at = open_team(demo_app_engine, "Checkout")
    assert at.checkbox(key="rounds_prefill").value is True
    at.text_input(key="rounds_label").set_value("Q3 review")
    at.button(key="rounds_start").click().run()
    assert not at.exception, at.exception
    with db.read_session(demo_app_engine) as session:
        latest = [s for s in list_assessments(session) if s.team == "Checkout"][-1]
        carried = carried_over_keys(session, assessment_id=latest.id)
    assert (latest.round_number, latest.label) == (2, "Q3 review")
    assert len(carried) == len(bank.questions)  # Checkout's first round answers every question
    at = open_team(demo_app_engine, "Checkout")
    at.multiselect(key="rounds_confirm_keys").set_value(carried[:2]).run()
    at.button(key="rounds_confirm").click().run()
    assert "Confirmed 2 carried-over answer(s)." in texts(at, "success")
    at.button(key="rounds_confirm_all").click().run()
    with db.read_session(demo_app_engine) as session:
        assert carried_over_keys(session, assessment_id=latest.id) == []


def test_a_team_with_one_round_has_nothing_to_compare(demo_app_engine: Engine) -> None:
    at = open_team(demo_app_engine, "Catalogue")
    assert not at.metric
    assert "Once the team has completed a second round" in texts(at, "caption")


def test_opened_from_an_assessment_it_starts_on_that_team(demo_app_engine: Engine) -> None:
    with db.read_session(demo_app_engine) as session:
        payments = [s for s in list_assessments(session) if s.team == "Payments"][-1]
    at = open_page(ROUNDS, payments.id)
    assert not at.exception, at.exception
    assert at.selectbox(key="rounds_team").value == payments.team_id
    fresh = open_page(ROUNDS, "not-a-number")  # a bad link: the first team, quietly
    assert not fresh.exception
    assert fresh.selectbox(key="rounds_team").value is not None


def test_a_round_in_progress_is_named_and_never_compared(demo_app_engine: Engine, bank: Bank) -> None:
    """Issue 16, item 3: starting round 3 made the page compare it, half-empty, with round 2 ("down 39")."""
    at = open_team(demo_app_engine, "Payments")
    at.checkbox(key="rounds_prefill").set_value(False)
    at.button(key="rounds_start").click().run()
    at = open_team(demo_app_engine, "Payments")
    assert "Round 3 is in progress (0 answered): it is compared once it is completed." in texts(at, "caption")
    assert at.dataframe[0].value.columns.tolist() == ["Foundation", "Round 1", "Round 2", "Score change"]
    metrics = {m.label: (m.value, m.delta) for m in at.metric}
    assert int(metrics["Overall score"][1]) > 0  # still round 1 to round 2
    assert [o.split(" · ")[0] for o in at.selectbox(key="rounds_after").options] == ["Round 1", "Round 2"]


def test_results_lead_and_starting_a_round_is_secondary(demo_app_engine: Engine) -> None:
    at = open_team(demo_app_engine, "Payments")
    assert not any(s.value.startswith("Start round") for s in at.subheader)  # no headline card for it
    assert [e.label for e in at.expander] == ["Start round 3"]  # folded under the comparison
    assert at.button(key="rounds_start").proto.type == "secondary"
    assert "primary" not in [b.proto.type for b in at.button]
