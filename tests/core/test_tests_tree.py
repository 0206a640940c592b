"""The rules of the tests tree: helpers come from tests/support, each fixture name means one thing, and a unit run
does not start Streamlit.

A helper imported from a conftest file or another test module ties suites together
in ways pytest does not show; a fixture defined twice under one name means different
things in different folders; and importing Streamlit in the root conftest doubles the
start-up of every unit run.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
SUPPORT = "tests.support"


def python_files(*folders: Path) -> list[Path]:
    return sorted(path for folder in folders for path in folder.rglob("*.py") if ".venv" not in path.parts)


def imported_modules(tree: ast.AST) -> list[str]:
    """Every module an import statement anywhere in the file names (relative imports as written, with dots)."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append("." * node.level + (node.module or ""))
    return found


def fixture_names(tree: ast.AST) -> list[str]:
    """The names the file defines fixtures under (`name=` when given, else the function's name)."""
    names: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if ast.unparse(target) not in ("pytest.fixture", "fixture"):
                continue
            given = [
                str(k.value.value)
                for k in (decorator.keywords if isinstance(decorator, ast.Call) else [])
                if k.arg == "name" and isinstance(k.value, ast.Constant)
            ]
            names.append(given[0] if given else node.name)
    return names


def test_tests_and_benchmarks_import_helpers_only_from_tests_support() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in python_files(TESTS, ROOT / "benchmarks")
        for module in imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        if module.startswith(".")
        or (module.startswith("tests.") and not module.startswith(SUPPORT))
        or module == "tests"
    ]
    assert not wrong, "import from tests/support instead:\n" + "\n".join(wrong)


def test_the_rule_sees_an_import_from_a_conftest_and_a_relative_one() -> None:
    tree = ast.parse("from tests.app.conftest import open_page\nimport tests.conftest\nfrom .conftest import x\n")
    assert imported_modules(tree) == ["tests.app.conftest", "tests.conftest", ".conftest"]


def test_every_fixture_name_is_defined_once_in_the_tests_tree() -> None:
    where: dict[str, list[str]] = defaultdict(list)
    for path in python_files(TESTS):
        for name in fixture_names(ast.parse(path.read_text(encoding="utf-8"))):
            where[name].append(str(path.relative_to(ROOT)))
    twice = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert not twice, f"one name, one fixture (rename one of each): {twice}"
    assert {"engine", "app_engine", "server"} <= set(where)  # the walk sees conftest and support fixtures


def test_the_rule_reads_fixture_names_as_pytest_does() -> None:
    tree = ast.parse(
        "@pytest.fixture\ndef a(): ...\n"
        "@pytest.fixture(scope='module')\ndef b(): ...\n"
        "@pytest.fixture(name='c')\ndef c_fixture(): ...\n"
        "class T:\n    @pytest.fixture\n    def d(self): ...\n"
        "def not_a_fixture(): ...\n"
    )
    assert fixture_names(tree) == ["a", "b", "c", "d"]


PROBE = """
import sys
import pytest

class Probe:
    def pytest_collection_finish(self, session):
        heavy = sorted({m.split(".")[0] for m in sys.modules} & {"streamlit", "playwright"})
        print("COLLECTED", len(session.items), "HEAVY", ",".join(heavy) or "-")

sys.exit(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", sys.argv[1]], plugins=[Probe()]))
"""


@pytest.mark.parametrize(
    ("suite", "heavy"),
    [("tests/core/test_numbers.py", "-"), ("tests/app/test_smoke.py", "streamlit")],
    ids=["unit", "app"],
)
def test_collecting_a_unit_suite_does_not_import_streamlit(suite: str, heavy: str) -> None:
    """In a fresh interpreter, as a developer's run starts; the app suite shows that the probe does see Streamlit."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, suite], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [line] = [line for line in done.stdout.splitlines() if line.startswith("COLLECTED ")]
    _, collected, _, found = line.split()
    assert int(collected) > 0
    assert found == heavy
