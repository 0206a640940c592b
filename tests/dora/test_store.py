"""All or nothing: a failed or cancelled import leaves no row behind; teams named in files are created."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.dora.formats import Kind
from assessment.dora.ingest import staging
from assessment.dora.ingest.pipeline import FileInput, ImportOptions, parse_inputs, write_import
from assessment.dora.ingest.problems import DoraImportError
from assessment.dora.ingest.store import WriteOptions
from assessment.organisations.directory import ensure_organisation, list_teams
from tests.support.dora_data import csv_bytes, import_rows

TABLES = ("dora_import", "dora_deployment", "dora_change", "dora_incident")


class Cancelled(Exception):
    """What a closed browser tab or Ctrl-C looks like to the import: an exception mid-write."""


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: int(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES}


def _many(n: int) -> list[dict[str, str]]:
    return [
        {"team": f"T{i % 3}", "id": f"d{i}", "service": "api", "deployed_at": "2024-05-01T10:00:00Z"} for i in range(n)
    ]


def test_cancel_during_the_write_leaves_nothing(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staging, "BATCH_ROWS", 10)
    parsed = parse_inputs(
        [FileInput(Kind.DEPLOYMENTS, "d.csv", csv_bytes(Kind.DEPLOYMENTS, _many(50), with_team=True))],
        ImportOptions(),
    )

    def cancel_after_first_chunk(fraction: float, message: str) -> None:
        if "writing" in message and "20 of" in message:
            raise Cancelled

    def import_cancelled_midway() -> None:
        with db.write_session(engine) as session:
            org = ensure_organisation(session, name="Org")
            write_import(
                session,
                organisation_id=org.id or 0,
                team_id=None,
                parsed=parsed,
                by="test",
                progress=cancel_after_first_chunk,
                options=WriteOptions(create_teams=True),
            )

    with pytest.raises(Cancelled):
        import_cancelled_midway()
    assert _counts(engine) == dict.fromkeys(TABLES, 0)


def test_team_column_routes_rows_and_creates_teams(engine: Engine) -> None:
    result = import_rows(engine, {Kind.DEPLOYMENTS: _many(30)}, team=None)
    assert result.rows == {"deployments": 30}
    assert sorted(result.teams_created) == ["T0", "T1", "T2"]
    with db.read_session(engine) as session:
        org = ensure_organisation(session, name="Org")
        assert [t.name for t in list_teams(session, organisation_id=org.id or 0)] == ["T0", "T1", "T2"]
    assert _counts(engine)["dora_deployment"] == 30


def test_rows_without_a_team_need_one(engine: Engine) -> None:
    with pytest.raises(DoraImportError, match="no team"):
        import_rows(engine, {Kind.DEPLOYMENTS: [dict(_many(1)[0], team="")]}, team=None)
    assert _counts(engine) == dict.fromkeys(TABLES, 0)


def test_problems_of_every_file_are_reported_together() -> None:
    bad_changes = csv_bytes(Kind.CHANGES, [{"id": "c1", "committed_at": "soon"}])
    bad_incidents = b"id,service\n1,a\n"
    with pytest.raises(DoraImportError) as caught:
        parse_inputs(
            [
                FileInput(Kind.CHANGES, "c.csv", bad_changes),
                FileInput(Kind.INCIDENTS, "i.csv", bad_incidents),
            ],
            ImportOptions(),
        )
    assert [p.source for p in caught.value.problems] == ["c.csv", "i.csv"]


def test_values_that_look_like_nothing_are_stored_as_text(engine: Engine) -> None:
    import_rows(
        engine,
        {
            Kind.INCIDENTS: [
                {"id": "NA", "service": "None", "started_at": "2024-05-01T10:00:00Z"},
                {"id": "007", "service": "null", "started_at": "2024-05-01T10:00:00Z"},
            ]
        },
    )
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT external_id, service FROM dora_incident ORDER BY external_id")).all()
    assert [tuple(r) for r in rows] == [("007", "null"), ("NA", "None")]
