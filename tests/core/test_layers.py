"""The direction of imports: the domain and the reports never depend on the UI, the CLI stays light.

Imports are read with `ast`, so a mention of streamlit in a comment or a string does
not count and an `import streamlit as st` inside a function does.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("assessment", "reports")


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a file imports, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and _is_dynamic_import(node):
            found.add(node.args[0].value.split(".")[0])  # type: ignore[attr-defined]
    return found


def _is_dynamic_import(node: ast.Call) -> bool:
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    return (name in ("import_module", "__import__") and bool(node.args)
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))


def layer_files() -> list[Path]:
    return sorted(p for layer in LAYERS if (ROOT / layer).is_dir() for p in (ROOT / layer).rglob("*.py"))


def test_the_scan_sees_the_domain() -> None:
    files = {p.relative_to(ROOT).as_posix() for p in layer_files()}
    assert {"assessment/scoring.py", "assessment/cli.py", "assessment/repository.py"} <= files


def test_the_scan_would_catch_streamlit(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "# streamlit in a comment is fine\nx = 'import streamlit'\n"
        "def page():\n    import streamlit.components.v1 as c\n"
        "from streamlit import session_state\nimportlib.import_module('streamlit')\n",
        encoding="utf-8",
    )
    assert imported_modules(sample) == {"streamlit"}


@pytest.mark.parametrize("path", layer_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_streamlit_in_domain_or_reports(path: Path) -> None:
    assert "streamlit" not in imported_modules(path)


def test_cli_import_stays_light() -> None:
    """`foundations` starts without the UI or the PDF/chart renderers (they are slow and heavy)."""
    heavy = ("streamlit", "weasyprint", "vl_convert")
    code = (
        "import json, sys\nimport assessment.cli\n"
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                            cwd=ROOT, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
