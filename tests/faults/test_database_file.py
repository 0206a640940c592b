"""The SQLite file under a running Foundations: never created by accident, never written after it is gone."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.core.failures import StorageError
from assessment.organisations.directory import ensure_organisation, find_organisation
from tests.support.cli import fails, run_ok
from tests.support.database import SqliteTemplates, forget_database, use_database

pytestmark = pytest.mark.faults


@pytest.fixture
def sqlite_file(sqlite_templates: SqliteTemplates, tmp_path: Path) -> Path:
    """A migrated SQLite database file of this test's own."""
    path = tmp_path / "own.db"
    shutil.copy(sqlite_templates.path(), path)
    return path


@pytest.mark.parametrize("argv", [["list"], ["demo"], ["db", "status"], ["export", "1"]], ids=" ".join)
def test_the_cli_never_creates_a_database_except_db_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    path = tmp_path / "typo.db"
    use_database(monkeypatch, f"sqlite:///{path}")
    assert fails(capsys, *argv) == (
        f"error: Foundations cannot use the database: there is no database file at {path}; create it with "
        "`foundations db upgrade`, or, if it was deleted or moved, ask the administrator to restore it from a backup\n"
    )
    assert not path.exists()
    out = run_ok(capsys, "db", "upgrade")
    assert out.splitlines()[0] == f"created a new, empty database at {path}"
    assert path.exists()
    assert "created" not in run_ok(capsys, "db", "upgrade")
    db.get_engine().dispose()
    forget_database()


def _save_organisation(engine: Engine, name: str) -> None:
    with db.write_session(engine) as session:
        ensure_organisation(session, name=name)


def test_a_file_deleted_between_two_saves_refuses_the_second(sqlite_file: Path) -> None:
    engine = db.make_engine(f"sqlite:///{sqlite_file}")
    try:
        _save_organisation(engine, "First")  # the pool now holds a connection to the file
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        with pytest.raises(StorageError) as caught:
            _save_organisation(engine, "Second")
        assert str(caught.value) == (
            f"Nothing was saved: the database file {sqlite_file} was deleted while Foundations was running; "
            "ask the administrator to restore it from a backup"
        )
        assert not sqlite_file.exists()  # and no new, empty file in its place
    finally:
        engine.dispose()


def test_a_file_deleted_during_a_save_refuses_to_commit(sqlite_file: Path) -> None:
    engine = db.make_engine(f"sqlite:///{sqlite_file}")
    try:
        with pytest.raises(StorageError) as caught, db.write_session(engine) as session:  # noqa: PT012 - the delete is mid-save
            ensure_organisation(session, name="Lost")
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        assert "was deleted while Foundations was running" in str(caught.value)
    finally:
        engine.dispose()


def test_a_replaced_file_is_refused_until_a_restart_and_neither_file_is_written(
    sqlite_file: Path, sqlite_templates: SqliteTemplates, tmp_path: Path
) -> None:
    engine = db.make_engine(f"sqlite:///{sqlite_file}")
    try:
        _save_organisation(engine, "Before the restore")
        restored = tmp_path / "restored.db"
        shutil.copy(sqlite_templates.path(), restored)
        os.replace(restored, sqlite_file)  # what a restore from a backup under a running app does
        with pytest.raises(StorageError) as caught:
            _save_organisation(engine, "After the restore")
        assert str(caught.value) == (
            f"Nothing was saved: the database file {sqlite_file} was replaced while Foundations was running; "
            "restart Foundations (or ask the administrator to) so that it opens the new file"
        )
    finally:
        engine.dispose()
    restarted = db.make_engine(f"sqlite:///{sqlite_file}")
    try:
        with db.read_session(restarted) as session:
            assert find_organisation(session, name="After the restore") is None
        _save_organisation(restarted, "After the restart")
    finally:
        restarted.dispose()
