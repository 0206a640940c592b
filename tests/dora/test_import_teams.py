"""Teams from a team column: listed and created only when asked, odd names refused, --team means that team only.

Why (issue 14): a typo, `NA`, a formula string or a name with a trailing NUL each became
a new team, unmentioned, even with --team; --create-team could not create the organisation
and the error gave no hint.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from assessment.core import db
from assessment.dora.formats import Kind
from assessment.organisations.directory import ensure_organisation, ensure_team
from tests.support.cli import run
from tests.support.dora_data import csv_bytes, dora_fingerprint

ROWS = [
    {"team": "Team", "id": "d1", "service": "api", "deployed_at": "2024-05-01T10:00:00Z"},
    {"team": "team", "id": "d2", "service": "api", "deployed_at": "2024-05-01T11:00:00Z"},  # Team, in another case
    {"team": "Taem", "id": "d3", "service": "api", "deployed_at": "2024-05-01T12:00:00Z"},
    {"team": "NA", "id": "d4", "service": "api", "deployed_at": "2024-05-01T13:00:00Z"},
    {"team": "=HYPERLINK(1)", "id": "d5", "service": "api", "deployed_at": "2024-05-01T14:00:00Z"},
    {"team": "Taem", "id": "d6", "service": "api", "deployed_at": "2024-05-01T15:00:00Z"},
]


@pytest.fixture
def org(env_database: str) -> str:
    """Organisation Org with team Team, in the database the command line uses."""
    engine = db.get_engine()
    db.upgrade(engine)
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Org")
        ensure_team(session, organisation_id=org.id or 0, name="Team")
    return env_database


def _file(tmp_path: Path, rows: list[dict[str, str]]) -> str:
    path = tmp_path / "deployments.csv"
    path.write_bytes(csv_bytes(Kind.DEPLOYMENTS, rows, with_team=True))
    return str(path)


def _teams() -> list[str]:
    with db.get_engine().connect() as conn:
        return [r[0] for r in conn.execute(sa.text("SELECT name FROM team ORDER BY name"))]


def test_new_team_names_are_listed_and_refused_until_asked(
    org: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dora_fingerprint(db.get_engine())
    file = _file(tmp_path, ROWS)
    code, out, err = run(capsys, "dora", "import", "--org", "Org", "--deployments", file)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"error: {file}, line 4, column 'team': the organisation has no team named 'Taem' (2 row(s)): "
        "check the spelling, or create the team (value 'Taem')",
        f"error: {file}, line 5, column 'team': the organisation has no team named 'NA' (1 row(s)): "
        "check the spelling, or create the team (value 'NA')",
        f"error: {file}, line 6, column 'team': the organisation has no team named '=HYPERLINK(1)' (1 row(s)): "
        "check the spelling, or create the team (value '=HYPERLINK(1)')",
        "error: nothing was imported (add --create-teams to create these teams)",
    ]
    assert dora_fingerprint(db.get_engine()) == before
    code, out, err = run(capsys, "dora", "import", "--org", "Org", "--deployments", file, "--create-teams")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "new teams: 'Taem', 'NA', '=HYPERLINK(1)'",
        "deployments: 6 new, 0 already stored (updated)",
        "imported 6 deployments; created the teams 'Taem', 'NA', '=HYPERLINK(1)'",
    ]
    assert _teams() == ["=HYPERLINK(1)", "NA", "Taem", "Team"]


@pytest.mark.parametrize(("name", "code"), [("Team\x00", "U+0000"), ("Team\u202e", "U+202E"), ("Te\tam", "U+0009")])
def test_names_with_control_characters_are_refused_even_when_creating(
    org: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, code: str
) -> None:
    before = dora_fingerprint(db.get_engine())
    file = _file(tmp_path, [dict(ROWS[0], team=name)])
    exit_code, _, err = run(capsys, "dora", "import", "--org", "Org", "--deployments", file, "--create-teams")
    assert exit_code == 1
    assert err.splitlines()[0] == (
        f"error: {file}, line 2, column 'team': the team name holds the invisible character {code}: "
        f"retype the name (value {name!r})"
    )
    assert dora_fingerprint(db.get_engine()) == before


def test_with_team_rows_for_other_teams_are_an_error_that_names_them(
    org: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dora_fingerprint(db.get_engine())
    file = _file(tmp_path, ROWS)
    code, _, err = run(capsys, "dora", "import", "--team", "Team", "--deployments", file, "--create-teams")
    assert code == 1
    assert err.splitlines()[:3] == [
        f"error: {file}, line 4, column 'team': 2 row(s) are for team 'Taem', but this import is for team 'Team' "
        "only: import them for their own team, or take them out (value 'Taem')",
        f"error: {file}, line 5, column 'team': 1 row(s) are for team 'NA', but this import is for team 'Team' "
        "only: import them for their own team, or take them out (value 'NA')",
        f"error: {file}, line 6, column 'team': 1 row(s) are for team '=HYPERLINK(1)', but this import is for "
        "team 'Team' only: import them for their own team, or take them out (value '=HYPERLINK(1)')",
    ]
    assert dora_fingerprint(db.get_engine()) == before
    code, out, err = run(capsys, "dora", "import", "--team", "Team", "--deployments", _file(tmp_path, ROWS[:2]))
    assert (code, err, out) == (0, "", "imported 2 deployments\n")  # 'team' is Team in another letter case


def test_a_missing_organisation_names_the_option_that_creates_it(
    org: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dora_fingerprint(db.get_engine())
    file = _file(tmp_path, ROWS[:1])
    code, _, err = run(capsys, "dora", "import", "--org", "Acme", "--deployments", file)
    assert (code, err) == (1, "error: no organisation named 'Acme' (add --create-org to create it)\n")
    code, _, err = run(capsys, "dora", "import", "--org", "Acme", "--team", "T", "--create-team", "--deployments", file)
    assert (code, err) == (1, "error: no organisation named 'Acme' (add --create-org to create it)\n")
    assert dora_fingerprint(db.get_engine()) == before
    code, out, err = run(
        capsys,
        *("dora", "import", "--org", "Acme", "--create-org", "--create-teams", "--deployments", file),
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "imported 1 deployments; created the teams 'Team'"
