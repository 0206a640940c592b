"""A long DORA import does not keep answer saves waiting: on SQLite its rows are staged before the write lock.

Each time the import reports progress, a save is tried on another connection that
waits only 0.3 s for a lock. Before the rows were staged, every report of the write
came from inside the write transaction, so every such save failed ("database is
locked"; with the real 15 s busy timeout, a loaded machine hit it too). Now only the
final transaction (one statement per file, then the summary) holds the lock.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.core.failures import StorageError
from assessment.dora import service
from assessment.dora.formats import Kind
from assessment.organisations.directory import ensure_organisation, ensure_team
from tests.support.database import forget_database
from tests.support.dora_data import csv_bytes
from tests.support.faults import impatient

ROWS = 300_000  # six staging batches


@pytest.fixture
def saver(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An engine on the test database whose writers give up after 0.3 s waiting for a lock."""
    for name, value in impatient(database_url).items():
        monkeypatch.setenv(name, value)
    forget_database()
    engine = db.make_engine()
    yield engine
    engine.dispose()
    monkeypatch.undo()
    forget_database()


def test_saves_made_while_a_large_import_runs_go_through(engine: Engine, saver: Engine) -> None:
    rows = [{"id": f"d{n:07d}", "service": "api", "deployed_at": "2024-05-01T10:00:00Z"} for n in range(ROWS)]
    parsed = service.parse_files(
        [service.FileInput(Kind.DEPLOYMENTS, "d.csv", csv_bytes(Kind.DEPLOYMENTS, rows))], service.ImportOptions()
    )
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Org")
        ids = (org.id or 0, ensure_team(session, organisation_id=org.id or 0, name="Team").id)
    saved: list[str] = []
    refused: list[str] = []

    def save_now(_fraction: float, message: str) -> None:
        try:
            with db.write_session(saver) as session:
                ensure_organisation(session, name=f"Saved {len(saved) + len(refused)}")
            saved.append(message)
        except StorageError:
            refused.append(message)

    result = service.import_into(
        engine,
        target=service.Target(find=lambda _s: ids, make=lambda _s: ids),
        parsed=parsed,
        by="test",
        progress=save_now,
    )
    assert result.rows == {"deployments": ROWS}
    assert len(saved) >= ROWS // 50_000, (saved, refused)
    assert len(refused) <= 2, refused  # the file's rows moved in, and the summary: both inside the final transaction
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM dora_deployment")).scalar_one() == ROWS
        stored = conn.execute(sa.text("SELECT count(*) FROM organisation WHERE name LIKE 'Saved %'")).scalar_one()
    assert stored == len(saved)


def test_rows_stored_by_another_import_while_staging_are_merged_again(engine: Engine) -> None:
    """Staging reads the stored rows without a lock: what another import commits meanwhile is not overwritten."""
    if engine.dialect.name != "sqlite":
        pytest.skip("only SQLite stages rows before its write transaction")
    rows = [{"id": f"d{n}", "service": "api", "deployed_at": "2024-05-01T10:00:00Z"} for n in range(1000)]
    failed = [dict(row, status="failure") for row in rows[:10]]
    parsed, other = (
        service.parse_files(
            [service.FileInput(Kind.DEPLOYMENTS, "d.csv", csv_bytes(Kind.DEPLOYMENTS, r))], service.ImportOptions()
        )
        for r in (rows, failed)
    )
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Org")
        ids = (org.id or 0, ensure_team(session, organisation_id=org.id or 0, name="Team").id)
    target = service.Target(find=lambda _s: ids, make=lambda _s: ids)

    others: list[str] = []

    def meanwhile(_fraction: float, message: str) -> None:
        if message.startswith("preparing") and not others:
            others.append(service.import_into(engine, target=target, parsed=other, by="someone else").sentence())

    result = service.import_into(engine, target=target, parsed=parsed, by="test", progress=meanwhile)
    assert result.replaced == {"deployments": 10}
    with engine.connect() as conn:
        grouped = conn.execute(sa.text("SELECT status, count(*) FROM dora_deployment GROUP BY status")).all()
    statuses = {str(status): int(n) for status, n in grouped}
    assert statuses == {"failure": 10, "success": 990}  # an empty status keeps the stored one (merge)


def test_an_in_memory_database_keeps_its_rows() -> None:
    """Staging closes its connection afterwards; an in-memory database's one connection is the database."""
    engine = db.make_engine("sqlite://", poolclass=sa.pool.StaticPool)
    db.upgrade(engine)
    rows = [{"id": f"d{n}", "service": "api", "deployed_at": "2024-05-01T10:00:00Z"} for n in range(10)]
    parsed = service.parse_files(
        [service.FileInput(Kind.DEPLOYMENTS, "d.csv", csv_bytes(Kind.DEPLOYMENTS, rows))], service.ImportOptions()
    )
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Org")
        ids = (org.id or 0, ensure_team(session, organisation_id=org.id or 0, name="Team").id)
    service.import_into(engine, target=service.Target(find=lambda _s: ids, make=lambda _s: ids), parsed=parsed, by="t")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM dora_deployment")).scalar_one() == 10
