"""A full disk and a read-only database: one sentence naming the cause and the fix, nothing half-written.

The full disk is a real one where a 4 MiB tmpfs can be mounted (root): it holds the
database, filled to the brim. Everywhere, also without a mount, the same save runs
under a file-size limit (RLIMIT_FSIZE) its log cannot grow past, and so does the
file case. The
read-only SQLite file is on a file system remounted read-only where mounting is
allowed, and everywhere a file and folder without write permission (root runs the
command without CAP_DAC_OVERRIDE, which would let it write anyway). The read-only PostgreSQL server is a
session that may only read, as on a standby.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.demo import DEMO_ORG
from tests.support.database import SqliteTemplates, row_counts
from tests.support.faults import ROOT, cli_env, run_cli

pytestmark = pytest.mark.faults

ANSWERS = "fi_instance_kill: 3\nfi_timeouts: 2\nrb_last_rollback_minutes: 12\n"


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB file system of this test's own (a tmpfs), or a skip where mounting is not allowed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """Fill `disk` until only about `leave` bytes are free; returns the filler, to delete for room."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        free = shutil.disk_usage(disk).free - leave
        out.write(b"\0" * max(free, 0))
    return filler


def test_a_full_disk_refuses_the_save_says_free_space_and_keeps_every_row(
    full_disk: Path, sqlite_templates: SqliteTemplates, tmp_path: Path
) -> None:
    database = full_disk / "foundations.db"
    shutil.copy(sqlite_templates.path(demo=True), database)
    url = f"sqlite:///{database}"
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS)
    engine = sa.create_engine(url)
    before = row_counts(engine)
    engine.dispose()
    filler = _fill(full_disk, leave=40 * 1024)  # room to open the database (its -shm), not to save a round
    create = ("assessment", "create", "--team", "Payments", "--org", DEMO_ORG, "--answers", str(answers))
    done = run_cli(url, *create)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"error: Nothing was saved: the disk holding {database} is full; free disk space (or ask the administrator), "
        "then try again\n"
    )
    engine = sa.create_engine(url)
    assert row_counts(engine) == before
    engine.dispose()
    filler.unlink()
    assert run_cli(url, *create).returncode == 0  # with room again, the same command saves


def test_a_database_that_cannot_grow_refuses_the_save_without_a_mount(
    sqlite_templates: SqliteTemplates, tmp_path: Path
) -> None:
    """Where no tmpfs can be mounted: the same save under a file-size limit (RLIMIT_FSIZE) that the log cannot pass."""
    database = tmp_path / "foundations.db"
    shutil.copy(sqlite_templates.path(demo=True), database)
    url = f"sqlite:///{database}"
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS)
    engine = sa.create_engine(url)
    before = row_counts(engine)
    engine.dispose()
    limit = 33 * 1024 + 500  # room for the shared-memory index (32 KiB), not for the save's pages in the log

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    create = ("assessment", "create", "--team", "Payments", "--org", DEMO_ORG, "--answers", str(answers))
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", *create],
        env=cli_env(url),
        capture_output=True,
        text=True,
        cwd=ROOT,
        preexec_fn=small_files,
        timeout=300,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        f"error: Nothing was saved: {database} cannot grow past this process's file size limit ({limit:,} bytes); "
        "raise the limit (ulimit -f, LimitFSIZE in a systemd unit) or ask the administrator, then try again\n"
    )
    engine = sa.create_engine(url)
    assert row_counts(engine) == before
    engine.dispose()
    assert run_cli(url, *create).returncode == 0  # without the limit, the same command saves


def test_an_export_to_a_full_disk_leaves_the_previous_file_and_says_so(
    demo_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "export.json"
    target.write_text("the previous export\n")
    limit = 64 * 1024  # a file-size limit on the writer stands in for a full disk: the same refusal (EFBIG)

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "export", "--org", DEMO_ORG, "--format", "json", "-o", str(target)],
        env=cli_env(database_url),
        capture_output=True,
        text=True,
        cwd=ROOT,
        preexec_fn=small_files,
        timeout=300,
    )
    assert (done.returncode, done.stdout) == (1, "")
    full = "the disk is full (the previous file is unchanged); free disk space and try again"
    assert done.stderr == f"error: {target}: not written: {full}\n"
    assert target.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_a_read_only_database_says_ask_the_administrator_not_db_upgrade(
    demo_engine: Engine, database_url: str, sqlite_templates: SqliteTemplates, full_disk: Path
) -> None:
    if demo_engine.dialect.name == "sqlite":  # a file system mounted read-only: even root cannot write to it
        database = full_disk / "foundations.db"
        shutil.copy(sqlite_templates.path(demo=True), database)
        subprocess.run(["mount", "-o", "remount,ro", str(full_disk)], check=True)
        done = run_cli(f"sqlite:///{database}", "demo")
        expected = (
            f"error: Foundations cannot use the database: the database file {database} is read-only; "
            "ask the administrator to make it and its folder writable\n"
        )
    else:  # a session that may only read, as on a standby
        parsed = sa.make_url(database_url)
        options = f"{parsed.query.get('options', '')} -cdefault_transaction_read_only=on".strip()
        url = parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)
        done = run_cli(url, "round", "new", "--team", "Payments", "--org", DEMO_ORG)
        expected = (
            f"error: Nothing was saved: the database server at {parsed.host}:{parsed.port or 5432} accepts only "
            "reads; ask the administrator to point Foundations at the primary\n"
        )
    assert (done.stdout, done.stderr, done.returncode) == ("", expected, 1)


def _without_override(argv: list[str]) -> list[str]:
    """`argv` run without root's power to write to read-only files (setpriv drops it); unchanged for anyone else."""
    if os.getuid() != 0:
        return argv
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", *argv]


def test_a_read_only_database_file_without_a_mount(sqlite_templates: SqliteTemplates) -> None:
    folder = Path(tempfile.mkdtemp(prefix="foundations-read-only-"))
    database = folder / "foundations.db"
    shutil.copy(sqlite_templates.path(demo=True), database)
    database.chmod(0o444)
    folder.chmod(0o555)
    try:
        done = subprocess.run(
            _without_override([sys.executable, "-m", "cli.main", "demo"]),
            env=cli_env(f"sqlite:///{database}"),
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)
    expected = (
        f"error: Foundations cannot use the database: the database file {database} is read-only; "
        "ask the administrator to make it and its folder writable\n"
    )
    assert (done.stdout, done.stderr, done.returncode) == ("", expected, 1)
