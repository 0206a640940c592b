"""The metrics' rows read on two connections at once, and each case that must read on the session's alone.

Two connections may only share the work when they see the same rows: a write committed
between their two snapshots, or the session's own uncommitted import, sends the read back
to the session's connection (SQLite), or is kept out exactly by a shared snapshot
(PostgreSQL). Every case must give the figures of the session's own view of the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.dora.formats import Kind
from assessment.dora.ingest.pipeline import FileInput, ImportOptions, parse_inputs, write_import
from assessment.dora.metrics.compute import DoraMetrics, compute_metrics
from assessment.dora.metrics.frames import _halves
from assessment.dora.metrics.snapshot import snapshot_readers
from assessment.organisations.directory import ensure_organisation, ensure_team
from tests.support.dora_data import GOLDEN, WINDOW, csv_bytes, import_rows, team_id

TEAMS = ("A", "B", "C")
LATER = {Kind.DEPLOYMENTS: [{"id": "d8", "service": "a", "deployed_at": "2024-05-07T10:00:00Z"}]}


def _golden(metrics: DoraMetrics) -> None:
    """The golden week's figures (worked out in conftest.py)."""
    assert (metrics.deployments, metrics.days_with_deployments, metrics.lead_time_samples) == (4, 3, 4)
    assert metrics.lead_time_hours_median == pytest.approx(2.0)
    assert metrics.lead_time_hours_p90 == pytest.approx(3.4)
    assert (
        metrics.failed_deployments,
        metrics.incidents_linked_by_id,
        metrics.incidents_linked_by_attribution,
        metrics.incidents_unlinked,
    ) == (2, 2, 1, 1)
    assert (metrics.recovery_hours_median, metrics.recovery_hours_p90) == pytest.approx(
        (1.5, 3.5),
    )


def _import_teams(engine: Engine) -> list[int]:
    import_rows(
        engine,
        {kind: [dict(row, team=name) for name in TEAMS for row in rows] for kind, rows in GOLDEN.items()},
        team=None,
    )
    return [team_id(engine, name) for name in TEAMS]


def _pg(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@pytest.fixture
def one_connection(database_url: str) -> Iterator[Engine]:
    """An engine on the same database whose pool holds a single connection."""
    engine = db.make_engine(database_url, pool_size=1, max_overflow=0, pool_timeout=1)
    yield engine
    engine.dispose()


def test_two_connections_give_the_figures_of_one(engine: Engine, one_connection: Engine) -> None:
    ids = _import_teams(engine)
    with db.read_session(engine) as session:
        with snapshot_readers(session) as readers:
            assert readers is not None
        together = compute_metrics(session, team_ids=ids, window=WINDOW)
    with db.read_session(one_connection) as session:  # no connection to spare: the session's alone
        with snapshot_readers(session) as readers:
            assert readers is None
        alone = compute_metrics(session, team_ids=ids, window=WINDOW)
    assert together == alone
    for team in ids:
        _golden(together[team])


def test_teams_are_cut_into_halves_of_about_equal_rows() -> None:
    assert _halves([3, 1, 2], [(1, 10), (2, 10), (3, 10)]) == ([1, 2], [3])
    assert _halves([1, 2, 3], [(1, 100), (2, 1), (3, 1)]) == ([1], [2, 3])
    assert _halves([1, 2], []) == ([1], [2])  # no rows yet: still two parts, one may be empty
    assert _halves([7], [(7, 5)]) == ([7], [])


def test_a_write_committed_between_the_two_snapshots_is_not_read(engine: Engine, database_url: str) -> None:
    """The write commits exactly when the second connection is taken from the pool, after the session's snapshot.

    SQLite: the fingerprints differ, so the session's connection reads alone. PostgreSQL: the
    readers share the snapshot the session exported before the write, so they do not see it.
    """
    import_rows(engine, GOLDEN)
    team = team_id(engine)
    writer = db.make_engine(database_url)  # another client
    committed: list[int] = []

    def commit_meanwhile(*_: Any) -> None:
        if not committed:
            committed.append(import_rows(writer, LATER).rows["deployments"])

    try:
        with db.read_session(engine) as session:
            session.connection()  # the session's own connection is out of the pool before listening
            sa.event.listen(engine, "checkout", commit_meanwhile)
            try:
                metrics = compute_metrics(session, team_ids=[team], window=WINDOW)[team]
            finally:
                sa.event.remove(engine, "checkout", commit_meanwhile)
            assert committed == [1]
            _golden(metrics)
            if not _pg(engine):  # the session's snapshot is older than any new connection's
                with snapshot_readers(session) as readers:
                    assert readers is None
        with db.read_session(engine) as session:
            assert compute_metrics(session, team_ids=[team], window=WINDOW)[team].deployments == 5
    finally:
        writer.dispose()


def test_the_import_reads_its_own_uncommitted_rows(engine: Engine) -> None:
    """The cross-check computes inside the import's write transaction: only its own connection sees the rows."""
    parsed = parse_inputs(
        [FileInput(kind, f"{kind.value}.csv", csv_bytes(kind, rows)) for kind, rows in GOLDEN.items()],
        ImportOptions(),
    )
    seen: dict[str, Any] = {}

    def after(session: Any, team_ids: tuple[int, ...]) -> None:
        with snapshot_readers(session) as readers:
            seen["readers"] = readers
        seen["metrics"] = compute_metrics(session, team_ids=list(team_ids), window=WINDOW)

    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Org")
        team = ensure_team(session, organisation_id=org.id or 0, name="Team").id or 0
        write_import(session, organisation_id=org.id or 0, team_id=team, parsed=parsed, by="test", after=after)
    assert seen["readers"] is None
    _golden(seen["metrics"][team])


def test_a_memory_database_reads_on_one_connection(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's own memory database")
    engine = db.make_engine("sqlite://")
    try:
        db.upgrade(engine)
        import_rows(engine, GOLDEN)
        team = team_id(engine)
        with db.read_session(engine) as session:
            with snapshot_readers(session) as readers:
                assert readers is None
            _golden(compute_metrics(session, team_ids=[team], window=WINDOW)[team])
    finally:
        engine.dispose()


def test_a_rollback_journal_database_reads_on_one_connection(engine: Engine, database_url: str, tmp_path: Path) -> None:
    """Outside WAL mode a reader's shared lock and a waiting writer would block the second connection."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's journal modes")
    import_rows(engine, GOLDEN)
    team = team_id(engine)
    engine.dispose()
    plain = sa.create_engine(database_url)  # without the app's connection rules: the file's journal mode stays
    try:
        with plain.begin() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode = DELETE").scalar() == "delete"
        with db.read_session(plain) as session:
            with snapshot_readers(session) as readers:
                assert readers is None
            _golden(compute_metrics(session, team_ids=[team], window=WINDOW)[team])
    finally:
        plain.dispose()


def test_a_session_outside_a_transaction_reads_on_one_connection(engine: Engine, database_url: str) -> None:
    """The driver's own transaction handling runs reads without BEGIN: no snapshot to share."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite driver's transaction handling")
    import_rows(engine, GOLDEN)
    team = team_id(engine)
    plain = sa.create_engine(database_url)  # the file stays in WAL mode; reads run without BEGIN
    try:
        with db.read_session(plain) as session:
            assert session.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            with snapshot_readers(session) as readers:
                assert readers is None
            _golden(compute_metrics(session, team_ids=[team], window=WINDOW)[team])
    finally:
        plain.dispose()


def test_a_repeatable_read_session_shares_its_own_snapshot(engine: Engine) -> None:
    """PostgreSQL: a REPEATABLE READ session reads one half itself, on the snapshot it exports."""
    if not _pg(engine):
        pytest.skip("PostgreSQL's isolation levels")
    ids = _import_teams(engine)
    with db.read_session(engine.execution_options(isolation_level="REPEATABLE READ")) as session:
        with snapshot_readers(session) as readers:
            assert readers is not None
        for metrics in compute_metrics(session, team_ids=ids, window=WINDOW).values():
            _golden(metrics)


def test_an_autocommit_session_reads_on_one_connection(engine: Engine) -> None:
    """PostgreSQL: a snapshot exported in autocommit is gone before the second connection could import it."""
    if not _pg(engine):
        pytest.skip("PostgreSQL's exported snapshots")
    import_rows(engine, GOLDEN)
    team = team_id(engine)
    with db.read_session(engine.execution_options(isolation_level="AUTOCOMMIT")) as session:
        with snapshot_readers(session) as readers:
            assert readers is None
        _golden(compute_metrics(session, team_ids=[team], window=WINDOW)[team])
