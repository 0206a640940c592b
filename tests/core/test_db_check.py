"""`foundations db check` and `db revision`: a model change without a migration is caught, and the revision fixes it.

The model change is built in the test: a copy of the models' tables with a column more,
handed to the migrations environment in place of the real models. `db revision` writes
into a copy of the migrations folder, never into the source tree.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
import sqlmodel
from alembic import command
from sqlmodel import SQLModel

from assessment.core import db
from assessment.core.types import UTCDateTime
from assessment.migrations import authoring
from cli import main as cli

ADVICE = '(write a migration: foundations db revision -m "what changed")'
HEAD = db.head_revision() or ""
NEXT, AFTER_NEXT = f"{int(HEAD) + 1:04d}", f"{int(HEAD) + 2:04d}"  # the numbers `db revision` gives


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def models_with(change: Callable[[sa.MetaData], None]) -> sa.MetaData:
    """A copy of the models' tables, changed; the real metadata is left alone."""
    copy = sa.MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(copy)
    change(copy)
    return copy


def team_gains_columns(metadata: sa.MetaData) -> None:
    team = metadata.tables["team"]
    team.append_column(sa.Column("nickname", sqlmodel.AutoString(length=40), nullable=True))
    team.append_column(sa.Column("reviewed_at", UTCDateTime(), nullable=True))


@pytest.fixture
def migrations_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every alembic command in this test runs the migrations of a copy, where `db revision` may write."""
    folder = tmp_path / "migrations"
    shutil.copytree(db.migrations_folder(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(db, "migrations_folder", lambda: str(folder))
    return folder


def test_check_passes_on_the_current_tree(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "db", "check")
    assert (code, err) == (0, "")
    assert out == (f"the models and the migrations agree (schema {HEAD}, checked on a temporary SQLite database)\n")


def test_check_passes_on_the_test_database(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """On PostgreSQL too when FOUNDATIONS_TEST_DATABASE_URL is set: types and defaults compare per backend."""
    code, out, err = run(capsys, "db", "check", "--url", database_url)
    assert (code, err) == (0, "")
    assert out.startswith(f"the models and the migrations agree (schema {HEAD}, checked on ")
    engine = db.make_engine(database_url)
    try:
        assert db.current_revision(engine) == HEAD  # --url upgrades the database it is given
    finally:
        engine.dispose()


def test_check_names_a_column_no_migration_adds(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(authoring, "model_metadata", lambda: models_with(team_gains_columns))
    for argv in (["db", "check"], ["db", "check", "--url", database_url]):
        code, out, err = run(capsys, *argv)
        assert (code, out) == (1, "")
        assert err == (
            "error: the models and the migrations differ (2): "
            "column team.nickname: in the models, not in the migrations; "
            f"column team.reviewed_at: in the models, not in the migrations {ADVICE}\n"
        )


def test_check_names_removed_tables_and_changed_columns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def change(metadata: sa.MetaData) -> None:
        metadata.remove(metadata.tables["audit_event"])
        metadata.tables["organisation"].c.name.nullable = True

    monkeypatch.setattr(authoring, "model_metadata", lambda: models_with(change))
    code, _, err = run(capsys, "db", "check")
    assert code == 1
    assert len(err.splitlines()) == 1
    assert "table audit_event: in the migrations, not in the models" in err
    assert "column organisation.name: not nullable in the migrations, nullable in the models" in err


def test_revision_writes_the_next_migration_and_then_check_passes(
    migrations_copy: Path, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(authoring, "model_metadata", lambda: models_with(team_gains_columns))
    assert run(capsys, "db", "check")[0] == 1

    code, out, err = run(capsys, "db", "revision", "-m", "Team nickname and review date")
    new = migrations_copy / "versions" / f"{NEXT}_team_nickname_and_review_date.py"
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"wrote {new}: column team.nickname: in the models, not in the migrations; "
        "column team.reviewed_at: in the models, not in the migrations",
        "Read it through, then run `foundations db check`.",
    ]
    text = new.read_text(encoding="utf-8")
    assert "\nimport assessment.core.types\n" in text  # the template imports the shared column types
    assert "assessment.core.types.UTCDateTime(timezone=True)" in text
    assert f"revision = '{NEXT}'" in text
    assert f"down_revision = '{HEAD}'" in text

    assert run(capsys, "db", "check")[0] == 0  # the new file, applied to a temporary SQLite database
    code, out, err = run(capsys, "db", "check", "--url", database_url)  # and to the test database (PostgreSQL)
    assert (code, err) == (0, "")
    assert f"(schema {NEXT}, checked on " in out

    engine = db.make_engine(database_url)
    try:
        command.downgrade(db.alembic_config(engine), HEAD)  # the generated downgrade runs too
        with engine.connect() as conn:
            assert "nickname" not in {c["name"] for c in sa.inspect(conn).get_columns("team")}
    finally:
        engine.dispose()


def test_revision_without_changes_is_empty_and_numbered(
    migrations_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "db", "revision", "-m", "backfill nicknames")
    new = migrations_copy / "versions" / f"{NEXT}_backfill_nicknames.py"
    assert code == 0
    assert out.startswith(f"wrote {new}: the models and the migrations agree, so it is empty\n")
    assert "def upgrade() -> None:\n    # ### commands auto generated by Alembic - please adjust! ###\n    pass\n" in (
        new.read_text(encoding="utf-8")
    )
    assert run(capsys, "db", "revision", "-m", "and another")[0] == 0
    assert (migrations_copy / "versions" / f"{AFTER_NEXT}_and_another.py").is_file()


def test_revision_needs_words_and_a_reachable_database(
    migrations_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "db", "revision", "-m", "!!")
    assert (code, out) == (1, "")
    assert err == 'error: the message names the migration file: use words, e.g. -m "team nickname"\n'
    code, out, err = run(capsys, "db", "check", "--url", f"sqlite:///{migrations_copy}/no/such/folder.db")
    assert (code, out) == (1, "")
    assert err.startswith("error: cannot open the database: ")
    assert len(err.splitlines()) == 1
    assert sorted(p.name for p in (migrations_copy / "versions").glob("0*.py"))[-1].startswith(HEAD)
