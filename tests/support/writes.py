"""Which domain functions write to the database, found by reading the code (`ast`), not by a list kept by hand.

A function writes when its body adds, deletes or merges through a `session`, builds an
INSERT, UPDATE or DELETE (`sa.insert(...)`, `postgresql.insert(...)`, an `insert` imported
from SQLAlchemy), assigns to an attribute of a parameter annotated with a table class (the
caller's transaction stores it), or calls a function of `assessment/` that writes. Writing
an audit row (`record_event`, which every refusal calls, or `record_done` and `record_done_in`, which
a change calls in its own transaction) does not count on its own: it records a check or a change.
tests/access/test_every_write.py asks each public one found here to refuse a viewer.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SESSION_WRITES = frozenset({"add", "add_all", "delete", "merge"})
STATEMENTS = frozenset({"insert", "update", "delete"})
STATEMENT_MODULES = frozenset({"sa", "sqlalchemy", "postgresql", "sqlite"})
NOT_WRITES = frozenset(
    {
        "assessment.access.policy.record_event",
        "assessment.access.policy.record_done",
        "assessment.access.policy.record_done_in",
    }
)


def domain_sources() -> dict[str, str]:
    """Module name -> source of every module in assessment/ but the migrations (they run once, as `db upgrade`)."""
    found = {}
    for path in sorted((ROOT / "assessment").rglob("*.py")):
        if "migrations" not in path.parts:
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[module] = path.read_text(encoding="utf-8")
    return found


def _imports(tree: ast.Module) -> tuple[dict[str, str], set[str], set[str]]:
    """Names imported from assessment modules (-> their full name), statement builders and table classes."""
    names: dict[str, str] = {}
    builders: set[str] = set()
    tables: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                local = alias.asname or alias.name
                if node.module.startswith("assessment"):
                    names[local] = f"{node.module}.{alias.name}"
                if node.module.startswith("assessment.models"):
                    tables.add(local)
                if node.module.startswith("sqlalchemy") and alias.name in STATEMENTS:
                    builders.add(local)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("assessment"):
                    names[alias.asname or alias.name] = alias.name
    return names, builders, tables


def _direct_write(function: ast.FunctionDef, builders: set[str], tables: set[str]) -> bool:
    annotated = {a.arg for a in function.args.args + function.args.kwonlyargs if _names_table(a.annotation, tables)}
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in builders:
            return True
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner, attribute = node.value.id, node.attr
            if (owner == "session" and attribute in SESSION_WRITES) or (
                owner in STATEMENT_MODULES and attribute in STATEMENTS
            ):
                return True
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if (
                        isinstance(part, ast.Attribute)
                        and isinstance(part.value, ast.Name)
                        and part.value.id in annotated
                    ):
                        return True
    return False


def _names_table(annotation: ast.expr | None, tables: set[str]) -> bool:
    return annotation is not None and any(isinstance(n, ast.Name) and n.id in tables for n in ast.walk(annotation))


def _calls(module: str, function: ast.FunctionDef, names: dict[str, str]) -> set[str]:
    called: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                called.add(names.get(f.id, f"{module}.{f.id}"))
            elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in names:
                called.add(f"{names[f.value.id]}.{f.attr}")
    return called


def write_functions(sources: Mapping[str, str]) -> set[str]:
    """The full names of the public module-level functions that write, directly or through another that does."""
    functions: dict[str, ast.FunctionDef] = {}
    direct: set[str] = set()
    calls: dict[str, set[str]] = {}
    for module, source in sources.items():
        tree = ast.parse(source)
        names, builders, tables = _imports(tree)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                name = f"{module}.{node.name}"
                functions[name] = node
                calls[name] = _calls(module, node, names)
                if _direct_write(node, builders, tables):
                    direct.add(name)
    writes = direct - NOT_WRITES
    grown = True
    while grown:
        more = {name for name, called in calls.items() if name not in writes and called & writes}
        writes |= more
        grown = bool(more)
    return {name for name in writes if not name.rsplit(".", 1)[1].startswith("_")}
