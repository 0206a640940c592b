"""Faults an operator meets, made real: a process killed with SIGKILL half-way, run as the console script runs.

No mocks: the CLI runs in a subprocess on the test database; the only thing
added is a pause at a chosen point (tests/support/paused_writer.py), so the kill
lands half-way every time instead of by luck.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from tests.support.paused_import import PAUSE_AT
from tests.support.paused_import import PAUSED as IMPORT_PAUSED
from tests.support.paused_upgrade import PAUSED as UPGRADE_PAUSED
from tests.support.paused_writer import PAUSED

ROOT = Path(__file__).resolve().parents[2]


def cli_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a CLI subprocess on `database_url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOUNDATIONS_")}
    env.update(FOUNDATIONS_DATABASE_URL=database_url, PYTHONPATH=str(ROOT), **extra)
    return env


def run_cli(database_url: str, *argv: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """`foundations ARGV` in a subprocess; its exit code and output."""
    return subprocess.run(
        [sys.executable, "-m", "cli.main", *argv],
        env=cli_env(database_url, **extra),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


def kill_half_way_through_writing(database_url: str, folder: Path, *argv: str) -> None:
    """Run `foundations ARGV`, wait until it has written half of its first write into `folder`, then kill -9 it."""
    kill_when_paused(database_url, PAUSED, "tests.support.paused_writer", str(folder), *argv)


def kill_between_migrations(database_url: str, *argv: str) -> None:
    """Run `foundations db upgrade ARGV`, wait until its first migration step is done, then kill -9 it."""
    kill_when_paused(database_url, UPGRADE_PAUSED, "tests.support.paused_upgrade", *argv)


def kill_half_way_through_importing(database_url: str, *argv: str, at: str = "writing") -> None:
    """Run `foundations dora import ARGV`, wait until its progress says `at` ("writing": rows written, not yet
    committed; "preparing": SQLite staging them before the write lock), then kill -9 it."""
    kill_when_paused(database_url, IMPORT_PAUSED, "tests.support.paused_import", *argv, **{PAUSE_AT: at})


def kill_while_saving(database_url: str, prefix: str, confirmed: int) -> list[str]:
    """Let tests/support/saver.py save until it has confirmed `confirmed` saves, kill -9 it; every name it confirmed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.saver", prefix],
        env=cli_env(database_url),
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    names: list[str] = []
    try:
        while len(names) < confirmed:
            line = process.stdout.readline()
            assert line, f"the saver stopped after {names}"
            names.append(line.strip())
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        names += [line.strip() for line in process.stdout if line.strip()]  # confirmed before the kill landed
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    return names


def kill_when_paused(database_url: str, paused: str, module: str, *argv: str, **env: str) -> None:
    """Run `python -m MODULE ARGV` on `database_url`; when it says `paused` on standard error, kill -9 it."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, *argv],
        env=cli_env(database_url, **env),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert process.stderr is not None
    try:
        line = process.stderr.readline().strip()
        assert line == paused, f"it never paused: {line!r} {process.stderr.read()}"
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()


def impatient(url: str) -> dict[str, str]:
    """Environment that makes the app or CLI on `url` wait 0.3 s for a lock instead of 15 s (SQLite) or forever."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return {"FOUNDATIONS_DATABASE_URL": url, "FOUNDATIONS_SQLITE_BUSY_TIMEOUT_MS": "300"}
    options = f"{parsed.query.get('options', '')} -clock_timeout=300".strip()
    return {
        "FOUNDATIONS_DATABASE_URL": parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)
    }


@contextmanager
def write_lock_held(url: str) -> Iterator[None]:
    """Another writer holding the lock answers are saved under: SQLite's write lock, PostgreSQL's table lock."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        holder = sqlite3.connect(parsed.database or "", isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            yield
        finally:
            holder.close()
        return
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("LOCK TABLE answer IN EXCLUSIVE MODE")
            yield
    finally:
        engine.dispose()


BUSY = {
    "sqlite": "the database is busy with another write (an import or another save) that did not finish in time; "
    "try again in a moment",
    "postgresql": "the database was busy with another change to the same records; try again in a moment",
}
