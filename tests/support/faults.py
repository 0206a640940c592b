"""Faults an operator meets, made real: a process killed with SIGKILL half-way, run as the console script runs.

No mocks: the CLI runs in a subprocess on the test database; the only thing
added is a pause at a chosen point (tests/support/paused_writer.py), so the kill
lands half-way every time instead of by luck.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

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
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.paused_writer", str(folder), *argv],
        env=cli_env(database_url),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    assert process.stderr is not None
    try:
        line = process.stderr.readline().strip()
        assert line == PAUSED, f"the writer never paused half-way: {line!r} {process.stderr.read()}"
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
