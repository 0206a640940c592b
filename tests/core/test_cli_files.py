"""Files the user names on the command line: an unwritable path is one line, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main as cli


def test_export_into_a_missing_folder_is_one_line(
    env_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["db", "upgrade"]) == 0
    assert cli.main(["demo"]) == 0
    capsys.readouterr()
    target = tmp_path / "missing" / "x.json"
    assert cli.main(["export", "1", "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"error: {target}: not written: folder {str(target.parent)!r} does not exist"
    assert not target.exists()
