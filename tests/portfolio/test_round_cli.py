"""`foundations round ...` and `foundations export --org`, run in-process against a real database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from assessment.assessments.repository import list_assessments
from assessment.assessments.rounds import carried_over_keys
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import DEMO_ORG
from cli import main as cli
from tests.support.cli import fails, run_json, run_ok

pytestmark = pytest.mark.usefixtures("env_database")  # the command line works on the test database


def test_round_new_prefilled_then_confirm(demo_engine: Engine, bank: Bank, capsys: pytest.CaptureFixture[str]) -> None:
    started = run_json(capsys, "round", "new", "--team", "Payments", "--org", DEMO_ORG, "--prefill", "--json")
    assert started["round_number"] == 3
    assert started["skipped"] == []
    with db.read_session(demo_engine) as session:
        carried = carried_over_keys(session, assessment_id=started["id"])
    assert len(carried) == started["carried_over"] > 0
    out = run_ok(capsys, "round", "confirm", str(started["id"]), "--question", carried[0], "--by", "ana")
    assert out.strip() == f"confirmed 1 carried-over answer(s): {carried[0]}"
    assert run_ok(capsys, "round", "confirm", str(started["id"])).startswith(
        f"confirmed {len(carried) - 1} carried-over answer(s)"
    )
    text = run_ok(capsys, "round", "new", "--team", "Catalogue", "--label", "Q3 review")
    assert text.startswith("started assessment ")
    assert "round 2" in text
    assert "carried" not in text


def test_round_compare_text_and_json(demo_engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    with db.read_session(demo_engine) as session:
        payments = [s.id for s in list_assessments(session) if s.team == "Payments"]
    data = run_json(capsys, "round", "compare", str(payments[1]), str(payments[0]), "--json")
    assert (data["before"]["id"], data["after"]["id"]) == (payments[0], payments[1])
    assert data["after"]["overall_score"] > data["before"]["overall_score"]
    assert {f["key"] for f in data["foundations"]} >= {"rollback_speed", "failure_isolation"}
    text = run_ok(capsys, "round", "compare", str(payments[0]), str(payments[1]))
    assert text.startswith(f"{DEMO_ORG} / Payments: round 1 -> round 2, overall ")
    assert "Deployment rollback speed" in text
    assert "changed: " in text


def test_round_errors_are_one_line(demo_engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    with db.read_session(demo_engine) as session:
        ids = {s.team: s.id for s in list_assessments(session)}
    assert "different teams" in fails(capsys, "round", "compare", str(ids["Payments"]), str(ids["Checkout"]))
    assert "no assessment with id 999" in fails(capsys, "round", "compare", "999", str(ids["Checkout"]))
    assert "no team named 'Nobody'" in fails(capsys, "round", "new", "--team", "Nobody")
    with pytest.raises(SystemExit):
        cli.main(["round", "compare", "x", "1"])


def test_export_org_csv_and_json(demo_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = run_ok(capsys, "export", "--org", DEMO_ORG, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {r["team"] for r in rows} == {"Payments", "Catalogue", "Checkout", "Platform", "Mobile API"}
    target = tmp_path / "org.json"
    assert run_ok(capsys, "export", "--org", DEMO_ORG, "-o", str(target)).strip() == f"wrote {target}"
    bundle = json.loads(target.read_text(encoding="utf-8"))
    assert (bundle["format"], bundle["format_version"]) == ("foundations.organisation", 2)
    assert sum(len(t["rounds"]) for t in bundle["teams"]) == 7


def test_export_usage_errors(demo_engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no organisation named 'Nobody'" in fails(capsys, "export", "--org", "Nobody")
    assert "CSV export is for an organisation" in fails(capsys, "export", "1", "--format", "csv")
    assert "not both" in fails(capsys, "export", "1", "--org", DEMO_ORG)
    assert "--org NAME" in fails(capsys, "export")
    assert json.loads(run_ok(capsys, "export", "1"))["format"] == "foundations.assessment"  # unchanged
