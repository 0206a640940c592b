"""kill -9 while saving and while importing: every confirmed save is there, and an import is all or nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.dora.formats import Kind
from tests.support.database import row_counts
from tests.support.dora_data import write_files
from tests.support.faults import ROOT, cli_env, kill_half_way_through_importing, kill_while_saving, run_cli

pytestmark = pytest.mark.faults


def _sound(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def test_killed_while_saving_every_confirmed_save_is_kept(engine: Engine, database_url: str) -> None:
    for round_number in range(3):
        confirmed = kill_while_saving(database_url, f"Kill {round_number}", confirmed=20)
        engine.dispose()
        with engine.connect() as conn:
            stored = set(conn.execute(sa.text("SELECT name FROM organisation")).scalars())
        assert set(confirmed) <= stored
        _sound(engine)


def _deployments(count: int, prefix: str) -> list[dict[str, str]]:
    return [
        {"id": f"{prefix}{n}", "service": f"svc{n % 7}", "deployed_at": f"2024-05-01T00:{n % 60:02d}:{n % 59:02d}Z"}
        for n in range(count)
    ]


@pytest.mark.parametrize("at", ["writing", "preparing"])
def test_an_import_killed_half_way_leaves_the_previous_data_exactly(
    engine: Engine, database_url: str, tmp_path: Path, at: str
) -> None:
    if at == "preparing" and engine.dialect.name != "sqlite":
        pytest.skip("only SQLite stages rows before its write transaction")
    small, big = tmp_path / "small", tmp_path / "big"
    small.mkdir()
    big.mkdir()
    first = write_files(small, {Kind.DEPLOYMENTS: _deployments(50, "a")})[Kind.DEPLOYMENTS]
    assert run_cli(database_url, "demo").returncode == 0
    args = ("--org", "Northwind Streaming", "--team", "Payments")
    assert run_cli(database_url, "dora", "import", *args, "--deployments", str(first)).returncode == 0
    engine.dispose()
    before = row_counts(engine)
    second = write_files(big, {Kind.DEPLOYMENTS: _deployments(60_000, "b")})[Kind.DEPLOYMENTS]
    kill_half_way_through_importing(database_url, *args, "--deployments", str(second), at=at)
    engine.dispose()
    assert row_counts(engine) == before
    _sound(engine)
    again = run_cli(database_url, "dora", "import", *args, "--deployments", str(second))
    assert again.returncode == 0, again.stderr


def _import_backend(conn: sa.Connection) -> int | None:
    """The server process of an import whose upsert waits for a row lock, if there is one."""
    pid = conn.execute(
        sa.text(
            "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
            "AND query LIKE 'INSERT INTO dora_deployment%staging_dora_deployment%'"
        )
    ).scalar()
    conn.rollback()  # a transaction sees pg_stat_activity as it was when it first looked
    return int(pid) if pid is not None else None


def _alive(conn: sa.Connection, pid: int) -> bool:
    alive = bool(conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"), {"p": pid}).scalar())
    conn.rollback()
    return alive


def test_a_killed_import_lets_go_of_its_teams_within_seconds(engine: Engine, database_url: str, tmp_path: Path) -> None:
    """kill -9 while the server runs the import's upsert: the server notices the client is gone.

    Made long for sure by a row lock the test holds; before, the server went on waiting for it (as it
    went on upserting a million rows for 38 s) with the teams' import locks held, and a rerun waited."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's import dies with its process")
    args = ("--org", "Northwind Streaming", "--team", "Payments")
    first = write_files(tmp_path, {Kind.DEPLOYMENTS: _deployments(50, "a")})[Kind.DEPLOYMENTS]
    assert run_cli(database_url, "demo").returncode == 0
    assert run_cli(database_url, *("dora", "import", *args, "--deployments", str(first))).returncode == 0
    engine.dispose()
    with engine.connect() as holder, engine.connect() as watcher:
        holder.execute(sa.text("SELECT 1 FROM dora_deployment WHERE external_id = 'a0' FOR UPDATE"))
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "dora", "import", *args, "--deployments", str(first)],
            env=cli_env(database_url),
            cwd=ROOT,
        )
        try:
            deadline = time.monotonic() + 60
            while (backend := _import_backend(watcher)) is None:
                assert process.poll() is None, "the import ended before its upsert"
                assert time.monotonic() < deadline, "the import never reached its upsert"
                time.sleep(0.1)
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            killed = time.monotonic()
            while _alive(watcher, backend):
                assert time.monotonic() - killed < 5, "the server still runs the killed import"
                time.sleep(0.1)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            holder.rollback()
    rerun = run_cli(database_url, "dora", "import", *args, "--deployments", str(first), "--replace")
    assert rerun.returncode == 0, rerun.stderr
