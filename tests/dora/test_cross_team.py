"""Changes without a team go to every team whose deployments list them (this import's, or the organisation's).

Why (issue 14): changes were matched only within one team, and nothing said so; a commits
file without a team column gave every team but one "no data" for lead time (and with
--org and no --team it was refused row by row: "no team").

By hand, window 1-8 May 2024: team A's dA1 (1 May 10:00) ships c1 (committed 08:00, 2 h)
and c2 (06:00, 4 h): median 3 h. Team B's dB1 (2 May 12:00) ships c3 (2 May 09:00, 3 h),
dB2 (3 May 12:00) ships c2 again for B (1 May 06:00, 54 h): median (3 + 54) / 2 = 28.5 h.
c9 is listed by no deployment.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.dora import service
from assessment.dora.formats import Kind
from assessment.dora.ingest.pipeline import FileInput, ImportOptions, parse_inputs, write_import
from assessment.dora.ingest.store import ImportResult, WriteOptions
from assessment.organisations.directory import ensure_organisation, ensure_team, find_team
from tests.support.cli import run
from tests.support.dora_data import WINDOW, csv_bytes

DEPLOYS = [
    {"team": "A", "id": "dA1", "service": "s", "deployed_at": "2024-05-01T10:00:00Z", "change_ids": "c1;c2"},
    {"team": "B", "id": "dB1", "service": "s", "deployed_at": "2024-05-02T12:00:00Z", "change_ids": "c3"},
    {"team": "B", "id": "dB2", "service": "s", "deployed_at": "2024-05-03T12:00:00Z", "change_ids": "c2"},
]
COMMITS = [
    {"id": "c1", "committed_at": "2024-05-01T08:00:00Z"},
    {"id": "c2", "committed_at": "2024-05-01T06:00:00Z"},
    {"id": "c3", "committed_at": "2024-05-02T09:00:00Z"},
    {"id": "c9", "committed_at": "2024-05-01T00:00:00Z"},
]
DEPLOYS_FILE = FileInput(Kind.DEPLOYMENTS, "deployments.csv", csv_bytes(Kind.DEPLOYMENTS, DEPLOYS, with_team=True))
COMMITS_FILE = FileInput(Kind.CHANGES, "changes.csv", csv_bytes(Kind.CHANGES, COMMITS))  # no team column


def _import(engine: Engine, files: list[FileInput], *, team: str | None = None) -> ImportResult:
    parsed = parse_inputs(files, ImportOptions())
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Org")
        for name in ("A", "B"):
            ensure_team(session, organisation_id=org.id or 0, name=name)
        chosen = find_team(session, team=team, organisation="Org").id if team else None
        return write_import(
            session, organisation_id=org.id or 0, team_id=chosen, parsed=parsed, by="test", options=WriteOptions()
        )


def _median(engine: Engine, team: str) -> float | None:
    with db.read_session(engine) as session:
        team_id = find_team(session, team=team, organisation="Org").id or 0
        value: float | None = service.team_summary(
            session, team_id=team_id, window=WINDOW
        ).metrics.lead_time_hours_median
        return value


def _stored(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT t.name, c.external_id FROM dora_change c JOIN team t ON t.id = c.team_id ORDER BY 1, 2")
        ).all()
    return [(r[0], r[1]) for r in rows]


def test_changes_without_a_team_go_to_every_team_that_lists_them(engine: Engine) -> None:
    result = _import(engine, [DEPLOYS_FILE, COMMITS_FILE])
    assert _stored(engine) == [("A", "c1"), ("A", "c2"), ("B", "c2"), ("B", "c3")]
    assert [_median(engine, "A"), _median(engine, "B")] == pytest.approx([3.0, 28.5])
    assert result.plan is not None
    assert result.plan.notes == (
        "changes.csv: 4 changes without a team matched to 2 team(s) by the deployments that list them (4 rows); "
        "1 listed by no deployment of the organisation: not stored",
    )


def test_changes_imported_after_their_deployments_match_the_stored_ones(engine: Engine) -> None:
    _import(engine, [DEPLOYS_FILE])
    _import(engine, [COMMITS_FILE])
    assert _stored(engine) == [("A", "c1"), ("A", "c2"), ("B", "c2"), ("B", "c3")]
    assert [_median(engine, "A"), _median(engine, "B")] == pytest.approx([3.0, 28.5])


def test_a_chosen_team_keeps_every_change_and_the_others_get_theirs(engine: Engine) -> None:
    """The page imports for its team: that team keeps every row (c9 too), B still gets what it ships."""
    _import(engine, [DEPLOYS_FILE, COMMITS_FILE], team="A")
    assert _stored(engine) == [("A", "c1"), ("A", "c2"), ("A", "c3"), ("A", "c9"), ("B", "c2"), ("B", "c3")]
    assert [_median(engine, "A"), _median(engine, "B")] == pytest.approx([3.0, 28.5])


def test_cli_with_an_organisation_matches_and_says_how(
    env_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = db.get_engine()
    db.upgrade(engine)
    paths = []
    for file in (DEPLOYS_FILE, COMMITS_FILE):
        paths.append(tmp_path / file.source)
        paths[-1].write_bytes(file.data)
    code, out, err = run(
        capsys,
        *("dora", "import", "--org", "Org", "--create-org", "--create-teams"),
        *("--deployments", str(paths[0]), "--changes", str(paths[1])),
    )
    assert (code, err) == (0, "")
    assert f"{paths[1]}: 4 changes without a team matched to 2 team(s)" in out
    assert [_median(engine, "A"), _median(engine, "B")] == pytest.approx([3.0, 28.5])


def test_a_page_import_of_changes_alone_stays_with_its_team(engine: Engine) -> None:
    """Ids like merge request numbers repeat across teams: B's stored deployments are not looked at."""
    _import(engine, [DEPLOYS_FILE])
    _import(engine, [COMMITS_FILE], team="A")
    assert _stored(engine) == [("A", "c1"), ("A", "c2"), ("A", "c3"), ("A", "c9")]
