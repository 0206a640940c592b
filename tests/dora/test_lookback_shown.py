"""The attribution look-back is named next to every figure that depends on it: the change failure rate and the cluster.

Before, only the change failure rate's text named it: the cluster line of `dora metrics`,
the JSON, the roadmap, the report's cluster and the portfolio's clusters did not, though a
different look-back moves the cluster.
"""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from assessment.assessments.repository import load_assessment
from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.dora.lookback import set_organisation_lookback
from assessment.dora.team import team_dora
from assessment.portfolio.dora import dora_clusters
from reports.context import dora_data
from reports.portfolio_context import lookback_legend
from tests.support.app import open_page, texts
from tests.support.builders import demo_round, org_id
from tests.support.cli import run_json, run_ok

SEVEN = "(attribution look-back 7 h)"


@pytest.fixture
def seven_hours(demo_app_engine: Engine) -> int:
    """The demo organisation with a 7-hour look-back; returns Checkout's round."""
    with db.write_session(demo_app_engine) as session:
        set_organisation_lookback(session, organisation_id=org_id(session, DEMO_ORG), hours=7)
    return demo_round(demo_app_engine, "Checkout")


def test_commands_name_the_lookback(seven_hours: int, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_ok(capsys, "dora", "metrics", "--team", "Checkout", "--org", DEMO_ORG)
    first, figures = out.splitlines()[0], out.splitlines()[1:]
    assert "; nearest cluster: " in first
    assert first.endswith(f" {SEVEN} (DORA Accelerate State of DevOps Report 2024)")
    assert any(line.strip().startswith("Change failure rate") and SEVEN in line for line in figures)
    data = run_json(capsys, "dora", "metrics", "--team", "Checkout", "--org", DEMO_ORG, "--json")
    assert data["lookback_hours"] == 7
    assert f"{SEVEN}\n" in run_ok(capsys, "roadmap", str(seven_hours)).splitlines(keepends=True)[0]
    roadmap = run_json(capsys, "roadmap", str(seven_hours), "--json")
    assert roadmap["dora_evidence"]["lookback_hours"] == 7


def test_the_report_and_the_pages_name_the_lookback(demo_app_engine: Engine, seven_hours: int) -> None:
    with db.read_session(demo_app_engine) as session:
        team = team_dora(session, load_assessment(session, assessment_id=seven_hours))
    assert team is not None
    report = dora_data(team)
    assert report.cluster is not None
    assert report.cluster.endswith(SEVEN)
    assert any(f.value.endswith(SEVEN) for f in report.figures if f.label == "Change failure rate")
    page = open_page("ui/pages/dora.py", seven_hours)
    assert not page.exception
    assert f"Change failure rate, and with it the cluster: {page.metric[0].value} {SEVEN}." in texts(page, "caption")
    portfolio = open_page("ui/pages/portfolio.py")
    table = portfolio.dataframe[0].value.set_index("Team")
    assert SEVEN in str(table.loc["Checkout", "DORA cluster"])
    with db.read_session(demo_app_engine) as session:
        clusters = dora_clusters(session, organisation_id=org_id(session, DEMO_ORG))
    assert lookback_legend(clusters) == ", with the organisation's attribution look-back of 7 h"  # the PDF's legend
