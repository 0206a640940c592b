"""Organisation exports: a CSV a spreadsheet cannot be tricked by, and a JSON bundle that imports back."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from assessment.assessments.repository import list_assessments
from assessment.bank.answers import answered, dont_know
from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.spreadsheet import safe_cell
from assessment.demo import DEMO_ORG, load_demo
from assessment.interchange.bundle.export import organisation_json
from assessment.interchange.exports import COLUMNS, organisation_csv
from assessment.organisations.directory import find_organisation
from assessment.portfolio.data import portfolio_data
from cli import main as cli
from tests.support.builders import answer_all, new_round, org_id, random_organisation

HYPERLINK = '=HYPERLINK("http://x")'


def negative_bank(bank: Bank) -> Bank:
    """A bank whose incident-count question accepts negative numbers (a correction, say)."""
    data = bank.model_dump(mode="json")
    data["bank"]["version"] = "1.0.1"
    for q in data["questions"]:
        if q["key"] == "fi_cascading_incidents":
            q["number"]["minimum"] = -10
    return Bank.model_validate(data)


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (-5, -5),
        (2.5, 2.5),
        (True, "yes"),
        (None, ""),
    ],
)
def test_safe_cell(value: object, cell: object) -> None:
    assert safe_cell(value) == cell


def test_csv_neutralises_formulas_and_keeps_numbers(engine: Engine, bank: Bank) -> None:
    edited = negative_bank(bank)
    first = new_round(engine, edited, org="Acme", team=HYPERLINK)
    answer_all(
        engine,
        first,
        {
            "fi_cascading_incidents": answered(-5, note=HYPERLINK),
            "fi_timeouts": answered(3, note="-5"),
            "io_tracing": dont_know(note="@mention the platform team"),
        },
    )
    with db.read_session(engine) as session:
        text = organisation_csv(session, organisation="Acme")
    rows = rows_of(text)
    assert list(rows[0]) == list(COLUMNS)
    answers = {r["question_key"]: r for r in rows if r["record"] == "answer"}
    cascading = answers["fi_cascading_incidents"]
    assert cascading["value"] == "-5"
    assert cascading["note"] == "'" + HYPERLINK
    assert ",-5," in text.replace('"', "")  # the number is written bare, so a spreadsheet reads a number
    assert answers["fi_timeouts"]["note"] == "'-5"
    assert answers["fi_timeouts"]["value"] == "3"
    assert answers["io_tracing"]["note"] == "'@mention the platform team"
    assert {r["team"] for r in rows} == {"'" + HYPERLINK}
    for row in rows:  # no cell anywhere could start a formula
        assert not any(v.startswith(("=", "+", "@", "\t", "\r")) for v in row.values())
        assert all(not v.startswith("-") or v.lstrip("-").replace(".", "").isdigit() for v in row.values())


def test_csv_holds_every_answer_and_score(engine: Engine, bank: Bank) -> None:
    random_organisation(engine, bank, 21, teams=3)
    with db.read_session(engine) as session:
        text = organisation_csv(session, organisation="Acme")
        rounds = list_assessments(session)
        portfolio = portfolio_data(session, organisation_id=org_id(session))
    rows = rows_of(text)
    kinds = {k: [r for r in rows if r["record"] == k] for k in ("overall", "foundation", "readiness", "answer")}
    assert len(kinds["overall"]) == len(rounds)
    assert len(kinds["foundation"]) == len(rounds) * len(bank.foundations)
    assert len(kinds["readiness"]) == len(rounds) * len(bank.end_states)
    assert len(kinds["answer"]) == len(rounds) * len(bank.questions)
    for team in portfolio.teams:
        overall = next(r for r in kinds["overall"] if r["assessment_id"] == str(team.assessment_id))
        assert int(overall["score"]) == team.overall
        for key, cell in team.cells.items():
            row = next(
                r
                for r in kinds["foundation"]
                if r["assessment_id"] == str(team.assessment_id) and r["foundation"] == key
            )
            assert (int(row["score"]), int(row["level"]), row["gate"]) == (cell.score, cell.level, cell.gate)


def test_csv_readiness_says_exposed_not_only_ready_or_not(engine: Engine, bank: Bank) -> None:
    """Checkout already releases on its own without the rollback it needs: 'ready: no' alone hid that."""
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
    with db.read_session(engine) as session:
        rows = rows_of(organisation_csv(session, organisation=DEMO_ORG))
    checkout = {
        r["end_state"]: (r["status"], r["ready"])
        for r in rows
        if r["record"] == "readiness" and r["team"] == "Checkout"
    }
    assert checkout["deployment_autonomy"] == ("exposed", "no")
    assert checkout["chaos_experiments"] == ("not_ready", "no")
    statuses = {r["status"] for r in rows if r["record"] == "readiness"}
    assert statuses == {"ready", "not_ready", "exposed"}


def test_json_bundle_round_trips_through_import(
    engine: Engine, env_database: str, bank: Bank, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    random_organisation(engine, bank, 31, teams=3)
    with db.read_session(engine) as session:
        bundle = organisation_json(session, organisation="Acme")
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    with db.write_session(engine) as session:  # make room: import into a renamed organisation
        org = find_organisation(session, name="Acme")
        assert org is not None
        org.name = "Acme (before)"
    assert cli.main(["import", str(path)]) == 0
    out = capsys.readouterr().out
    rounds = sum(len(t["rounds"]) for t in bundle["teams"])
    assert f"imported 'Acme' from {path}: {len(bundle['teams'])} team(s), {rounds} round(s)" in out
    with db.read_session(engine) as session:
        again = organisation_json(session, organisation="Acme")
        before = portfolio_data(session, organisation_id=org_id(session, "Acme (before)"))
        after = portfolio_data(session, organisation_id=org_id(session))
    assert strip_volatile(again) == strip_volatile(bundle)
    assert [(t.team, t.overall, t.cells, t.ready) for t in after.teams] == [
        (t.team, t.overall, t.cells, t.ready) for t in before.teams
    ]


def test_demo_bundle_keeps_its_contested_deciding_tests_through_import(
    engine: Engine, env_database: str, bank: Bank, tmp_path: Path
) -> None:
    """Checkout's stored contradictions contest two deciding tests; the imported copy's stored scores say so too."""
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
        bundle = organisation_json(session, organisation=DEMO_ORG)
        org = find_organisation(session, name=DEMO_ORG)
        assert org is not None
        org.name = "Demo (before)"
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(bundle), encoding="utf-8")
    assert cli.main(["import", str(path)]) == 0
    with db.read_session(engine) as session:
        before = portfolio_data(session, organisation_id=org_id(session, "Demo (before)"))
        after = portfolio_data(session, organisation_id=org_id(session, DEMO_ORG))
        csv_rows = rows_of(organisation_csv(session, organisation=DEMO_ORG))
    checkout = next(t for t in before.teams if t.team == "Checkout")
    assert {k for k, c in checkout.cells.items() if c.gate == "contested"} == {
        "incident_observability",
        "postmortem_practice",
    }
    assert [(t.team, t.overall, t.cells, t.ready) for t in after.teams] == [
        (t.team, t.overall, t.cells, t.ready) for t in before.teams
    ]
    csv_gates = {
        (r["team"], r["foundation"]): r["gate"]
        for r in csv_rows
        if r["record"] == "foundation" and r["round"] == "1" and r["team"] == "Checkout"
    }
    assert csv_gates == {("Checkout", k): c.gate for k, c in checkout.cells.items()}


def strip_volatile(bundle: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in bundle.items() if k != "exported_at"}


def test_broken_bundle_is_refused_with_its_path(
    env_database: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(
        json.dumps(
            {
                "format": "foundations.organisation",
                "format_version": 1,
                "organisation": "Acme",
                "exported_at": "2026-01-01T00:00:00Z",
                "assessments": [{"format": "foundations.assessment"}],
            }
        ),
        encoding="utf-8",
    )
    assert cli.main(["import", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: not a Foundations organisation export: assessments[0].")
    assert len(err.splitlines()) == 1
    with db.read_session(engine) as session:
        assert list_assessments(session) == []
