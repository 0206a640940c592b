"""Change id lists in one cell through `foundations dora import`: the separator detected or named, and warned about.

Before, `c1 c2` was read as one id with exit 0: lead time then rested on the wrong
changes with only a data-quality line to show it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from assessment.core import db
from assessment.organisations.directory import ensure_organisation, ensure_team
from tests.support.cli import run, run_json
from tests.support.dora_hostile import write

DEPLOYMENTS = (
    b"id,service,deployed_at,change_ids\n"
    b"d1,api,2024-05-01T10:00:00Z,c1 c2\n"  # lead times 2 h and 4 h
    b"d2,api,2024-05-02T10:00:00Z,c3\n"  # 1 h
)
CHANGES = b"id,committed_at\nc1,2024-05-01T08:00:00Z\nc2,2024-05-01T06:00:00Z\nc3,2024-05-02T09:00:00Z\n"


@pytest.fixture
def lists_team(env_database: str) -> str:
    engine = db.get_engine()
    db.upgrade(engine)
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Org")
        ensure_team(session, organisation_id=org.id or 0, name="Team")
    return env_database


def _stored_lists() -> list[str]:
    with db.get_engine().connect() as conn:
        return list(conn.execute(sa.text("SELECT change_ids FROM dora_deployment ORDER BY external_id")).scalars())


def test_space_separated_lists_are_split_and_every_change_counts(
    lists_team: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployments, changes = write(tmp_path, "d.csv", DEPLOYMENTS), write(tmp_path, "c.csv", CHANGES)
    code, out, err = run(capsys, "dora", "import", "--team", "Team", "--deployments", deployments, "--changes", changes)
    assert (code, out, err) == (0, "imported 2 deployments, 3 changes\n", "")
    assert _stored_lists() == ["c1;c2", "c3"]
    data = run_json(
        capsys, "dora", "metrics", "--team", "Team", "--since", "2024-05-01", "--until", "2024-05-07", "--json"
    )
    assert data["metrics"]["lead_time_hours_median"] == 2.0  # of 1, 2 and 4 hours (c1 c2 as one id: no sample)
    assert data["metrics"]["lead_time_hours_p90"] == pytest.approx(3.6)  # 2 + 0.8 * (4 - 2)


def test_a_named_separator_that_the_cells_contradict_is_warned_before_saving(
    lists_team: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deployments = write(tmp_path, "d.csv", DEPLOYMENTS)
    code, out, err = run(
        capsys, "dora", "import", "--team", "Team", "--deployments", deployments, "--list-separator", "semicolon"
    )
    assert (code, out) == (0, "imported 2 deployments\n")
    assert err.splitlines() == [
        f"warning: {deployments}, line 2, column 'change_ids': 1 cell looks like a list with another separator "
        "than ';'; this one looks separated by spaces: if that is the separator, name it "
        '("change_ids_separator": "whitespace" in the mapping, or --list-separator whitespace) (value \'c1 c2\')'
    ]
    assert _stored_lists() == ["c1 c2", "c3"]  # as named: the user was told


def test_a_mapping_file_names_the_separator(
    lists_team: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = DEPLOYMENTS.replace(b"c1 c2", b'"[""c1"", ""c2""]"').replace(b"change_ids", b"Commit SHAs")
    deployments = write(tmp_path, "d.csv", data)
    mapping = write(
        tmp_path,
        "m.json",
        b'{"foundations_dora_mapping": 1, '
        b'"deployments": {"change_ids": "Commit SHAs", "change_ids_separator": "json"}}',
    )
    code, out, err = run(capsys, "dora", "import", "--team", "Team", "--deployments", deployments, "--mapping", mapping)
    assert (code, out, err) == (0, "imported 2 deployments\n", "")
    assert _stored_lists() == ["c1;c2", "c3"]
