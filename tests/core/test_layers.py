"""The direction of imports: each layer builds only on the layers below it, and no module imports itself back.

The layers, lowest first (docs/ARCHITECTURE.md draws the same picture):

    core <- bank <- scoring <- roadmap <- models <- access <- organisations <- assessments
         <- dora, workshops <- portfolio, interchange, demo <- charts <- reports <- cli, ui <- app

Imports are read with `ast`, so a mention in a comment or a string does not count
and an import inside a function does. Packages on one layer may not import each
other (dora never imports workshops); a package may import its own modules.
The interfaces reach DORA only through `assessment.dora.service` (and `team`).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("assessment", "cli", "reports", "ui")

# Package prefix -> layer rank. The longest matching prefix names a module's package.
LAYERS: dict[str, int] = {
    "assessment": 0,  # the package itself: a docstring only
    "assessment.core": 0,
    "assessment.bank": 1,
    "assessment.scoring": 2,
    "assessment.roadmap": 3,
    "assessment.models": 4,
    "assessment.access": 5,
    "assessment.organisations": 6,
    "assessment.assessments": 7,
    "assessment.dora": 8,
    "assessment.workshops": 8,
    "assessment.migrations": 8,  # 0004 computes the stored scores with the live scorer
    "assessment.portfolio": 9,
    "assessment.interchange": 9,
    "assessment.demo": 9,
    "assessment.judgement": 9,
    "reports.charts": 10,
    "reports": 11,
    "cli": 12,
    "ui": 12,
    "app": 13,
}
FOREIGN_TO_DOMAIN = ("streamlit", "reports", "ui", "cli", "app")
INTERFACES = ("cli", "ui", "app")
# The DORA modules an interface may import: the service facade (it re-exports the data types its functions take
# and return) and a team's DORA data gathered for the report; never `ingest` or `metrics` underneath them.
DORA_FOR_INTERFACES = ("assessment.dora.service", "assessment.dora.team")


def package_of(module: str) -> str | None:
    """The longest layer prefix of a dotted module name, or None for third-party and standard modules."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        head = ".".join(parts[:n])
        if head in LAYERS:
            return head
    return None


def module_name(path: Path) -> str:
    relative = path.relative_to(ROOT).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, fully dotted, wherever the import statement is."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Call) and _is_dynamic_import(node):
            found.add(node.args[0].value)  # type: ignore[attr-defined]
    return found


def _is_dynamic_import(node: ast.Call) -> bool:
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
    return (
        name in ("import_module", "__import__")
        and bool(node.args)
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    )


def source_files() -> list[Path]:
    files = [p for top in SOURCES for p in (ROOT / top).rglob("*.py")]
    return sorted([*files, ROOT / "app.py"])


def known_modules(files: Iterable[Path]) -> set[str]:
    return {module_name(p) for p in files}


def upward_edges(edges: dict[str, set[str]]) -> list[str]:
    """Every import that reaches a higher layer, or a different package on the same layer."""
    wrong = []
    for source, targets in edges.items():
        src_pkg = package_of(source)
        for target in targets:
            dst_pkg = package_of(target)
            if src_pkg is None or dst_pkg is None or src_pkg == dst_pkg:
                continue
            if LAYERS[dst_pkg] > LAYERS[src_pkg] or (
                LAYERS[dst_pkg] == LAYERS[src_pkg] and not dst_pkg.startswith(src_pkg + ".")
            ):
                wrong.append(f"{source} imports {target} ({src_pkg} -> {dst_pkg})")
    return sorted(wrong)


def import_graph(files: Iterable[Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports (a `from pkg import name` counts only if `name` is a module)."""
    files = list(files)
    known = known_modules(files)
    return {module_name(p): {m for m in imports_of(p) if m in known and m != module_name(p)} for p in files}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def without_package_parents(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Drop edges to a module's own parent packages: importing `a.b.c` runs `a/__init__` and `a/b/__init__`."""
    return {src: {dst for dst in targets if not src.startswith(dst + ".")} for src, targets in graph.items()}


def test_every_source_module_has_a_layer() -> None:
    missing = [module_name(p) for p in source_files() if package_of(module_name(p)) is None]
    assert missing == []


def test_no_upward_import() -> None:
    assert upward_edges(import_graph(source_files())) == []


def test_no_import_cycle() -> None:
    assert cycles(without_package_parents(import_graph(source_files()))) == []


@pytest.mark.parametrize(
    "path", sorted((ROOT / "assessment").rglob("*.py")), ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_the_domain_imports_no_interface(path: Path) -> None:
    tops = {name.split(".")[0] for name in imports_of(path)}
    assert not tops & set(FOREIGN_TO_DOMAIN)


def test_the_check_would_catch_an_upward_import(tmp_path: Path) -> None:
    """A scoring module importing the repository, a domain module importing the CLI: both are refused."""
    (tmp_path / "assessment" / "scoring").mkdir(parents=True)
    bad = tmp_path / "assessment" / "scoring" / "engine.py"
    bad.write_text(
        "from assessment.assessments.repository import save_answer\ndef f():\n    import cli.main\n",
        encoding="utf-8",
    )
    edges = {"assessment.scoring.engine": imports_of(bad)}
    assert upward_edges(edges) == [
        "assessment.scoring.engine imports assessment.assessments.repository "
        "(assessment.scoring -> assessment.assessments)",
        "assessment.scoring.engine imports assessment.assessments.repository.save_answer "
        "(assessment.scoring -> assessment.assessments)",
        "assessment.scoring.engine imports cli.main (assessment.scoring -> cli)",
    ]


def test_the_check_would_catch_a_sideways_import() -> None:
    assert upward_edges({"assessment.dora.team": {"assessment.workshops.links"}}) == [
        "assessment.dora.team imports assessment.workshops.links (assessment.dora -> assessment.workshops)"
    ]


def test_the_check_would_catch_a_cycle() -> None:
    graph = {"ui.auth": {"ui.database"}, "ui.database": {"ui.auth"}, "ui.state": {"ui.auth"}}
    assert cycles(graph) == [["ui.auth", "ui.database"]]


def test_the_scan_sees_every_interface() -> None:
    modules = known_modules(source_files())
    assert {
        "assessment.scoring.engine",
        "cli.main",
        "assessment.assessments.repository",
        "ui.auth",
        "app",
        "reports.charts.scores",
    } <= modules


def past_the_dora_service(path: Path) -> list[str]:
    """The DORA modules a file imports other than the ones interfaces may use (the package itself is a docstring)."""
    return sorted(
        name
        for name in imports_of(path)
        if name.startswith("assessment.dora.")
        and not any(name == allowed or name.startswith(allowed + ".") for allowed in DORA_FOR_INTERFACES)
    )


@pytest.mark.parametrize(
    "path",
    [p for p in source_files() if module_name(p).split(".")[0] in INTERFACES],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_interfaces_reach_dora_through_its_service(path: Path) -> None:
    assert past_the_dora_service(path) == []


def test_the_dora_check_would_catch_a_reader(tmp_path: Path) -> None:
    sample = tmp_path / "page.py"
    sample.write_text(
        "from assessment.dora import service\nfrom assessment.dora.service import Kind, team_summary\n"
        "from assessment.dora.team import team_dora\nimport assessment.dora\n"
        "from assessment.dora.metrics.frames import latest_event_s\nfrom assessment.dora import crosscheck\n"
        "def f():\n    import assessment.dora.ingest.store\n",
        encoding="utf-8",
    )
    assert past_the_dora_service(sample) == [
        "assessment.dora.crosscheck",
        "assessment.dora.ingest.store",
        "assessment.dora.metrics.frames",
        "assessment.dora.metrics.frames.latest_event_s",
    ]


def test_the_scan_would_catch_streamlit(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "# streamlit in a comment is fine\nx = 'import streamlit'\n"
        "def page():\n    import streamlit.components.v1 as c\n"
        "from streamlit import session_state\nimportlib.import_module('streamlit')\n",
        encoding="utf-8",
    )
    assert {name.split(".")[0] for name in imports_of(sample)} == {"streamlit"}


@pytest.mark.parametrize(
    "path",
    [p for p in source_files() if p.parts[len(ROOT.parts)] in ("assessment", "reports")],
    ids=lambda p: p.relative_to(ROOT).as_posix(),
)
def test_no_streamlit_in_domain_or_reports(path: Path) -> None:
    assert "streamlit" not in {name.split(".")[0] for name in imports_of(path)}


def test_cli_import_stays_light() -> None:
    """`foundations` starts without the UI or the PDF/chart renderers (they are slow and heavy)."""
    heavy = ("streamlit", "weasyprint", "vl_convert")
    code = f"import json, sys\nimport cli.main\nprint(json.dumps([m for m in {heavy!r} if m in sys.modules]))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
