"""The `foundations` command line run in-process, exactly as the console script runs it, with its output.

Every call goes through `cli.main.main`; a traceback, or the catch-all's "unexpected"
message, anywhere in the output fails the test: either means an unhandled bug path.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cli import main as cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """One CLI call: (exit code, stdout, stderr)."""
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    assert "Traceback" not in out, out
    assert "unexpected" not in err, err
    return code, out, err


def run_ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """A call that must succeed quietly: exit 0, nothing on stderr; returns stdout."""
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, ""), err
    return out


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    """A successful call's stdout, read as JSON."""
    return json.loads(run_ok(capsys, *argv))


def fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """A refused call: exit 1, nothing on stdout, exactly one line on stderr; returns that line."""
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, ""), (code, out, err)
    assert err.startswith("error: "), err
    assert len(err.splitlines()) == 1, err
    return err
