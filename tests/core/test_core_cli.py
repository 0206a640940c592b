"""The `foundations` command line, run in-process against a real database.

Every call goes through `cli.main.main`, exactly as the console script does;
bad input must give exit 1 and one line on stderr, never a traceback, and save nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from assessment.assessments.repository import (
    clear_answer,
    create_assessment,
    save_answer,
    set_status,
    store_bank,
)
from assessment.bank.answers import answer_to_data, answered, parse_answer_mapping
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.core.config import get_settings
from assessment.core.failures import database_file
from assessment.demo import DEMO_ORG
from assessment.organisations.directory import ensure_organisation, ensure_team
from assessment.scoring.engine import score_assessment
from cli import main as cli
from tests.support.cli import fails, run_json, run_ok
from tests.support.database import SqliteTemplates, empty_database, use_database

ANSWERS: dict[str, Any] = {
    "fi_instance_kill": 3,
    "fi_timeouts": {
        "value": 2,
        "note": "set by hand per service",
        "evidence_url": "https://wiki.example/timeouts",
        "evidence_date": "2026-01-31",
    },
    "fi_circuit_breakers": {"not_applicable": "no synchronous calls"},
    "fi_bulkheads": "per_critical",
    "io_diagnosis_minutes_worst": 45,
    "io_health_metrics": "yes",
    "io_tracing": {"dont_know": True, "note": "ask the platform team"},
    "rb_rollback_path": 1,
    "oc_owned_services_share": 62.5,
    "pm_blame": "system",
}


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database with the demo loaded, shared by the tests of this module that only read."""
    with empty_database(tmp_path_factory.mktemp("demo")) as url, pytest.MonkeyPatch.context() as mp:
        use_database(mp, url)
        assert cli.main(["db", "upgrade"]) == 0
        assert cli.main(["demo"]) == 0
        use_database(mp, url)
        yield url
        db.get_engine().dispose()
    get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.fixture
def read_only_demo(demo_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The shared demo database (read only: tests that write use `fresh_demo`)."""
    use_database(monkeypatch, demo_database)
    yield demo_database
    db.get_engine().dispose()
    get_settings.cache_clear()
    db.get_engine.cache_clear()


@pytest.fixture
def migrated(env_database: str, sqlite_templates: SqliteTemplates, capsys: pytest.CaptureFixture[str]) -> str:
    """The test database at the newest schema (a copy of the migrated template on SQLite)."""
    if not sqlite_templates.fill(env_database):
        assert "database schema at" in run_ok(capsys, "db", "upgrade")
    return env_database


@pytest.fixture
def fresh_demo(migrated: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert "created 7 assessment(s)" in run_ok(capsys, "demo")
    return migrated


@pytest.fixture
def payments_round(migrated: str) -> str:
    """Organisation Acme with team Payments and one assessment, so "nothing saved" has a baseline."""
    bank = default_bank()
    with db.write_session(db.get_engine()) as session:
        org = ensure_organisation(session, name="Acme")
        payments = ensure_team(session, organisation_id=org.id or 0, name="Payments")
        stored = store_bank(session, bank=bank)
        first = create_assessment(session, team_id=payments.id or 0, bank_version_id=stored.id or 0, created_by="t")
        save_answer(session, assessment_id=first.id or 0, question_key="fi_timeouts", answer=answered(2), by="t")
    return migrated


def write(path: Path, data: Any, fmt: str) -> Path:
    path.write_text(json.dumps(data) if fmt == "json" else yaml.safe_dump(data), encoding="utf-8")
    return path


def assessments(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    rows = run_json(capsys, "list", "--json")
    assert isinstance(rows, list)
    return rows


# --- set-up commands ----------------------------------------------------------------------------


def test_db_upgrade_creates_then_keeps_the_schema(env_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    first = run_ok(capsys, "db", "upgrade").splitlines()
    path = database_file(sa.make_url(env_database))
    assert first[:-1] == ([f"created a new, empty database at {path}"] if path else [])  # said when it creates
    assert first[-1].startswith(f"database schema at {db.head_revision()} ")
    assert run_ok(capsys, "db", "upgrade").startswith(f"database schema at {db.head_revision()} ")
    assert "up to date" in run_ok(capsys, "db", "status")


def test_empty_list(migrated: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_ok(capsys, "list") == "no assessments yet (try `foundations demo`)\n"
    assert assessments(capsys) == []


def test_demo_is_idempotent_and_spans_maturity(read_only_demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    first = assessments(capsys)
    assert "is already loaded" in run_ok(capsys, "demo")
    assert assessments(capsys) == first
    assert len(first) == 7
    assert {r["organisation"] for r in first} == {DEMO_ORG}
    teams = {r["team"] for r in first}
    assert len(teams) >= 4
    rounds = {t: sorted(r["round_number"] for r in first if r["team"] == t) for t in teams}
    assert [1, 2] in rounds.values()
    latest = {r["team"]: r["id"] for r in first}  # rows are ordered by round within a team
    overall = {t: run_json(capsys, "score", str(i), "--json")["overall_score"] for t, i in latest.items()}
    assert len(set(overall.values())) == len(overall), overall  # clearly different maturity
    assert max(overall.values()) - min(overall.values()) >= 50, overall


def test_list_json_shape(read_only_demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    row = assessments(capsys)[0]
    assert set(row) == {
        "id",
        "organisation",
        "team",
        "team_id",
        "round_number",
        "label",
        "status",
        "bank",
        "answered",
        "created_at",
    }
    assert isinstance(row["id"], int)
    assert row["bank"] == "foundations 2.1.0"
    assert row["created_at"].endswith(("+00:00", "Z"))
    text = run_ok(capsys, "list")
    assert f"{DEMO_ORG} / Payments  round 2" in text


# --- assessment create and score ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_create_from_answers_file_round_trips_to_score(
    migrated: str, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / f"answers.{fmt}", ANSWERS, fmt)
    created = run_json(
        capsys,
        "assessment",
        "create",
        "--org",
        "Acme",
        "--team",
        "Web",
        "--create-team",
        "--answers",
        str(path),
        "--label",
        "baseline",
        "--by",
        "dana",
        "--json",
    )
    assert created == {"id": created["id"], "round_number": 1, "answers": len(ANSWERS)}

    bank = default_bank()
    expected = score_assessment(bank, parse_answer_mapping(bank, ANSWERS))
    scored = run_json(capsys, "score", str(created["id"]), "--json")
    assert scored["overall_score"] == expected.overall_score
    assert scored["answered"] == len(ANSWERS)
    assert {f["key"]: (f["score"], f["level"], f["gate"]) for f in scored["foundations"]} == {
        k: (f.score, f.level, f.gate.value) for k, f in expected.foundations.items()
    }
    by_key = {q["question_key"]: q for q in scored["questions"]}
    assert by_key["fi_circuit_breakers"]["answer_text"] == "not applicable (no synchronous calls)"
    assert by_key["io_tracing"]["answer_text"] == "don't know"
    assert by_key["io_diagnosis_minutes_worst"]["answer_text"] == "45 minutes"

    exported = run_json(capsys, "export", str(created["id"]), "--format", "json")
    assert exported["label"] == "baseline"
    assert exported["created_by"] == "dana"
    back = {a["question_key"]: a for a in exported["answers"]}
    assert set(back) == set(ANSWERS)
    values = parse_answer_mapping(bank, ANSWERS)
    for key, a in back.items():
        stored = {
            k: v
            for k, v in a.items()
            if k in ("value", "dont_know", "not_applicable", "note", "evidence_url", "evidence_date") and v is not None
        }
        if a["status"] == "dont_know":
            stored["dont_know"] = True
        if a["status"] == "not_applicable":
            stored["not_applicable"] = stored.pop("reason", a["reason"])
        assert stored == answer_to_data(values[key]), key
        assert a["answered_by"] == "dana"


ZERO_NO_FALSE_YAML = """\
fi_cascading_incidents:
  value: 0
  evidence_url: https://wiki.example/incidents
  evidence_date: 2026-01-31
fi_instance_kill: {value: 0, note: never tried}
fi_template_defaults:
  value: false
  note: each service sets its own
io_host_access_last_three:
  value: no
  note: dashboards only
ctx_chaos: {value: "no", note: not yet}
fi_dependency_map: {value: false, dont_know: false, evidence_url: https://wiki.example/deps}
"""


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_zero_no_and_false_with_a_note_or_evidence_are_answers(
    migrated: str, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`value: 0`, `value: no` and `value: false` are answers, also with details (0 == False once refused them)."""
    data = yaml.safe_load(ZERO_NO_FALSE_YAML)
    path = tmp_path / f"answers.{fmt}"
    path.write_text(ZERO_NO_FALSE_YAML if fmt == "yaml" else json.dumps(data, default=str), encoding="utf-8")
    created = run_json(
        capsys,
        "assessment",
        "create",
        "--org",
        "Acme",
        "--team",
        "Web",
        "--create-team",
        "--answers",
        str(path),
        "--json",
    )
    assert created["answers"] == 6
    back = {a["question_key"]: a for a in run_json(capsys, "export", str(created["id"]), "--format", "json")["answers"]}
    assert {k: (a["status"], a["value"]) for k, a in back.items()} == {
        "fi_cascading_incidents": ("answered", 0),
        "fi_instance_kill": ("answered", 0),
        "fi_template_defaults": ("answered", False),
        "io_host_access_last_three": ("answered", False),
        "ctx_chaos": ("answered", False),
        "fi_dependency_map": ("answered", False),  # `dont_know: false` is no flag: the value is the answer
    }
    assert (back["fi_cascading_incidents"]["evidence_url"], back["fi_cascading_incidents"]["evidence_date"]) == (
        "https://wiki.example/incidents",
        "2026-01-31",
    )
    assert back["io_host_access_last_three"]["note"] == "dashboards only"
    scored = {q["question_key"]: q for q in run_json(capsys, "score", str(created["id"]), "--json")["questions"]}
    assert (scored["fi_cascading_incidents"]["score"], scored["fi_cascading_incidents"]["answer_text"]) == (
        100,
        "0 incidents",
    )
    assert (scored["io_host_access_last_three"]["score"], scored["io_host_access_last_three"]["answer_text"]) == (
        100,
        "no",
    )
    assert (scored["fi_template_defaults"]["score"], scored["fi_instance_kill"]["score"]) == (0, 0)


def test_second_create_is_the_next_round(
    payments_round: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "a.yaml", {"fi_timeouts": 3}, "yaml")
    out = run_ok(capsys, "assessment", "create", "--team", "Payments", "--answers", str(path))
    assert "(Payments, round 2) with 1 answer(s)" in out


def test_score_json_schema(read_only_demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "score", "2", "--json")
    assert set(data) == {
        "assessment",
        "overall_score",
        "answered",
        "total",
        "foundations",
        "questions",
        "risks",
        "exposures",
        "verdicts",
    }
    assert set(data["assessment"]) == {"id", "organisation", "team", "round_number", "status", "bank"}
    assert data["assessment"]["bank"] == {"id": "foundations", "version": "2.1.0"}
    assert data["total"] == 47  # every question asked, context included
    assert len(data["questions"]) == 42  # the scored ones: context is never scored
    assert data["exposures"] == []  # Payments ships through a change board, as one modular application
    assert [f["key"] for f in data["foundations"]] == [f.key for f in default_bank().foundations]
    for f in data["foundations"]:
        assert set(f) == {
            "key",
            "title",
            "score",
            "raw_level",
            "level",
            "gate",
            "answered",
            "total",
            "dont_know",
            "level_name",
            "gate_capped",
            "checks",
            "contest",
            "proven_on",
            "measured",
            "unproven",
        }
        assert 0 <= f["score"] <= 100
        assert 0 <= f["level"] <= 4
        assert f["gate"] in {"passed", "failed", "contested", "unknown", "unanswered"}
        assert f["measured"] is True
        for c in f["checks"]:
            assert set(c) == {"question", "short", "state", "answer", "needs", "source", "stale"}
            assert c["state"] in {"met", "failed", "unknown", "unanswered"}
            if c["stale"] is not None:  # evidence too old to say a met check still holds: it reads unknown
                assert c["state"] == "unknown"
                assert set(c["stale"]) == {"question", "evidence_date", "fresh_days", "age_days"}
    for q in data["questions"]:
        assert set(q) == {"question_key", "foundation", "score", "risk", "answer_text", "stale"}
        assert q["risk"] in {"high", "medium", "none", "not_applicable", "unanswered"}
    assert [r["risk"] for r in data["risks"]] == sorted(
        (r["risk"] for r in data["risks"]), key=["high", "medium"].index
    )
    assert [v["end_state"] for v in data["verdicts"]] == [
        "deployment_autonomy",
        "microservices",
        "chaos_experiments",
    ]
    for v in data["verdicts"]:
        assert set(v) == {
            "end_state",
            "title",
            "ready",
            "requires",
            "shortfalls",
            "unanswered",
            "status",
            "already",
            "headline",
            "bullets",
            "sentence",
        }
        assert v["status"] == ("ready" if v["ready"] else "not_ready")
        assert v["sentence"] == " ".join([v["headline"], *v["bullets"]])
        assert v["headline"].startswith("Ready for" if v["ready"] else "Not ready for")
        assert len(v["bullets"]) == len(v["shortfalls"]) + (1 if v["unanswered"] else 0)
        for s in v["shortfalls"]:
            assert s["level"] < s["required"]
            assert s["gate"] in {"passed", "failed", "contested", "unknown", "unanswered"}
        assert [b.split(";")[0] for b in v["bullets"][: len(v["shortfalls"])]] == [
            f"{s['title']}: level {s['level']}, needs {s['required']}" for s in v["shortfalls"]
        ]


def test_score_text(read_only_demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = run_ok(capsys, "score", "6")
    assert out.startswith(f"{DEMO_ORG} / Platform, round 2: overall ")
    assert "Ready for expanding deployment autonomy" in out


# --- bad input ----------------------------------------------------------------------------------


def test_malformed_answers_file(payments_round: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("fi_timeouts: 2\nfi_bulkheads: [shared\n", encoding="utf-8")
    before = assessments(capsys)
    err = fails(capsys, "assessment", "create", "--team", "Payments", "--answers", str(path))
    assert err.startswith(f"error: {path}:")
    assert "not valid YAML or JSON" in err
    assert assessments(capsys) == before


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        ({"fi_timeouts": 2, "no_such_question": 1}, "no_such_question: unknown question key"),
        ({"fi_timeouts": 9}, "fi_timeouts: level must be a whole number from 0 to 4, not 9"),
        ({"fi_bulkheads": "everything"}, "fi_bulkheads: answer must be one of"),
        ({"io_diagnosis_minutes_worst": "soon"}, "io_diagnosis_minutes_worst: answer must be a number of minutes"),
        ({"io_diagnosis_minutes_worst": 10**400}, "io_diagnosis_minutes_worst: answer must be a number of minutes"),
        ({"fi_timeouts": 10**400}, "fi_timeouts: level must be a whole number from 0 to 4"),
        (
            {"fi_circuit_breakers": {"not_applicable": " "}},
            "fi_circuit_breakers: 'not applicable' needs a reason",
        ),
        ({"fi_timeouts": {"value": 2, "dont_know": True}}, "fi_timeouts: give exactly one of"),
        (
            {"fi_instance_kill": {"not_applicable": "no instances"}},
            "fi_instance_kill: 'not applicable' is not allowed",
        ),
        ({"fi_timeouts": {"value": 2, "evidence_url": "javascript:alert(1)"}}, "fi_timeouts: the evidence link"),
        (
            {"fi_timeouts": {"value": 2, "evidence_date": "last week"}},
            "fi_timeouts: evidence_date must be a date",
        ),
        ({"fi_timeouts": {"value": 2, "colour": "red"}}, "fi_timeouts: unknown field(s) colour"),
        (["fi_timeouts"], "answers must be a mapping of question key to answer"),
    ],
)
def test_bad_answers_name_the_key_and_save_nothing(
    payments_round: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], answers: Any, named: str
) -> None:
    for fmt in ("yaml", "json"):
        _refused(tmp_path, capsys, answers, named, fmt)


def _refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], answers: Any, named: str, fmt: str) -> None:
    path = write(tmp_path / f"answers.{fmt}", answers, fmt)
    before = assessments(capsys)
    err = fails(capsys, "assessment", "create", "--team", "Payments", "--answers", str(path))
    assert err.startswith(f"error: {path}: "), err
    assert named in err, err
    assert assessments(capsys) == before


def test_every_bad_answer_is_reported_at_once(
    migrated: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "a.yaml", {"fi_timeouts": 9, "ghost": 1, "fi_bulkheads": "shared"}, "yaml")
    err = fails(
        capsys,
        "assessment",
        "create",
        "--org",
        "Acme",
        "--team",
        "Web",
        "--create-team",
        "--answers",
        str(path),
    )
    assert "fi_timeouts:" in err
    assert "ghost:" in err
    assert "fi_bulkheads" not in err
    assert assessments(capsys) == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--team", "Nobody"], "error: no team named 'Nobody'"),
        (["--team", "Payments", "--org", "Nowhere Ltd"], "error: no organisation named 'Nowhere Ltd'"),
        (["--team", "Nobody", "--org", "Acme"], "error: no team named 'Nobody' in 'Acme'"),
    ],
)
def test_missing_team_or_organisation(
    payments_round: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    path = write(tmp_path / "a.yaml", {"fi_timeouts": 2}, "yaml")
    before = assessments(capsys)
    assert fails(capsys, "assessment", "create", "--answers", str(path), *extra).startswith(message)
    assert assessments(capsys) == before


def test_missing_answers_file(migrated: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.yaml"
    err = fails(capsys, "assessment", "create", "--team", "Web", "--answers", str(missing))
    assert err == f"error: {missing}: file not found\n"


@pytest.mark.parametrize("command", [["score", "999"], ["score", "999", "--json"], ["export", "999"]])
def test_non_existent_assessment(read_only_demo: str, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    assert fails(capsys, *command) == "error: no assessment with id 999\n"


@pytest.mark.parametrize("bad_id", ["abc", "0", "-3", "1.5"])
def test_non_numeric_assessment_id_is_a_usage_error(capsys: pytest.CaptureFixture[str], bad_id: str) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["score", bad_id])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "ASSESSMENT_ID" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": "something else"}', "not a Foundations assessment export"),
        ("[1, 2]", "not a Foundations assessment export"),
    ],
)
def test_import_rejects_bad_files(
    migrated: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "in.json"
    path.write_text(content, encoding="utf-8")
    err = fails(capsys, "import", str(path))
    assert err.startswith(f"error: {path}")
    assert message in err
    assert assessments(capsys) == []


def test_import_rejects_an_answer_the_bank_refuses(
    payments_round: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = run_json(capsys, "export", "1")
    doc["answers"][0]["value"] = 99
    path = write(tmp_path / "edited.json", doc, "json")
    before = assessments(capsys)
    err = fails(capsys, "import", str(path))
    assert f"answers[0]: {doc['answers'][0]['question_key']}:" in err
    assert assessments(capsys) == before


# --- export and import --------------------------------------------------------------------------


def _add_history(assessment_id: int) -> None:
    """Overwrites, a clear and a completed status, so the export carries a real history."""
    with db.write_session(db.get_engine()) as session:
        save_answer(
            session,
            assessment_id=assessment_id,
            question_key="fi_timeouts",
            answer=answered(4, note="now in the template"),
            by="eve",
        )
        save_answer(
            session,
            assessment_id=assessment_id,
            question_key="fi_timeouts",
            answer=answered(3, evidence_url="https://ci.example/run/1"),
            by="eve",
        )
        clear_answer(session, assessment_id=assessment_id, question_key="fi_bulkheads", by="eve")
        set_status(session, assessment_id=assessment_id, completed=True)


def test_export_import_round_trip_into_a_fresh_database(
    fresh_demo: str,
    second_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = assessments(capsys)
    payments_round_2 = next(r for r in rows if r["team"] == "Payments" and r["round_number"] == 2)
    _add_history(payments_round_2["id"])
    path = tmp_path / "export.json"
    assert (
        run_ok(capsys, "export", str(payments_round_2["id"]), "--format", "json", "-o", str(path)) == f"wrote {path}\n"
    )
    original = json.loads(path.read_text(encoding="utf-8"))
    # the demo answered each of the bank's 47 questions once; then two overwrites and a clear
    assert len(original["history"]) == len(default_bank().questions) + 3 == 50
    assert any(e["status"] == "cleared" for e in original["history"])
    score_before = run_json(capsys, "score", str(payments_round_2["id"]), "--json")

    use_database(monkeypatch, second_database_url)
    run_ok(capsys, "db", "upgrade")
    assert "(Northwind Streaming / Payments, round 2)" in run_ok(capsys, "import", str(path))
    [imported] = assessments(capsys)
    assert run_json(capsys, "export", str(imported["id"])) == original
    score_after = run_json(capsys, "score", str(imported["id"]), "--json")
    assert {**score_after, "assessment": None} == {**score_before, "assessment": None}
    assert {**score_after["assessment"], "id": 0} == {**score_before["assessment"], "id": 0}

    assert "round 3)" in run_ok(capsys, "import", str(path))  # round 2 is taken: the next round
    db.get_engine().dispose()


# --- help and the installed script --------------------------------------------------------------


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield prefix
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*prefix, name))


@pytest.mark.parametrize("command", list(_commands(cli.build_parser())), ids=lambda c: " ".join(c) or "top")
def test_every_command_has_help(command: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main([*command, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: foundations {' '.join(command)}".rstrip())
    assert len(out.splitlines()) >= 3


def test_installed_console_script_runs(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "foundations"
    assert script.exists(), "the package is not installed with its console script"
    result = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=600, cwd=tmp_path, check=False
    )
    assert result.returncode == 0
    assert "Traceback" not in result.stderr
    for command in ("db", "demo", "questions", "list", "assessment", "score", "export", "import"):
        assert command in result.stdout


def test_output_into_a_closed_pipe_stops_quietly(read_only_demo: str) -> None:
    """`foundations export 1 | head -c 10`: the reader leaves early; no error message, no traceback."""
    script = Path(sys.executable).parent / "foundations"
    env = {**os.environ, "FOUNDATIONS_DATABASE_URL": read_only_demo}
    with subprocess.Popen(
        [str(script), "export", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        assert proc.stdout.read(10) == b'{\n  "forma'  # the export is far larger than a pipe buffer
        proc.stdout.close()
        err = proc.stderr.read().decode()
        code = proc.wait(timeout=600)
    assert err == ""
    assert code == 141  # 128 + SIGPIPE, what a shell reports for a tool stopped by a closed pipe
