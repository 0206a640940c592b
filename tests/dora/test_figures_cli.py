"""`foundations dora figures`: a team's four DORA figures typed without the app, through the real CLI and database.

A typed figure is evidence like imported data: the team's findings are recomputed at once,
so a typed recovery time that contradicts a claimed rollback contests the rollback test in
`score` and puts a "settle" item first in `roadmap`. A bad value is refused with one line
naming the option, and nothing is stored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlmodel import func, select

from assessment.core import db
from assessment.models.dora import DoraFigures, DoraFinding
from cli import main as cli

# the rollback test passes on these answers alone: 4 minutes, faster than a deployment, rehearsed, 95 % of services
ROLLBACK = {
    "rb_last_rollback_minutes": 4,
    "rb_deploy_minutes": 15,
    "rb_days_since_rehearsal": 30,
    "rb_one_step_share": 95,
}


@pytest.fixture
def round_id(env_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> int:
    """Team "Web" of "Acme" with one round that claims a 4-minute rollback."""
    db.upgrade(db.get_engine())
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(ROLLBACK), encoding="utf-8")
    argv = ["assessment", "create", "--org", "Acme", "--team", "Web", "--create-team", "--answers", str(answers)]
    assert cli.main([*argv, "--json"]) == 0
    return int(json.loads(capsys.readouterr().out)["id"])


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def _stored(model: type[DoraFigures | DoraFinding]) -> int:
    with db.read_session(db.get_engine()) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_typed_figures_are_saved_and_contest_the_claim_they_contradict(
    round_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    before = json.loads(_run(capsys, "score", str(round_id), "--json")[1])
    assert next(f for f in before["foundations"] if f["key"] == "rollback_speed")["gate"] == "passed"

    code, out, err = _run(
        capsys,
        "dora",
        "figures",
        "--team",
        "Web",
        "--org",
        "Acme",
        "--recovery-time",
        "one_day_to_one_week",
        "--deployment-frequency",
        "35",
        "--change-failure-rate",
        "12.5",
        "--by",
        "Ana",
    )
    assert (code, err) == (0, "")
    assert out == (
        "typed figures saved for Web\n"
        "  Deployment frequency: typed: 35 per week (elite band)\n"
        "  Change failure rate: typed: 12.5 % (medium band)\n"
        "  Failed deployment recovery time: typed: between one day and one week (low band)\n"
        "  nearest DORA cluster: high\n"
    )
    with db.read_session(db.get_engine()) as session:
        row = session.exec(select(DoraFigures)).one()
        finding = session.exec(select(DoraFinding)).one()
    assert (row.entered_by, row.recovery_range, row.deployments_per_week, row.change_failure_pct) == (
        "Ana",
        "one_day_to_one_week",
        35.0,
        12.5,
    )
    assert (row.lead_time_range, row.lead_time_hours) == (None, None)  # not typed, not invented
    assert (finding.rule, finding.foundation) == ("rollback_vs_recovery", "rollback_speed")
    assert finding.data_quote == "time to restore typed: between one day and one week (typed figures)"

    score = json.loads(_run(capsys, "score", str(round_id), "--json")[1])
    rollback = next(f for f in score["foundations"] if f["key"] == "rollback_speed")
    assert (rollback["gate"], rollback["level"]) == ("contested", 2)
    assert rollback["contest"] == {
        "foundation": "rollback_speed",
        "claim": "Rollback time: 4 minutes",
        "figure": "time to restore typed: between one day and one week (typed figures)",
    }
    roadmap = json.loads(_run(capsys, "roadmap", str(round_id), "--json")[1])
    assert (roadmap["items"][0]["key"], roadmap["items"][0]["kind"]) == ("settle_rollback_speed", "settle")
    assert roadmap["dora_evidence"]["source"].startswith("typed figures, entered by Ana on ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--recovery-time", "soon"],
            "error: --recovery-time: 'soon' is neither a number of hours nor one of less_than_one_hour, "
            "less_than_one_day, one_day_to_one_week, one_week_to_one_month, more_than_one_month\n",
        ),
        (
            ["--change-failure-rate", "140"],
            "error: --change-failure-rate: '140' is out of range for a number of %\n",
        ),
        (["--lead-time", "-3"], "error: --lead-time: '-3' is out of range for a number of hours\n"),
        (
            ["--deployment-frequency", "nan"],
            "error: --deployment-frequency: 'nan' is out of range for a number of deployments per week\n",
        ),
        (
            ["--recovery-time", "3", "--lead-time", "weekly"],
            "error: --lead-time: 'weekly' is neither a number of hours nor one of less_than_one_day, "
            "one_day_to_one_week, one_week_to_one_month, one_month_to_six_months, more_than_six_months\n",
        ),
        (
            [],
            "error: give at least one figure: --deployment-frequency, --lead-time, --change-failure-rate, "
            "--recovery-time\n",
        ),
    ],
)
def test_a_bad_value_is_refused_in_one_line_naming_the_option(
    round_id: int, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert _run(capsys, "dora", "figures", "--team", "Web", *argv) == (1, "", message)
    assert _stored(DoraFigures) == 0
    assert _stored(DoraFinding) == 0


def test_an_unknown_team_is_refused(round_id: int, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "dora", "figures", "--team", "Nobody", "--lead-time", "3")
    assert (code, out) == (1, "")
    assert err.startswith("error: no team named 'Nobody'")
    assert len(err.splitlines()) == 1
    assert _stored(DoraFigures) == 0
