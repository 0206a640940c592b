"""Files the CLI writes: killed half-way, the previous file is still whole; finished, the new one is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from assessment.demo import DEMO_ORG
from tests.support.faults import kill_half_way_through_writing, run_cli

pytestmark = pytest.mark.faults

WRITERS = {
    "assessment export": ("export", "1", "-o"),
    "organisation export": ("export", "--org", DEMO_ORG, "--format", "json", "-o"),
    "organisation csv": ("export", "--org", DEMO_ORG, "--format", "csv", "-o"),
    "report": ("report", "1", "-o"),
    "portfolio report": ("report", "--portfolio", DEMO_ORG, "-o"),
}


@pytest.mark.parametrize("argv", WRITERS.values(), ids=WRITERS.keys())
def test_a_writer_killed_half_way_leaves_the_previous_file_whole(
    demo_engine: Engine, database_url: str, tmp_path: Path, argv: tuple[str, ...]
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "result"
    target.write_bytes(b"the previous file, whole\n")

    kill_half_way_through_writing(database_url, folder, *argv, str(target))

    assert target.read_bytes() == b"the previous file, whole\n"
    done = run_cli(database_url, *argv, str(target))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"wrote {target}\n" or done.stdout.startswith(f"wrote {target} (")
    data = target.read_bytes()
    if argv[0] == "report":
        assert data.startswith(b"%PDF-")
        assert data.rstrip().endswith(b"%%EOF")
    elif "csv" not in argv:
        assert json.loads(data)
    leftovers = sorted(p.name for p in folder.iterdir() if p != target)
    assert len(leftovers) == 1, leftovers  # the killed writer's temporary file: hidden, never the result
    assert leftovers[0].startswith(".result.")
    assert leftovers[0].endswith(".partial")
