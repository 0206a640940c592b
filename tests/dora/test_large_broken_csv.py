"""Large malformed CSV files through the installed `foundations` command, in a process of its own.

Arrow reads a large file in 8 MB blocks on several threads. Rows with the wrong number of
values were once handed to a Python callback from those threads; when another block
failed (a quote that never closes makes a value straddle two blocks), the read returned
while the callbacks were still queued, and the process hung at exit or aborted with
"terminate called without an active exception" (exit 134). Only a separate process shows
that, so these tests run the console script and check its exit code and every line it
prints.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from assessment.core import db
from tests.support.builders import new_round
from tests.support.dora_hostile import dora_fingerprint

HEADER = "id,service,deployed_at,status,environment,change_ids\n"
ROWS = 600_000  # about 36 MB: five of Arrow's 8 MB blocks
BROKEN_EVERY = 30  # one row in 30 has too few values (one in 90 too many): every block has many
QUOTE_ROW = 300_000  # the opening quote that never closes, in the third block


def _row(i: int) -> str:
    if i % (3 * BROKEN_EVERY) == 1:
        return f"d{i},svc,2024-05-01T10:00:00Z,success,production,c{i},extra\n"
    if i % BROKEN_EVERY == 1:
        return f"d{i},svc\n"
    return f"d{i},svc,2024-05-0{1 + i % 9}T10:00:00Z,success,production,c{i}\n"


def _write(path: Path, quote_row: int | None) -> str:
    with path.open("w") as out:
        out.write(HEADER)
        for i in range(ROWS):
            line = _row(i)
            out.write(line.replace(",svc", ',"svc', 1) if i == quote_row else line)
    return str(path)


@pytest.fixture
def import_target(env_database: str) -> Engine:
    """Org with team Team (a round, no DORA data): where the large files are imported."""
    engine = db.get_engine()
    db.upgrade(engine)
    new_round(engine, org="Org", team="Team")
    return engine


def _import(path: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "foundations"
    return subprocess.run(
        [str(script), "dora", "import", "--org", "Org", "--team", "Team", "--deployments", path],
        capture_output=True,
        text=True,
        timeout=120,  # it once hung at exit (seconds here): a timeout fails the test, not the run
        env=dict(os.environ),
        check=False,
    )


def test_an_unclosed_quote_in_a_large_file_with_broken_rows_is_located(import_target: Engine, tmp_path: Path) -> None:
    path = _write(tmp_path / "deployments.csv", QUOTE_ROW)
    before = dora_fingerprint(import_target)
    done = _import(path)
    line = QUOTE_ROW + 2  # the header is line 1, row 0 is line 2
    assert (done.returncode, done.stdout) == (1, ""), (done.returncode, done.stderr[-2000:])
    assert done.stderr.splitlines() == [
        f"error: {path}, line {line}: a quoted value starts in this row and runs on for more than 128 KB, over "
        "many lines: its closing quote is probably missing; add it where the value should end, or remove the "
        "opening one",
        "error: nothing was imported",
    ]
    assert dora_fingerprint(import_target) == before


def test_rows_with_too_many_and_too_few_values_in_every_block_are_located(
    import_target: Engine, tmp_path: Path
) -> None:
    path = _write(tmp_path / "deployments.csv", None)
    before = dora_fingerprint(import_target)
    done = _import(path)
    assert (done.returncode, done.stdout) == (1, ""), (done.returncode, done.stderr[-2000:])
    broken = sum(1 for i in range(ROWS) if i % BROKEN_EVERY == 1)
    lines = done.stderr.splitlines()
    assert lines[:4] == [
        f"error: {path}, line 3: expected 6 values, found 7 "
        "(value 'd1,svc,2024-05-01T10:00:00Z,success,production,c1,extra')",
        f"error: {path}, line 33: expected 6 values, found 2 (value 'd31,svc')",
        f"error: {path}, line 63: expected 6 values, found 2 (value 'd61,svc')",
        f"error: {path}, line 93: expected 6 values, found 7 "
        "(value 'd91,svc,2024-05-01T10:00:00Z,success,production,c91,extra')",
    ]
    assert lines[-2:] == [
        f"error: ... and {broken - 50} more",  # the command prints the first 50
        "error: nothing was imported (add --skip-invalid to import the other rows)",
    ]
    assert dora_fingerprint(import_target) == before
