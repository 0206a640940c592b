"""`foundations dora import|metrics` through the real CLI entry point and database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from assessment.core import db
from assessment.dora.formats import Kind
from assessment.dora.ingest.mapping import mapping_to_json
from assessment.organisations.directory import ensure_organisation, ensure_team
from cli import main as cli
from tests.support.dora_data import GOLDEN, csv_bytes


@pytest.fixture
def cli_team(env_database: str) -> str:
    """Organisation Org with team Team, in the migrated database the command line uses."""
    engine = db.get_engine()
    db.upgrade(engine)
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Org")
        ensure_team(session, organisation_id=org.id or 0, name="Team")
    return env_database


def _files(tmp_path: Path) -> dict[Kind, Path]:
    paths = {}
    for kind, rows in GOLDEN.items():
        paths[kind] = tmp_path / f"{kind.value}.csv"
        paths[kind].write_bytes(csv_bytes(kind, rows))
    return paths


def _count(table: str) -> int:
    with db.get_engine().connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_import_then_metrics_json(cli_team: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = _files(tmp_path)
    code = cli.main(
        [
            "dora",
            "import",
            "--team",
            "Team",
            "--org",
            "Org",
            "--deployments",
            str(paths[Kind.DEPLOYMENTS]),
            "--changes",
            str(paths[Kind.CHANGES]),
            "--incidents",
            str(paths[Kind.INCIDENTS]),
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert out.out.startswith("imported 7 deployments, 4 changes, 4 incidents")
    assert (
        cli.main(["dora", "metrics", "--team", "Team", "--since", "2024-05-01", "--until", "2024-05-07", "--json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["window"]["days"] == 7
    assert data["metrics"]["lead_time_hours_median"] == pytest.approx(2.0)
    assert data["metrics"]["change_failure_rate_pct"] == pytest.approx(50.0)
    assert {f["metric"] for f in data["figures"]} == {
        "deployment_frequency",
        "lead_time",
        "change_failure_rate",
        "recovery_time",
    }
    assert data["benchmark_edition"].endswith("2024")
    assert {"kind": "incidents", "id": "i3", "reason": "no resolution time: not in time to restore"} in data[
        "data_quality"
    ]["dropped_rows"]


def test_refused_import_lists_every_problem_and_saves_nothing(
    cli_team: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _files(tmp_path)
    bad = tmp_path / "bad_incidents.csv"
    bad.write_text(
        "id,service,started_at,resolved_at\n1,a,2024-05-01 10:00,\n2,a,yesterday,\n3,a,2024-05-01T10:00:00Z,\n",
        encoding="utf-8",
    )  # the valid third row is what --skip-invalid would import
    code = cli.main(
        [
            "dora",
            "import",
            "--team",
            "Team",
            "--deployments",
            str(good[Kind.DEPLOYMENTS]),
            "--incidents",
            str(bad),
        ]
    )
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err[0].startswith(f"error: {bad}, line 2, column 'started_at': has no UTC offset")
    assert err[1].startswith(f"error: {bad}, line 3, column 'started_at': is not a date and time")
    assert err[-1] == "error: nothing was imported (add --skip-invalid to import the other rows)"
    assert _count("dora_deployment") == 0
    assert _count("dora_import") == 0


def test_skip_invalid_and_time_zone(cli_team: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "incidents.csv"
    file.write_text(
        "id,service,started_at,resolved_at\n1,a,2024-05-01 10:00,2024-05-01 11:00\n2,a,never,\n",
        encoding="utf-8",
    )
    assert (
        cli.main(
            [
                "dora",
                "import",
                "--team",
                "Team",
                "--incidents",
                str(file),
                "--tz",
                "Europe/Paris",
                "--skip-invalid",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "imported 1 incidents; skipped 1 invalid row(s) as asked" in out
    assert f"skipped: {file}, line 3, column 'started_at'" in out


def test_mapping_file(cli_team: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "pagerduty.csv"
    export.write_text(
        "Incident Number,Service Name,Created,Resolved\n17,api,2024-05-01T10:00:00Z,2024-05-01T10:30:00Z\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        mapping_to_json(
            {
                Kind.INCIDENTS: {
                    "id": "Incident Number",
                    "service": "Service Name",
                    "started_at": "Created",
                    "resolved_at": "Resolved",
                }
            }
        )
    )
    assert cli.main(["dora", "import", "--team", "Team", "--incidents", str(export), "--mapping", str(mapping)]) == 0
    assert _count("dora_incident") == 1


def test_file_over_the_limit_and_missing_file(
    cli_team: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "deployments.csv"
    big.write_bytes(b"id,service,deployed_at\n" + b"x" * 200_000)
    assert cli.main(["dora", "import", "--team", "Team", "--deployments", str(big), "--max-mb", "0.1"]) == 1
    assert "over the limit of 0.1 MB" in capsys.readouterr().err
    assert cli.main(["dora", "import", "--team", "Team", "--changes", str(tmp_path / "nope.csv")]) == 1
    assert "nope.csv: file not found" in capsys.readouterr().err


def test_metrics_for_an_unknown_team(cli_team: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["dora", "metrics", "--team", "Nobody", "--json"]) == 1
    assert capsys.readouterr().err.strip() == "error: no team named 'Nobody'"
