"""Load question banks from YAML and check every cross-reference with a precise location.

Pydantic checks each record on its own; the rules that span records (unique keys,
references, prerequisite cycles, gates) live in `bank_issues` so a consultant who
edits a bank gets every problem at once, each with file, line and YAML path.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from assessment.bank.checks import bank_issues
from assessment.bank.model import (
    Bank,
)
from assessment.core.errors import FoundationsError

DEFAULT_BANK_FILE = "foundations.yaml"


@dataclass(frozen=True)
class BankIssue:
    """One problem in a bank file, located as precisely as the YAML allows."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '(top level)'}: {self.message}"


class BankError(FoundationsError):
    """A bank file could not be loaded; `issues` lists every problem found."""

    def __init__(self, issues: list[BankIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


try:
    from yaml import CSafeLoader as _SafeLoader  # libyaml: ~10x faster
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]  # the same interface, in Python


class _UniqueKeyLoader(_SafeLoader):
    """Safe loader that refuses duplicate mapping keys instead of keeping the last one."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def default_bank_path() -> Path:
    """The shipped bank, found through the installed `questions` package."""
    return Path(str(resources.files("questions").joinpath(DEFAULT_BANK_FILE)))


def format_path(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic/YAML location as `questions[3].options[0].text`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the node at `loc`, or of the deepest ancestor that exists."""
    node, line = root, None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        elif isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        else:
            node = None
    return node.start_mark.line + 1 if node is not None else line


def _key_path(root: yaml.Node, mark: yaml.Mark) -> tuple[int | str, ...]:
    """YAML path of the mapping key starting at `mark` (where a duplicate key was found)."""
    stack: list[tuple[yaml.Node, tuple[int | str, ...]]] = [(root, ())]
    seen: set[int] = set()  # aliases can make the node graph cyclic
    while stack:
        node, loc = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.start_mark.index == mark.index:
                    return (*loc, key.value)
                stack.append((value, (*loc, key.value)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((value, (*loc, i)) for i, value in enumerate(node.value))
    return ()


_UNION_MEMBER = re.compile(r"^list\[\w+\]$")


def _union_member_at(loc: tuple[int | str, ...]) -> int | None:
    return next((i for i, p in enumerate(loc) if isinstance(p, str) and _UNION_MEMBER.match(p)), None)


def _closest_union_member(errors: list[ErrorDetails]) -> list[tuple[tuple[int | str, ...], str]]:
    """Pydantic reports a failed `list[A] | list[B]` once per member, with the member in the path.

    Keep only the member that came closest (fewest errors) and drop its name, so an
    empty option text is one issue at `questions[0].options[2].text`, not seventeen.
    """
    counts: dict[tuple[int | str, ...], dict[str, int]] = {}
    for e in errors:
        if (i := _union_member_at(e["loc"])) is not None:
            member = counts.setdefault(e["loc"][:i], {})
            member[str(e["loc"][i])] = member.get(str(e["loc"][i]), 0) + 1
    kept: list[tuple[tuple[int | str, ...], str]] = []
    for e in errors:
        loc, i = tuple(e["loc"]), _union_member_at(e["loc"])
        if i is None:
            kept.append((loc, e["msg"]))
        elif min(counts[loc[:i]].items(), key=lambda kv: kv[1])[0] == loc[i]:
            kept.append((loc[:i] + loc[i + 1 :], e["msg"]))
    return kept


def parse_bank_text(text: str, file: str) -> Bank:
    """Parse and fully check a bank given as YAML text; raise BankError listing all issues."""
    root: yaml.Node | None = None
    loader = _UniqueKeyLoader(text)
    try:  # parse once: the node tree locates issues, the same tree is built into data
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        path = format_path(_key_path(root, mark)) if root is not None and mark else ""
        raise BankError(
            [BankIssue(file, path, f"not valid YAML: {problem}", mark.line + 1 if mark else None)]
        ) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise BankError([BankIssue(file, "", "a bank must be a YAML mapping", 1)])
    try:
        bank = Bank.model_validate(data)
    except ValidationError as exc:
        issues = [
            BankIssue(file, format_path(loc), msg, _line_of(root, loc))
            for loc, msg in _closest_union_member(exc.errors())
        ]
        raise BankError(issues) from None
    problems = bank_issues(bank)
    if problems:
        raise BankError([BankIssue(file, format_path(loc), msg, _line_of(root, loc)) for loc, msg in problems])
    return bank


def parse_bank_bytes(data: bytes, file: str) -> Bank:
    """Parse and check an uploaded bank file; BankError when it is not UTF-8 text or has any problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BankError([BankIssue(file, "", "file is not UTF-8 text", line)]) from None
    return parse_bank_text(text, file)


def load_bank(path: Path | str | None = None) -> Bank:
    """Load a bank file (the shipped default when no path is given)."""
    path = Path(path) if path else default_bank_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BankError([BankIssue(str(path), "", "file not found")]) from None
    return parse_bank_bytes(data, str(path))


@lru_cache(maxsize=1)
def default_bank() -> Bank:
    """The shipped bank, parsed once per process."""
    return load_bank()


def bank_content_hash(bank: Bank) -> str:
    """Stable hash of a bank's meaning (not its formatting), to detect edits without a new version."""
    canonical = json.dumps(bank.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
