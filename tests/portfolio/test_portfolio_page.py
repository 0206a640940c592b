"""The portfolio page in AppTest: real app.py and database, widgets by key, rows checked against the domain."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from assessment.assessments.repository import create_assessment, set_status, store_bank
from assessment.bank.loader import default_bank
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.organisations.directory import ensure_organisation, ensure_team
from assessment.portfolio.data import portfolio_data
from assessment.portfolio.filters import TeamFilter, filter_teams, sort_teams
from tests.support.app import open_page, texts
from tests.support.builders import org_id

PORTFOLIO = "ui/pages/portfolio.py"


def teams_shown(at: AppTest) -> list[str]:
    assert not at.exception, at.exception
    return list(at.dataframe[0].value["Team"]) if at.dataframe else []


def expected(engine: Engine, team_filter: TeamFilter, by: str = "team", descending: bool = False) -> list[str]:
    with db.read_session(engine) as session:
        portfolio = portfolio_data(session, organisation_id=org_id(session, DEMO_ORG))
    return [r.team for r in sort_teams(filter_teams(portfolio, team_filter), by, descending)]


def test_demo_portfolio_shows_every_team_with_readiness(demo_app_engine: Engine) -> None:
    at = open_page(PORTFOLIO)
    assert teams_shown(at) == ["Catalogue", "Checkout", "Payments", "Platform"]  # Mobile API: first round open
    assert "Mobile API: round 1 in progress (" in texts(at, "caption")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Teams with a completed round"] == "4"
    assert metrics["Ready: expanding deployment autonomy"] == "1 of 4"
    table = at.dataframe[0].value.set_index("Team")
    assert table.loc["Platform", "Expanding deployment autonomy"] == "ready"  # words: grey checkboxes read as blanks
    assert table.loc["Payments", "Chaos experiments"] == "not ready"
    # Checkout already ships on its own and runs many services without the foundations: exposed, as its report says
    assert table.loc["Checkout", "Expanding deployment autonomy"] == "exposed"
    assert table.loc["Checkout", "Microservices decomposition"] == "exposed"
    assert str(table.loc["Payments", "Since last round"]).startswith("+")
    assert table.loc["Catalogue", "Since last round"] == "first round"
    assert len(at.get("vega_lite_chart")) == 3  # heatmap, teams per level, trend


def test_filters_narrow_the_teams(demo_app_engine: Engine) -> None:
    at = open_page(PORTFOLIO)
    at.selectbox(key="portfolio_foundation").set_value("rollback_speed").run()
    at.selectbox(key="portfolio_below").set_value(2).run()
    below = expected(demo_app_engine, TeamFilter(foundation="rollback_speed", below_level=2))
    assert teams_shown(at) == below
    assert 0 < len(below) < 5
    assert "Checkout" in below
    assert "Payments" not in below  # its rollback speed is at level 2
    at.text_input(key="portfolio_name").set_value("check").run()
    assert teams_shown(at) == ["Checkout"]
    at.text_input(key="portfolio_name").set_value("pay").run()  # both filters hold at once
    assert teams_shown(at) == []
    at.text_input(key="portfolio_name").set_value("").run()
    at.selectbox(key="portfolio_foundation").set_value(None).run()
    at.selectbox(key="portfolio_end_state").set_value("deployment_autonomy").run()
    at.selectbox(key="portfolio_ready").set_value("ready").run()
    assert teams_shown(at) == ["Platform"]
    at.selectbox(key="portfolio_ready").set_value("not ready").run()
    assert teams_shown(at) == ["Catalogue", "Checkout", "Payments"]
    at.text_input(key="portfolio_name").set_value("nobody").run()
    assert teams_shown(at) == []
    assert "No team matches these filters." in texts(at, "info")
    assert not at.get("vega_lite_chart")  # no empty charts under the message


def test_sorting(demo_app_engine: Engine) -> None:
    at = open_page(PORTFOLIO)
    at.selectbox(key="portfolio_sort").set_value("overall").run()
    at.toggle(key="portfolio_desc").set_value(True).run()
    assert teams_shown(at) == expected(demo_app_engine, TeamFilter(), "overall", descending=True)
    assert teams_shown(at)[0] == "Platform"
    at.selectbox(key="portfolio_sort").set_value("foundation:rollback_speed").run()
    at.toggle(key="portfolio_desc").set_value(False).run()
    assert teams_shown(at) == expected(demo_app_engine, TeamFilter(), "foundation:rollback_speed")


def test_pages_of_teams(app_engine: Engine, bank: Bank) -> None:
    with db.write_session(app_engine) as session:
        org = ensure_organisation(session, name="Big")
        stored = store_bank(session, bank=default_bank())
        for n in range(23):
            team = ensure_team(session, organisation_id=org.id or 0, name=f"Team {n:02d}")
            created = create_assessment(session, team_id=team.id or 0, bank_version_id=stored.id or 0, created_by="t")
            set_status(session, assessment_id=created.id or 0, completed=True)
    at = open_page(PORTFOLIO)
    at.selectbox(key="portfolio_page_size").set_value(10).run()
    assert teams_shown(at) == [f"Team {n:02d}" for n in range(10)]
    at.number_input(key="portfolio_page").set_value(3).run()
    assert teams_shown(at) == [f"Team {n:02d}" for n in range(20, 23)]
    assert "Teams 21-23 of 23 shown" in texts(at, "caption")
    at.text_input(key="portfolio_name").set_value("Team 1").run()  # 10 teams left: one page, clamped
    assert teams_shown(at) == [f"Team {n:02d}" for n in range(10, 20)]
    assert at.number_input(key="portfolio_page").value == 1


def test_an_empty_install_points_to_start(app_engine: Engine) -> None:
    at = open_page(PORTFOLIO)
    assert not at.exception
    assert "no organisation to show yet" in texts(at, "info")
