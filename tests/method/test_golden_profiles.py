"""Golden profiles: teams as a consultant meets them, judged through the command line and the PDF.

Each profile in tests/method/profiles/ starts with its story and what a seasoned SRE
would expect; the answers follow. These tests create the round with `foundations
assessment create`, add the delivery data the story mentions, then assert the
verdicts and the roadmap's order on `roadmap --json` / `score --json`, and the words
on the PDF. They run on SQLite, and on PostgreSQL when FOUNDATIONS_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from pypdf import PdfReader

from cli import main as cli
from tests.support.profiles import profile_data, profile_text

ORG = "Golden Practice"


@pytest.fixture
def cli_folder(env_database: str, tmp_path: Path) -> Path:
    """An empty, upgraded database the CLI uses, and a folder for files."""
    assert cli.main(["db", "upgrade"]) == 0
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def create(capsys: pytest.CaptureFixture[str], folder: Path, profile: str) -> int:
    answers = folder / f"{profile}.yaml"
    answers.write_text(profile_text(profile), encoding="utf-8")
    out = run(
        capsys,
        "assessment",
        "create",
        "--team",
        profile,
        "--org",
        ORG,
        "--create-team",
        "--answers",
        str(answers),
        "--json",
    )
    return int(json.loads(out)["id"])


def judged(capsys: pytest.CaptureFixture[str], assessment_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    score = json.loads(run(capsys, "score", str(assessment_id), "--json"))
    roadmap = json.loads(run(capsys, "roadmap", str(assessment_id), "--json"))
    return score, roadmap


def verdicts(score: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["end_state"]: v for v in score["verdicts"]}


def foundation(score: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in score["foundations"] if f["key"] == key)


def keys(roadmap: dict[str, Any]) -> list[str]:
    return [i["key"] for i in roadmap["items"]]


def builds(roadmap: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in roadmap["items"] if i["kind"] not in ("confirm", "discover", "settle")]


def pdf_text(capsys: pytest.CaptureFixture[str], folder: Path, assessment_id: int) -> tuple[str, int]:
    out = folder / f"{assessment_id}.pdf"
    run(capsys, "report", str(assessment_id), "-o", str(out))
    reader = PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), len(reader.pages)


def test_e1_fast_but_blind(cli_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    score, roadmap = judged(capsys, create(capsys, cli_folder, "e1_fast_but_blind"))
    autonomy = verdicts(score)["deployment_autonomy"]
    assert autonomy["status"] == "exposed"
    assert autonomy["headline"].startswith("Exposed: you already release without a change board")
    assert autonomy["shortfalls"][0]["foundation"] == "incident_observability"  # the biggest blocker
    first = builds(roadmap)[0]
    assert (first["foundation"], first["phase"]) == ("incident_observability", "now")
    assert "You already deploy to production 75 times a week" in first["reason"]
    assert not [i for i in roadmap["items"] if i["foundation"] == "rollback_speed"]  # nothing for rollback
    order = keys(roadmap)
    observability = [n for n, i in enumerate(roadmap["items"]) if i["foundation"] == "incident_observability"]
    isolation = [n for n, i in enumerate(builds(roadmap)) if i["foundation"] == "failure_isolation"]
    first_isolation = order.index(builds(roadmap)[isolation[0]]["key"])
    assert max(observability) < first_isolation  # isolation work after observability
    chaos = next(e for e in roadmap["end_states"] if e["key"] == "chaos_experiments")
    assert chaos["after"] == order[-1] == "instance_kill_drill"  # chaos last, behind isolation and observability


def test_e2_runbooks_on_paper(cli_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assessment_id = create(capsys, cli_folder, "e2_runbooks_on_paper")
    score, roadmap = judged(capsys, assessment_id)
    oncall = foundation(score, "oncall_runbooks")
    assert (oncall["gate"], oncall["level"]) == ("failed", 2)  # despite self-ratings of 3
    for v in verdicts(score).values():
        assert v["status"] == "not_ready"
        assert [s["foundation"] for s in v["shortfalls"]] == ["oncall_runbooks"]
    assert keys(roadmap)[:3] == ["service_ownership_registry", "shared_oncall_rotation", "top_failure_runbooks"]
    text, _ = pdf_text(capsys, cli_folder, assessment_id)
    assert "Biggest blocker: on-call coverage and runbooks" in text
    assert "55 % of services (needs every production service)" in text


def _import_incidents(capsys: pytest.CaptureFixture[str], folder: Path, team: str, count: int) -> None:
    """A quarter of delivery data: daily deployments and `count` incidents resolved within the hour."""
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    deployments = folder / "deployments.csv"
    incidents = folder / "incidents.csv"
    with deployments.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "service", "deployed_at"])
        for n in range(90):
            w.writerow([f"d{n}", "web", (end - timedelta(days=n)).isoformat()])
    with incidents.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "service", "started_at", "resolved_at"])
        for n in range(count):
            start = end - timedelta(days=n * 85 / count, hours=3)
            w.writerow([f"i{n}", "web", start.isoformat(), (start + timedelta(minutes=40)).isoformat()])
    run(
        capsys,
        "dora",
        "import",
        "--team",
        team,
        "--org",
        ORG,
        "--deployments",
        str(deployments),
        "--incidents",
        str(incidents),
    )


def test_e3_new_to_postmortems(cli_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assessment_id = create(capsys, cli_folder, "e3_new_to_postmortems")
    _import_incidents(capsys, cli_folder, "e3_new_to_postmortems", 30)
    score, roadmap = judged(capsys, assessment_id)
    assert foundation(score, "postmortem_practice")["gate"] == "unknown"  # not failed
    first = roadmap["items"][0]
    assert (first["key"], first["kind"], first["effort"]) == ("discover_postmortem_practice", "discover", "2 days")
    assert "Find out first" in first["reason"]
    text, _ = pdf_text(capsys, cli_folder, assessment_id)
    assert "The data shows 30 incidents" in text
    assert "which of them do?" in text


def test_p4_ready_and_proven_gets_a_short_report(cli_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assessment_id = create(capsys, cli_folder, "p4_ready_and_proven")
    score, roadmap = judged(capsys, assessment_id)
    assert {v["status"] for v in score["verdicts"]} == {"ready"}
    assert all(f["level"] == 4 and f["proven_on"] for f in score["foundations"])
    assert builds(roadmap) == []
    text, pages = pdf_text(capsys, cli_folder, assessment_id)
    assert pages <= 6
    assert "Ready for chaos experiments" in text


def test_p5_self_ratings_cannot_lift_a_slow_rollback(cli_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    score, roadmap = judged(capsys, create(capsys, cli_folder, "p5_monolith_slow_rollback"))
    for key in ("rollback_speed", "incident_observability"):
        assert foundation(score, key)["gate"] == "failed"
        assert foundation(score, key)["level"] <= 2
    for end_state in ("deployment_autonomy", "microservices"):
        v = verdicts(score)[end_state]
        assert v["status"] == "not_ready"  # not exposed: a monolith behind a change board
        assert v["shortfalls"][0]["foundation"] == "rollback_speed"
    work = builds(roadmap)
    rollback = [n for n, i in enumerate(work) if i["foundation"] == "rollback_speed"]
    observability = [n for n, i in enumerate(work) if i["foundation"] == "incident_observability"]
    assert max(rollback) < min(observability)
    assert (
        "Rollback time: 45 minutes (needs 5 minutes or less, and faster than a normal deployment)"
        in (work[rollback[0]]["reason"])
    )


def test_p6_contradicted_claims_are_contested_until_evidence(
    cli_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assessment_id = create(capsys, cli_folder, "p6_contested_rollback")
    run(
        capsys,
        "dora",
        "figures",
        "--team",
        "p6_contested_rollback",
        "--org",
        ORG,
        "--recovery-time",
        "one_week_to_one_month",
    )
    score, roadmap = judged(capsys, assessment_id)
    rollback = foundation(score, "rollback_speed")
    assert (rollback["gate"], rollback["level"]) == ("contested", 2)
    bullet = next(b for b in verdicts(score)["deployment_autonomy"]["bullets"] if b.startswith("Deployment rollback"))
    assert "Rollback time: 4 minutes, against time to restore typed: between one week and one month" in bullet
    assert "resolved incidents" not in bullet  # typed figures carry no counts
    assert [i["kind"] for i in roadmap["items"][:2]] == ["settle", "settle"]
    # a dated drill record on the rollback answer settles it (the next round, answered with the record)
    answers = profile_data("p6_contested_rollback")
    answers["rb_last_rollback_minutes"] = {
        "value": 4,
        "evidence_url": "https://wiki.example.org/rollback-drill",
        "evidence_date": datetime.now(UTC).date().isoformat(),
    }
    settled = cli_folder / "settled.yaml"
    settled.write_text(yaml.safe_dump(answers), encoding="utf-8")
    out = run(
        capsys,
        "assessment",
        "create",
        "--team",
        "p6_contested_rollback",
        "--org",
        ORG,
        "--answers",
        str(settled),
        "--json",
    )
    score, _ = judged(capsys, int(json.loads(out)["id"]))
    assert foundation(score, "rollback_speed")["gate"] == "passed"


def test_p7_sixty_services_without_owners(cli_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    score, roadmap = judged(capsys, create(capsys, cli_folder, "p7_microservices_no_owners"))
    assert verdicts(score)["microservices"]["status"] == "exposed"
    assert verdicts(score)["chaos_experiments"]["status"] == "exposed"
    work = builds(roadmap)
    assert work[0]["key"] == "service_ownership_registry"
    assert work[0]["phase"] == "now"
    gate_work = [i for i in work if i["kind"] == "gate"]
    assert {i["foundation"] for i in gate_work} == {"oncall_runbooks", "failure_isolation"}
    assert all(i["exposed"] and i["tier"] == 1 for i in gate_work)
    assert "You already run 60 independently deployed services" in next(
        i["reason"] for i in gate_work if i["foundation"] == "failure_isolation"
    )
    assert keys(roadmap).index("instance_kill_drill") > max(
        keys(roadmap).index(i["key"])
        for i in work
        if i["foundation"] == "failure_isolation" and i["key"] != "instance_kill_drill"
    )


def test_the_look_back_is_the_organisations_and_every_figure_says_which(
    cli_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create(capsys, cli_folder, "e3_new_to_postmortems")
    _import_incidents(capsys, cli_folder, "e3_new_to_postmortems", 30)
    assert "attribution look-back is 24 hours" in run(capsys, "dora", "lookback", "--org", ORG)
    assert "attribution look-back set to 6 hours" in run(capsys, "dora", "lookback", "--org", ORG, "--hours", "6")
    shown = run(capsys, "dora", "metrics", "--team", "e3_new_to_postmortems")
    assert "(attribution look-back 6 h)" in shown
    this_view = run(capsys, "dora", "metrics", "--team", "e3_new_to_postmortems", "--lookback-hours", "1")
    assert "(attribution look-back 1 h)" in this_view
    assert cli.main(["dora", "lookback", "--org", ORG, "--hours", "-3"]) == 1
    assert capsys.readouterr().err.startswith("error: the look-back must be more than 0")
