"""`foundations roadmap`: JSON that equals the engine's roadmap, and one-line errors for bad ids."""

from __future__ import annotations

import json

import pytest

from assessment.assessments.repository import list_assessments, load_assessment
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import load_demo
from assessment.dora.team import team_dora
from assessment.roadmap.plan import build_roadmap
from assessment.scoring.engine import score_assessment
from cli.main import main


def _demo(database_url: str) -> dict[str, int]:
    engine = db.get_engine(database_url)
    db.upgrade(engine)
    with db.write_session(engine) as session:
        load_demo(session, bank=default_bank())
    with db.read_session(engine) as session:
        return {f"{r.team} {r.round_number}": r.id for r in list_assessments(session)}


def test_roadmap_json_equals_the_engine(env_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _demo(env_database)
    assert main(["roadmap", str(ids["Payments 2"]), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    with db.read_session(db.get_engine(env_database)) as session:
        data = load_assessment(session, assessment_id=ids["Payments 2"])
    roadmap = build_roadmap(data.bank, data.answers)
    assert payload["assessment"] == {
        "id": ids["Payments 2"],
        "organisation": "Northwind Streaming",
        "team": "Payments",
        "round_number": 2,
    }
    assert [i["key"] for i in payload["items"]] == roadmap.keys()
    assert [i["reason"] for i in payload["items"]] == [i.reason for i in roadmap.items]
    assert payload["items"][0]["phase"] == "now"
    assert payload["items"][0]["position"] == 1
    assert {e["key"] for e in payload["end_states"]} == {
        "deployment_autonomy",
        "microservices",
        "chaos_experiments",
    }
    assert payload["rules"]["effort_weeks"] == {"S": 1, "M": 3, "L": 6}


def test_roadmap_text_lists_items_and_verdicts(env_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _demo(env_database)
    assert main(["roadmap", str(ids["Platform 2"])]) == 0
    out = capsys.readouterr().out
    assert "Platform, round 2: 0 investment(s)" in out
    assert "Ready for chaos experiments" in out


@pytest.mark.parametrize(
    ("arg", "code", "message"),
    [
        ("999", 1, "error: no assessment with id 999"),
        ("abc", 2, "expected an assessment id (a whole number), got 'abc'"),
        ("0", 2, "expected a positive assessment id, got '0'"),
    ],
)
def test_roadmap_bad_ids(
    env_database: str, capsys: pytest.CaptureFixture[str], arg: str, code: int, message: str
) -> None:
    _demo(env_database)
    if code == 2:
        with pytest.raises(SystemExit) as exit_info:
            main(["roadmap", arg])
        assert exit_info.value.code == 2
    else:
        assert main(["roadmap", arg, "--json"]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_roadmap_uses_the_teams_dora_data(env_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Checkout's data contests two deciding tests (settle items first) and its failure rate raises rollback work."""
    ids = _demo(env_database)
    assert main(["roadmap", str(ids["Checkout 1"]), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    with db.read_session(db.get_engine(env_database)) as session:
        data = load_assessment(session, assessment_id=ids["Checkout 1"])
        dora = team_dora(session, data)
    assert dora is not None
    facts = dora.facts()
    score = score_assessment(data.bank, data.answers, facts)
    expected = build_roadmap(data.bank, data.answers, score=score, evidence=dora.evidence, facts=facts)
    assert [i["key"] for i in payload["items"]] == expected.keys()
    assert [i["key"] for i in payload["items"]] != build_roadmap(data.bank, data.answers).keys()  # the data moved it
    assert payload["dora_evidence"]["source"] == "imported deployments, changes and incidents"
    # the failure rate is in the low band; the median recovery (hours, under a day) is high or medium: no concern
    assert [s["metric"] for s in payload["dora_evidence"]["signals"]] == ["change_failure_rate"]
    assert [(i["key"], i["kind"]) for i in payload["items"][:2]] == [
        ("settle_incident_observability", "settle"),
        ("settle_postmortem_practice", "settle"),
    ]
    assert "the delivery data shows median time to restore" in payload["items"][0]["reason"]
    rollback = next(i for i in payload["items"] if i["key"] == "one_step_rollback")
    assert "DORA: change failure rate" in " ".join(rollback["citations"])
    assert main(["roadmap", str(ids["Checkout 1"])]) == 0
    assert "DORA evidence from imported deployments" in capsys.readouterr().out.splitlines()[0]
