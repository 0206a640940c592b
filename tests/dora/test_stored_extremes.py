"""Extreme times already in the DORA tables (stored before the import refused them): every command and page survives.

The rows are written straight into the tables, as an older version (or a hand-edited
database) could have left them: year 0, year 9999, and epochs far beyond any calendar.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.dora.formats import Kind
from assessment.models.dora import DoraImport
from tests.support.app import RESULTS, open_page
from tests.support.builders import demo_round, org_id
from tests.support.cli import fails, run, run_ok
from tests.support.dora_data import csv_bytes

YEAR_0 = -62_167_219_200  # 0000-01-01T00:00:00Z
YEAR_9999 = 253_402_300_799  # 9999-12-31T23:59:59Z
BEYOND = 10**15  # about the year 31 million
BEFORE = -(10**15)


def _store_extremes(engine: Engine, team: str) -> None:
    with db.write_session(engine) as session:
        organisation = org_id(session, DEMO_ORG)
        team_id = session.execute(
            sa.text("SELECT id FROM team WHERE name = :n AND organisation_id = :o"), {"n": team, "o": organisation}
        ).scalar_one()
        record = DoraImport(organisation_id=organisation, created_by="old version", summary_json="{}")
        session.add(record)
        session.flush()
        common = {"t": team_id, "i": record.id}
        latest = session.execute(
            sa.text("SELECT max(deployed_epoch_s) FROM dora_deployment WHERE team_id = :t"), {"t": team_id}
        ).scalar_one()
        inside = int(latest) - 3600  # inside the default window: its lead and restore times are extreme
        for n, (deployed, first) in enumerate(
            [(YEAR_9999, YEAR_0), (YEAR_0, None), (BEYOND, BEFORE), (inside, None), (inside, BEYOND)]
        ):
            session.execute(
                sa.text(
                    "INSERT INTO dora_deployment (team_id, import_id, external_id, service, deployed_epoch_s, "
                    "status, environment, change_ids, first_commit_epoch_s) "
                    "VALUES (:t, :i, :e, 'api', :d, 'success', 'production', :c, :f)"
                ),
                {**common, "e": f"x{n}", "d": deployed, "c": f"xc{n}", "f": first},
            )
            session.execute(
                sa.text(
                    "INSERT INTO dora_change (team_id, import_id, external_id, committed_epoch_s) "
                    "VALUES (:t, :i, :e, :c)"
                ),
                {**common, "e": f"xc{n}", "c": BEFORE if n % 2 else YEAR_0},
            )
            session.execute(
                sa.text(
                    "INSERT INTO dora_incident (team_id, import_id, external_id, service, started_epoch_s, "
                    "resolved_epoch_s, deployment_external_id) VALUES (:t, :i, :e, 'api', :s, :r, :d)"
                ),
                {
                    **common,
                    "e": f"xi{n}",
                    "s": [YEAR_9999, YEAR_0, BEYOND, inside, BEFORE][n],
                    "r": BEYOND,
                    "d": f"x{n}",
                },
            )


@pytest.fixture
def extreme_checkout(demo_app_engine: Engine) -> int:
    """The demo's Checkout team with extreme rows stored beside its own; returns its round's assessment id."""
    _store_extremes(demo_app_engine, "Checkout")
    return demo_round(demo_app_engine, "Checkout")


def test_commands_survive_stored_extremes(
    extreme_checkout: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_ok(capsys, "dora", "metrics", "--team", "Checkout", "--org", DEMO_ORG)
    assert "Checkout:" in out
    run_ok(capsys, "dora", "metrics", "--team", "Checkout", "--org", DEMO_ORG, "--json")
    run_ok(capsys, "roadmap", str(extreme_checkout))
    run_ok(capsys, "roadmap", str(extreme_checkout), "--json")
    assert "wrote" in run_ok(capsys, "report", str(extreme_checkout), "-o", str(tmp_path / "r.pdf"))
    assert "wrote" in run_ok(capsys, "report", "--portfolio", DEMO_ORG, "-o", str(tmp_path / "p.pdf"))
    deployments = tmp_path / "d.csv"
    deployments.write_bytes(
        csv_bytes(Kind.DEPLOYMENTS, [{"id": "later", "service": "api", "deployed_at": "2024-05-01T10:00:00Z"}])
    )
    code, out, err = run(
        capsys, "dora", "import", "--team", "Checkout", "--org", DEMO_ORG, "--deployments", str(deployments)
    )
    assert (code, err) == (0, ""), err  # a later import for the team still works (its cross-check included)


@pytest.mark.parametrize("page", ["ui/pages/dora.py", RESULTS, "ui/pages/report.py"])
def test_team_pages_survive_stored_extremes(extreme_checkout: int, page: str) -> None:
    at = open_page(page, extreme_checkout)
    assert not at.exception, at.exception


def test_portfolio_page_survives_stored_extremes(extreme_checkout: int) -> None:
    at = open_page("ui/pages/portfolio.py")
    assert not at.exception, at.exception


def test_a_window_at_the_calendars_end_is_refused_in_one_line(
    extreme_checkout: int, capsys: pytest.CaptureFixture[str]
) -> None:
    err = fails(capsys, "dora", "metrics", "--team", "Checkout", "--org", DEMO_ORG, "--until", "9999-12-31")
    assert err == "error: the window must lie between the years 1 and 9999\n"
