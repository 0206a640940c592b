"""The command line's database failures: one line naming the cause and the fix, exit 1, never 'unexpected'."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.demo import DEMO_ORG
from tests.support.database import row_counts
from tests.support.faults import BUSY, impatient, run_cli, write_lock_held

pytestmark = pytest.mark.faults


def test_a_busy_database_is_one_line_saying_try_again(demo_engine: Engine, database_url: str, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("fi_instance_kill: 3\n")
    env = impatient(database_url)
    before = row_counts(demo_engine)
    with write_lock_held(database_url):
        done = run_cli(
            env.pop("FOUNDATIONS_DATABASE_URL"),
            *("assessment", "create", "--team", "Payments", "--org", DEMO_ORG, "--answers", str(answers)),
            **env,
        )
    assert (done.stdout, done.returncode) == ("", 1)
    assert done.stderr == f"error: Nothing was saved: {BUSY[demo_engine.dialect.name]}\n"
    assert row_counts(demo_engine) == before


def test_db_upgrade_on_a_newer_schema_says_upgrade_foundations(engine: Engine, database_url: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    done = run_cli(database_url, "db", "upgrade")
    assert (done.stdout, done.returncode) == ("", 1)
    assert done.stderr == (
        "error: the database schema (9999_from_the_future) is newer than this version of Foundations knows: "
        "upgrade Foundations (nothing was changed)\n"
    )
    assert db.current_revision(engine) == "9999_from_the_future"
