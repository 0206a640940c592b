"""From every released schema revision, with data: the upgrade keeps every row and ends at a fresh install's schema.

The data is the demo organisation (teams, rounds, answers, history, DORA imports,
stored scores) written at the newest schema and taken down to the old revision by
the migrations' own downgrades, so each revision holds what it can hold. Every
row of every table is read at the old revision and again after the upgrade (the
columns the old revision has): nothing may be lost or changed. Tables a migration
recomputes on purpose (stored scores) are compared by their keys.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from assessment.core import db
from tests.support.database import prepare

RELEASED = [
    r.revision
    for r in reversed(
        list(ScriptDirectory.from_config(db.alembic_config(sa.create_engine("sqlite://"))).walk_revisions())
    )
][:-1]
RECOMPUTED = {
    "foundation_score": ("assessment_id", "foundation"),
    "end_state_readiness": ("assessment_id", "end_state"),
}


def _rows(engine: Engine, columns: dict[str, list[str]] | None = None) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        names = columns or {t: [c["name"] for c in sa.inspect(conn).get_columns(t)] for t in _tables(conn)}
        found = {}
        for table, cols in names.items():
            keys = RECOMPUTED.get(table)
            chosen = [c for c in cols if keys is None or c in keys]
            quoted = ", ".join(f'"{c}"' for c in chosen)
            rows = conn.execute(sa.text(f'SELECT {quoted} FROM "{table}"')).all()
            found[table] = sorted((tuple(r) for r in rows), key=repr)
        return found


def _tables(conn: sa.Connection) -> list[str]:
    return sorted(t for t in sa.inspect(conn).get_table_names() if t != "alembic_version")


def _schema(engine: Engine) -> dict[str, Any]:
    """Tables, columns (type, nullable, default), keys and indexes, as the database itself reports them."""
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        return {
            table: {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                    for c in inspector.get_columns(table)
                ],
                "primary": inspector.get_pk_constraint(table)["constrained_columns"],
                "foreign": sorted(
                    (tuple(f["constrained_columns"]), f["referred_table"], tuple(f["referred_columns"]))
                    for f in inspector.get_foreign_keys(table)
                ),
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(table)
                ),
                "unique": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)),
            }
            for table in _tables(conn)
        }


@pytest.mark.parametrize("revision", RELEASED)
def test_upgrading_from_a_released_revision_with_data_loses_nothing(
    database_url: str, second_database_url: str, revision: str
) -> None:
    engine = db.make_engine(database_url)
    fresh = db.make_engine(second_database_url)
    try:
        prepare(engine, demo=True)
        command.downgrade(db.alembic_config(engine), revision)
        assert db.current_revision(engine) == revision
        before = _rows(engine)
        assert sum(len(rows) for rows in before.values()) > 0
        with engine.connect() as conn:
            old_columns = {t: [c["name"] for c in sa.inspect(conn).get_columns(t)] for t in _tables(conn)}
        db.upgrade(engine)
        assert _rows(engine, old_columns) == before
        db.upgrade(fresh)
        assert _schema(engine) == _schema(fresh)
    finally:
        engine.dispose()
        fresh.dispose()
