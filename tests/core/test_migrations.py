"""Migrations produce exactly the models' schema, and nothing runs on a schema it does not know."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import assessment.models.assessments  # noqa: F401 - registers the tables on SQLModel.metadata
from assessment.core import db
from assessment.core.errors import SchemaStateError
from cli import main as cli
from tests.support.database import create_empty

NOT_MIGRATED = "the database has no Foundations schema yet: run `foundations db upgrade` first"
NEWER = "is newer than this version of Foundations knows: upgrade Foundations"


def test_migrations_match_the_models_exactly(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine)  # on the empty database, every migration in order
        with engine.connect() as conn:
            opts = {"compare_type": True, "compare_server_default": True}
            context = MigrationContext.configure(conn, opts=opts)
            assert compare_metadata(context, SQLModel.metadata) == []
            tables = set(sa.inspect(conn).get_table_names())
        assert tables == set(SQLModel.metadata.tables) | {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_is_idempotent_and_reaches_head(engine: Engine) -> None:
    db.upgrade(engine)
    assert db.current_revision(engine) == db.head_revision()
    db.check_schema(engine)  # does not raise


def test_check_schema_refuses_an_unmigrated_database(database_url: str) -> None:
    create_empty(database_url)
    engine = db.make_engine(database_url)
    try:
        with pytest.raises(SchemaStateError) as caught:
            db.check_schema(engine)
        assert str(caught.value) == NOT_MIGRATED
    finally:
        engine.dispose()


def _stamp_future(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))


def test_check_schema_refuses_a_newer_schema(engine: Engine) -> None:
    _stamp_future(engine)
    with pytest.raises(SchemaStateError) as caught:
        db.check_schema(engine)
    assert str(caught.value) == f"the database schema (9999_from_the_future) {NEWER}"


COMMANDS = [
    ["list"],
    ["list", "--json"],
    ["demo"],
    ["score", "1", "--json"],
    ["export", "1", "--format", "json"],
    ["db", "status"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_cli_refuses_an_unmigrated_database(
    env_database: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    create_empty(env_database)
    assert cli.main(argv) == 1
    out, err = capsys.readouterr()
    assert err == f"error: {NOT_MIGRATED}\n"
    assert out == ""


def test_cli_refuses_a_newer_schema(env_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["db", "upgrade"]) == 0
    _stamp_future(db.get_engine())
    capsys.readouterr()
    for argv in (["list"], ["demo"], ["db", "status"]):
        assert cli.main(argv) == 1
        out, err = capsys.readouterr()
        assert err.startswith("error: the database schema (9999_from_the_future) ")
        assert NEWER in err
        assert len(err.splitlines()) == 1
        assert out == ""


def test_unmigrated_database_is_left_untouched_by_refused_commands(env_database: str) -> None:
    create_empty(env_database)
    assert cli.main(["demo"]) == 1
    with db.get_engine().connect() as conn:
        assert sa.inspect(conn).get_table_names() == []


def test_an_older_schema_is_refused_then_upgraded_without_losing_data(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine, "0001")
        if db.head_revision() == "0001":
            pytest.skip("only one migration so far")
        with engine.begin() as conn:  # raw SQL: the models describe the newest schema, not 0001
            conn.execute(
                sa.text("INSERT INTO organisation (name, created_at) VALUES ('Kept Ltd', :now)"),
                {"now": "2026-01-31 12:00:00"},
            )
        with pytest.raises(SchemaStateError) as caught:
            db.check_schema(engine)
        assert str(caught.value) == (
            f"the database schema (0001) is behind this version ({db.head_revision()}): run `foundations db upgrade`"
        )
        db.upgrade(engine)
        db.check_schema(engine)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT name FROM organisation")).scalars().all() == ["Kept Ltd"]
    finally:
        engine.dispose()
