"""Start page, driven by widget key; every check reads the database afterwards."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from assessment.assessments.repository import list_assessments
from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.organisations.directory import list_organisations, list_teams
from tests.support.app import START, open_page, texts
from tests.support.builders import demo_round, new_round


def organisations(engine: Engine) -> list[str]:
    with db.read_session(engine) as session:
        return [o.name for o in list_organisations(session)]


def test_first_visit_creates_the_first_assessment_and_opens_it(app_engine: Engine) -> None:
    at = open_page(START)
    at.text_input(key="first_org_name").set_value("  Acme  ")
    at.text_input(key="first_team_name").set_value("Core platform")
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    with db.read_session(app_engine) as session:
        [summary] = list_assessments(session)
    assert (summary.organisation, summary.team, summary.round_number) == ("Acme", "Core platform", 1)
    assert at.query_params["assessment"] == str(summary.id)
    assert at.title[0].value == "Assess: Core platform, round 1"


def test_first_visit_with_a_blank_name_says_so_and_saves_nothing(app_engine: Engine) -> None:
    at = open_page(START)
    at.text_input(key="first_org_name").set_value("Acme")
    at.text_input(key="first_team_name").set_value("   ")
    at.button[0].click().run()
    assert not at.exception
    assert "Team name must not be empty" in texts(at, "error")
    assert organisations(app_engine) == []
    assert at.text_input(key="first_org_name").value == "Acme"  # nothing typed is lost


def test_demo_data_is_one_click_away_and_selected(app_engine: Engine) -> None:
    at = open_page(START)
    at.button(key="load_demo").click().run()
    assert not at.exception
    assert organisations(app_engine) == [DEMO_ORG]
    assert "Demo data loaded" in texts(at, "success")
    assert at.selectbox(key="start_org").format_func(at.selectbox(key="start_org").value) == DEMO_ORG
    assert at.button(key="load_demo").disabled


def test_new_round_for_a_chosen_team_opens_the_assess_page(demo_app_engine: Engine) -> None:
    at = open_page(START)
    payments = next(t for t in teams(demo_app_engine) if t[1] == "Payments")[0]
    at.selectbox(key="start_team").set_value(payments).run()
    assert "Round 2" in texts(at, "markdown")
    assert "Round 1" in texts(at, "markdown")
    at.button(key="start_round").click().run()
    assert not at.exception
    assert at.query_params["assessment"] == str(demo_round(demo_app_engine, "Payments", 3))
    assert at.title[0].value == "Assess: Payments, round 3"


def teams(engine: Engine) -> list[tuple[int, str]]:
    with db.read_session(engine) as session:
        orgs = list_organisations(session)
        return [(t.id or 0, t.name) for o in orgs for t in list_teams(session, organisation_id=o.id or 0)]


def test_create_organisation_and_team_then_start(app_engine: Engine) -> None:
    new_round(app_engine, org="Acme", team="Core")
    at = open_page(START)
    at.text_input(key="new_org_name").set_value("Globex")
    at.button(key="create_org").click().run()
    assert organisations(app_engine) == ["Acme", "Globex"]
    assert at.selectbox(key="start_org").format_func(at.selectbox(key="start_org").value) == "Globex"
    assert "No rounds yet" not in texts(at, "caption")  # no team yet: nothing to start
    at.text_input(key="new_team_name").set_value("Search")
    at.button(key="create_team").click().run()
    assert [name for _, name in teams(app_engine)] == ["Core", "Search"]
    assert "No rounds yet" in texts(at, "caption")
    at.button(key="start_round").click().run()
    with db.read_session(app_engine) as session:
        assert [(s.organisation, s.team) for s in list_assessments(session)] == [
            ("Acme", "Core"),
            ("Globex", "Search"),
        ]


def test_names_are_shown_as_text_never_as_markup(app_engine: Engine) -> None:
    new_round(app_engine, org="Acme", team="**Bold** [x](javascript:alert(1))")
    at = open_page(START)
    assert not at.exception
    heading = at.subheader[0].value
    assert heading.startswith("\\*\\*Bold\\*\\* \\[x\\]\\(javascript")
