"""Upgrades that are killed half-way lose nothing, and a SQLite database is backed up before it is migrated."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.core.failures import database_file
from tests.support.database import row_counts
from tests.support.faults import kill_between_migrations, run_cli

pytestmark = pytest.mark.faults

OLD = "0001"


def _old_database_with_data(url: str) -> Engine:
    engine = db.make_engine(url)
    db.upgrade(engine, OLD)
    with engine.begin() as conn:  # raw SQL: the models describe the newest schema, not 0001
        conn.execute(sa.text("INSERT INTO organisation (name, created_at) VALUES ('Kept Ltd', CURRENT_TIMESTAMP)"))
    return engine


def _organisations(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text("SELECT name FROM organisation ORDER BY name")).scalars())


def _backups(engine: Engine) -> list[Path]:
    path = database_file(engine.url)
    return sorted(Path(path).parent.glob(f"{Path(path).stem}-before-*")) if path else []


def test_an_upgrade_killed_between_migrations_loses_nothing_and_a_rerun_finishes(database_url: str) -> None:
    engine = _old_database_with_data(database_url)
    try:
        kill_between_migrations(database_url)
        engine.dispose()
        assert _organisations(engine) == ["Kept Ltd"]
        done = run_cli(database_url, "db", "upgrade")
        assert done.returncode == 0, done.stderr
        assert db.current_revision(engine) == db.head_revision()
        assert _organisations(engine) == ["Kept Ltd"]
        if engine.dialect.name == "sqlite":  # the killed run had copied it first: the copy is at the old schema
            first = _backups(engine)[0]
            copy = db.make_engine(f"sqlite:///{first}")
            assert (db.current_revision(copy), _organisations(copy)) == (OLD, ["Kept Ltd"])
            copy.dispose()
    finally:
        engine.dispose()


def test_db_upgrade_backs_up_a_sqlite_database_first_and_says_where(database_url: str) -> None:
    engine = _old_database_with_data(database_url)
    engine.dispose()
    done = run_cli(database_url, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    if engine.dialect.name != "sqlite":
        assert len(lines) == 1  # PostgreSQL: rolled back whole if it fails; pg_dump is the backup tool
        return
    (backup,) = _backups(engine)
    path = database_file(engine.url)
    assert backup.name.startswith(f"test-before-{db.head_revision()}-")
    restore = f"to restore it, stop Foundations and copy it over {path}"
    assert lines[0] == f"backed up the database to {backup} before upgrading ({restore})"
    copy = db.make_engine(f"sqlite:///{backup}")
    assert (db.current_revision(copy), _organisations(copy)) == (OLD, ["Kept Ltd"])
    copy.dispose()
    again = run_cli(database_url, "db", "upgrade")  # already current: nothing to copy
    assert (again.returncode, len(_backups(engine))) == (0, 1)
    assert "backed up" not in again.stdout


def test_no_backup_skips_the_copy(database_url: str) -> None:
    engine = _old_database_with_data(database_url)
    engine.dispose()
    done = run_cli(database_url, "db", "upgrade", "--no-backup")
    assert (done.returncode, done.stderr) == (0, "")
    assert "backed up" not in done.stdout
    assert _backups(engine) == []


def test_db_backup_copies_every_row_or_names_pg_dump(demo_engine: Engine, database_url: str, tmp_path: Path) -> None:
    target = tmp_path / "copy.db"
    done = run_cli(database_url, "db", "backup", "-o", str(target))
    if demo_engine.dialect.name != "sqlite":
        assert (done.returncode, done.stdout) == (1, "")
        assert done.stderr.startswith(
            "error: `foundations db backup` copies SQLite databases; back up PostgreSQL with pg_dump --format=custom"
        )
        assert len(done.stderr.splitlines()) == 1
        return
    path = database_file(demo_engine.url)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(f"backed up {path} to {target} (")
    assert done.stdout.endswith(f" KiB); to restore it, stop Foundations and copy it over {path}\n")
    copy = db.make_engine(f"sqlite:///{target}")
    assert row_counts(copy) == row_counts(demo_engine)
    copy.dispose()
