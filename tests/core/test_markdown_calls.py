"""No user or domain text reaches a Streamlit element that renders Markdown without `ui.text` escaping it.

Streamlit renders Markdown in bodies (markdown, caption, title, error, toast, ...),
in every widget label and `help`, in the options of radios, segmented controls and
pills, and in `st.table`'s cells (measured in Chromium: a `![x](http://...)` there
loads the image). It shows selectbox and multiselect options, dataframe cells and
code blocks as plain text, where escaping would show the backslashes.

This test reads every call in `ui/` and `app.py` with `ast`. A text argument passes
when it is a literal, a constant (UPPER_CASE), a call of an escaping function, a
number formatted as one (`{n:d}`, `{x:.0f}`), or an f-string, `+`, `if`-`else` or
`join` built only of those. Anything else (a name, an attribute such as
`question.short`, `str(exc)`) is a finding, listed by file and line. The second
test shows that each kind of leak is caught.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ESCAPES = frozenset({"plain", "sentence", "question_sentence", "text_table", "local_time", "plural", "share"})
"""Functions whose result is safe as Markdown: `ui.text`'s escapes, and formatters of numbers and times."""
MAKERS = frozenset({"progress_text", "option_label", "flag_label", "foundation_label"})
"""The ui's own functions that return Markdown: safe to pass on, because every value they return is checked too."""

BODIES = frozenset(
    {
        "markdown", "caption", "title", "header", "subheader", "info", "success", "warning", "error",
        "toast", "exception", "expander", "popover", "status", "spinner",
    }
)  # fmt: skip
WIDGETS = frozenset(
    {
        "button", "download_button", "link_button", "page_link", "form_submit_button", "checkbox", "toggle",
        "radio", "selectbox", "multiselect", "text_input", "text_area", "number_input", "date_input",
        "time_input", "file_uploader", "slider", "select_slider", "segmented_control", "pills", "color_picker",
        "metric", "progress", "tabs",
    }
)  # fmt: skip
MARKDOWN_OPTIONS = frozenset({"radio", "segmented_control", "pills", "select_slider"})
"""Widgets whose options (their `format_func`'s results) render as Markdown; selectbox options do not."""
TEXT_KEYWORDS = frozenset({"body", "label", "help", "text", "caption"})
NOT_STREAMLIT = frozenset({"log", "logger", "logging", "warnings", "parser", "session", "str", "self"})
NUMERIC_SPECS = ("d", "f", "%", "e", "g", "n")


Scope = dict[str, list[ast.expr | None]]
"""What each name in a function (or the module) is assigned; None for a parameter or a loop variable."""


def scopes(tree: ast.AST) -> dict[ast.AST, Scope]:
    """Per function and for the module: the values assigned to each local name."""
    found: dict[ast.AST, Scope] = {}
    for owner in [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.Lambda))]:
        scope: Scope = {}
        if isinstance(owner, ast.FunctionDef | ast.Lambda):
            for arg in [*owner.args.posonlyargs, *owner.args.args, *owner.args.kwonlyargs]:
                scope.setdefault(arg.arg, []).append(None)
        body: list[ast.AST] = [owner.body] if isinstance(owner, ast.Lambda) else list(getattr(owner, "body", []))
        for statement in body:
            for node in ast.walk(statement):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    scope.setdefault(node.targets[0].id, []).append(node.value)
                elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
                    scope.setdefault(node.target.id, []).append(node.value)
                elif isinstance(node, ast.For | ast.comprehension | ast.With | ast.NamedExpr | ast.Assign):
                    targets = (
                        [node.target]
                        if isinstance(node, ast.For | ast.comprehension | ast.NamedExpr)
                        else node.targets
                        if isinstance(node, ast.Assign)
                        else [i.optional_vars for i in node.items if i.optional_vars is not None]
                    )
                    for target in targets:
                        for name in ast.walk(target):
                            if isinstance(name, ast.Name):
                                scope.setdefault(name.id, []).append(None)
        found[owner] = scope
    return found


_SCOPE: list[Scope] = [{}]  # the scopes of the call being checked, innermost first (set by `findings`)


def safe(node: ast.expr | None, seen: frozenset[str] = frozenset()) -> bool:
    """Whether the expression's value is certainly safe to render as Markdown (see the module docstring)."""
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str | int | float | bool) or node.value is None
    if isinstance(node, ast.Name):
        if node.id.isupper():
            return True
        for scope in _SCOPE:
            if node.id in scope and node.id not in seen:
                return all(safe(v, seen | {node.id}) for v in scope[node.id])
        return False
    if isinstance(node, ast.Attribute):
        return node.attr.isupper()
    if isinstance(node, ast.JoinedStr):
        return all(safe(v, seen) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        spec = ast.unparse(node.format_spec) if node.format_spec is not None else ""
        return safe(node.value, seen) or spec.rstrip("'\"").endswith(NUMERIC_SPECS) or "%" in spec
    if isinstance(node, ast.BinOp):
        return safe(node.left, seen) and safe(node.right, seen)
    if isinstance(node, ast.IfExp):
        return safe(node.body, seen) and safe(node.orelse, seen)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in ESCAPES | MAKERS:
            return True
        if name in ("len", "int", "round", "float", "abs", "sum", "min", "max"):
            return True
        if name == "join" and isinstance(func, ast.Attribute):
            return safe(func.value, seen) and all(safe(a, seen) for a in node.args)
        return False
    if isinstance(node, ast.Subscript):  # an item or slice of something safe (a list of escaped lines)
        return safe(node.value, seen)
    if isinstance(node, ast.GeneratorExp | ast.ListComp):
        return safe(node.elt, seen)
    if isinstance(node, ast.List | ast.Tuple):
        return all(safe(e, seen) for e in node.elts)
    return False


def safe_function(node: ast.expr) -> bool:
    """A `format_func` whose labels are safe: a lambda with a safe body, or an escaping function itself."""
    if isinstance(node, ast.Lambda):
        return safe(node.body)
    if isinstance(node, ast.Name | ast.Attribute):
        return (node.id if isinstance(node, ast.Name) else node.attr) in ESCAPES | MAKERS
    return False


def streamlit_call(node: ast.Call) -> str | None:
    """The Streamlit method a call names (`st.error`, `people.table`, `bar.caption`), or None."""
    func = node.func
    if not isinstance(func, ast.Attribute) or not (node.args or node.keywords):
        return None
    receiver = func.value
    if isinstance(receiver, ast.Name) and receiver.id in NOT_STREAMLIT:
        return None
    if func.attr in BODIES | WIDGETS | {"table"}:
        return func.attr
    return None


def enclosing(tree: ast.AST) -> dict[ast.AST, list[ast.AST]]:
    """For every node: the functions around it, innermost first, then the module."""
    around: dict[ast.AST, list[ast.AST]] = {}

    def visit(node: ast.AST, owners: list[ast.AST]) -> None:
        around[node] = owners
        inner = [node, *owners] if isinstance(node, ast.FunctionDef | ast.Lambda) else owners
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(tree, [tree])
    return around


def streamlit_value(node: ast.Attribute, around: dict[ast.AST, list[ast.AST]]) -> bool:
    """`st.error` used as a value (`show = st.error`), where this check could not see what it is given."""
    return (
        isinstance(node.value, ast.Name)
        and node.value.id == "st"
        and node.attr in BODIES | WIDGETS | {"table"}
        and not any(isinstance(p, ast.Call) and p.func is node for p in _parents(node, around))
    )


def _parents(node: ast.AST, around: dict[ast.AST, list[ast.AST]]) -> list[ast.AST]:
    return [p for p in ast.walk(around[node][0]) if node in list(ast.iter_child_nodes(p))]


def findings(source: str, path: str = "<test>") -> Iterator[str]:
    """Every unescaped text argument given to a Markdown-rendering element in `source`."""
    tree = ast.parse(source)
    names, around, lines = scopes(tree), enclosing(tree), source.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and streamlit_value(node, around):
            yield f"{path}:{node.lineno}: st.{node.attr} passed around: call it by name with its text"
            continue
        if isinstance(node, ast.FunctionDef) and node.name in MAKERS:
            _SCOPE[:] = [names[owner] for owner in [node, *around[node]]]
            for ret in ast.walk(node):
                if isinstance(ret, ast.Return) and not safe(ret.value):
                    said = ast.unparse(ret.value or ast.Constant(None))[:60]
                    yield f"{path}:{ret.lineno}: {node.name} returns {said}"
            continue
        if not isinstance(node, ast.Call):
            continue
        _SCOPE[:] = [names[owner] for owner in around[node]]
        if any("# escaped:" in line for line in lines[node.lineno - 1 : node.end_lineno]):
            continue  # the text was escaped where it was stored; the comment says where
        if isinstance(node.func, ast.IfExp | ast.BoolOp):  # (st.success if ok else st.error)(text): unreadable
            yield f"{path}:{node.lineno}: call the element by name, not through an expression"
            continue
        name = streamlit_call(node)
        if name is None:
            continue
        where = f"{path}:{node.lineno}: {name}"
        if name == "table":
            if not (node.args and safe(node.args[0])):
                yield f"{where}: cells must come from ui.text.text_table"
            continue
        texts = list(node.args[: 3 if name == "metric" else 1])
        if name == "tabs" and node.args and isinstance(node.args[0], ast.List | ast.Tuple):
            texts = list(node.args[0].elts)
        texts += [
            k.value
            for k in node.keywords
            if k.arg in TEXT_KEYWORDS | ({"value", "delta"} if name == "metric" else set())
        ]
        for text in texts:
            if not safe(text):
                yield f"{where}: {ast.unparse(text)[:70]}"
        for keyword in node.keywords:
            if keyword.arg == "format_func" and name in MARKDOWN_OPTIONS and not safe_function(keyword.value):
                yield f"{where}: format_func={ast.unparse(keyword.value)[:60]}"


def application_files() -> list[Path]:
    return [ROOT / "app.py", *sorted((ROOT / "ui").rglob("*.py"))]


def test_no_unescaped_text_reaches_markdown() -> None:
    found = [
        finding
        for path in application_files()
        for finding in findings(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert not found, "text shown as Markdown without ui.text escaping:\n" + "\n".join(found)


def test_the_check_catches_each_kind_of_leak() -> None:
    leaks = [
        "st.error(str(exc))",
        "st.caption(f'Signed in as {who.email}')",
        "bar.caption('Signed in as ' + who.email)",
        "st.toast(f'Saved: {question.short}')",
        "st.radio('Team', ids, format_func=lambda i: names[i])",
        "st.segmented_control('Team', ids, format_func=names.__getitem__)",
        "people.table(rows)",
        "st.button(label)",
        "st.text_input('Name', help=note)",
        "st.metric('Score', f'{value}')",
        "names = {1: team.name}\nst.radio('Team', [1], format_func=lambda i: names[i])",
        "(st.success if ok else st.error)(message)",
        "show = {'error': st.error}.get(kind, st.info)",
        "def progress_text(n):\n    return f'{n.title} done'",
    ]
    for leak in leaks:
        assert list(findings(leak)), leak
    fine = [
        "st.error(sentence(str(exc)))",
        "st.caption(f'Signed in as {plain(who.email)}')",
        "st.toast(f'{len(done)} saved, {total:d} in all, {share:.0%}')",
        "st.radio('Team', ids, format_func=lambda i: plain(names[i]))",
        "st.selectbox('Team', ids, format_func=names.__getitem__)",
        "people.table(text_table(rows))",
        "st.error(INVALID_LINK)",
        "log.error(message)",
    ]
    for ok in fine:
        assert not list(findings(ok)), ok
