"""kill -9 while saving and while importing: every confirmed save is there, and an import is all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.dora.formats import Kind
from tests.support.database import row_counts
from tests.support.dora_data import write_files
from tests.support.faults import kill_half_way_through_importing, kill_while_saving, run_cli

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
