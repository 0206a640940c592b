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

from assessment.bank.model import (
    CONTEXT,
    MAX_LEVEL,
    AnswerType,
    Bank,
    ChoiceOption,
    Condition,
    LevelOption,
    Question,
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


def load_bank(path: Path | str | None = None) -> Bank:
    """Load a bank file (the shipped default when no path is given)."""
    path = Path(path) if path else default_bank_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BankError([BankIssue(str(path), "", "file not found")]) from None
    except UnicodeDecodeError:
        raise BankError([BankIssue(str(path), "", "file is not UTF-8 text")]) from None
    return parse_bank_text(text, str(path))


@lru_cache(maxsize=1)
def default_bank() -> Bank:
    """The shipped bank, parsed once per process."""
    return load_bank()


def bank_content_hash(bank: Bank) -> str:
    """Stable hash of a bank's meaning (not its formatting), to detect edits without a new version."""
    canonical = json.dumps(bank.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


Loc = tuple[int | str, ...]


def bank_issues(bank: Bank) -> list[tuple[Loc, str]]:
    """Every cross-record rule of a bank, as (location, message) pairs."""
    return [
        *_duplicate_keys(bank),
        *_reference_issues(bank),
        *_question_issues(bank),
        *_cycle_issues(bank),
        *_end_state_issues(bank),
        *_method_issues(bank),
    ]


def _duplicate_keys(bank: Bank) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    for section in ("foundations", "questions", "investments", "end_states"):
        first: dict[str, int] = {}
        for i, item in enumerate(getattr(bank, section)):
            if item.key in first:
                found.append(
                    (
                        (section, i, "key"),
                        f"duplicate key {item.key!r} (first at {section}[{first[item.key]}])",
                    )
                )
            else:
                first[item.key] = i
    return found


def _reference_issues(bank: Bank) -> list[tuple[Loc, str]]:
    foundations = {f.key for f in bank.foundations}
    investments = {i.key for i in bank.investments}
    found: list[tuple[Loc, str]] = []
    for i, q in enumerate(bank.questions):
        if q.foundation not in foundations and q.foundation != CONTEXT:
            found.append((("questions", i, "foundation"), f"unknown foundation {q.foundation!r}"))
        for j, t in enumerate(q.triggers):
            if t not in investments:
                found.append((("questions", i, "triggers", j), f"unknown investment {t!r}"))
    for i, inv in enumerate(bank.investments):
        if inv.foundation not in foundations:
            found.append((("investments", i, "foundation"), f"unknown foundation {inv.foundation!r}"))
        for j, p in enumerate(inv.prerequisites):
            if p not in investments:
                found.append((("investments", i, "prerequisites", j), f"unknown prerequisite {p!r}"))
    return found


def _question_issues(bank: Bank) -> list[tuple[Loc, str]]:
    found: list[tuple[Loc, str]] = []
    for i, q in enumerate(bank.questions):
        found += [(("questions", i, *loc), msg) for loc, msg in _one_question_issues(q)]
    gates: dict[str, int] = {}
    for q in bank.questions:
        gates[q.foundation] = gates.get(q.foundation, 0) + int(q.gate)
    for i, f in enumerate(bank.foundations):
        if f.measured and gates.get(f.key, 0):
            found.append((("foundations", i, "gate"), "a foundation with measured gate checks has no gate question"))
        elif not f.measured and gates.get(f.key, 0) != 1:
            found.append((("foundations", i, "key"), f"needs exactly one gate question (has {gates.get(f.key, 0)})"))
        if not bank.questions_for(f.key):
            found.append((("foundations", i, "key"), "has no questions"))
    return found


def _one_question_issues(q: Question) -> list[tuple[Loc, str]]:
    """Rules that depend on the answer type: the right spec present, and only that one."""
    found: list[tuple[Loc, str]] = []
    expects = {
        AnswerType.LEVEL: "options",
        AnswerType.CHOICE: "options",
        AnswerType.YES_NO: "good_answer",
        AnswerType.NUMBER: "number",
    }[q.type]
    for field in ("options", "good_answer", "number"):
        present = getattr(q, field) is not None
        if field == expects and not present and (q.scored or field != "good_answer"):
            found.append(((field,), f"required for a {q.type.value} question"))
        elif field != expects and present:
            found.append(((field,), f"not allowed for a {q.type.value} question"))
    if q.type is AnswerType.LEVEL and q.options is not None:
        found += _level_option_issues(q.options)
    if q.type is AnswerType.CHOICE and q.options is not None:
        found += _choice_option_issues(q.options)
    if q.type is AnswerType.NUMBER and q.number is not None and q.scored:
        found += _band_issues(q)
        if not q.number.bands:
            found.append((("number", "bands"), "a scored number question needs at least one band"))
    if q.type is AnswerType.CHOICE and q.scored and any(getattr(o, "score", 0) is None for o in q.options or []):
        found.append((("options",), "every option of a scored choice question needs a score"))
    if q.gate and q.allow_not_applicable:
        found.append((("allow_not_applicable",), "a gate question cannot be not applicable"))
    if q.risk.high_below > q.risk.medium_below:
        found.append((("risk",), "high_below must not exceed medium_below"))
    return found


def _level_option_issues(options: list[LevelOption] | list[ChoiceOption]) -> list[tuple[Loc, str]]:
    if not all(isinstance(o, LevelOption) for o in options):
        return [(("options",), "level options need `level` and `text` only")]
    levels = [o.level for o in options if isinstance(o, LevelOption)]
    if levels != list(range(MAX_LEVEL + 1)):
        return [(("options",), f"level options must be levels 0..{MAX_LEVEL} in order, got {levels}")]
    return []


def _choice_option_issues(options: list[LevelOption] | list[ChoiceOption]) -> list[tuple[Loc, str]]:
    if not all(isinstance(o, ChoiceOption) for o in options):
        return [(("options",), "choice options need `key`, `text` and `score`")]
    found: list[tuple[Loc, str]] = []
    if len(options) < 2:
        found.append((("options",), "a choice question needs at least two options"))
    seen: set[str] = set()
    for j, o in enumerate(options):
        if isinstance(o, ChoiceOption):
            if o.key in seen:
                found.append((("options", j, "key"), f"duplicate option key {o.key!r}"))
            seen.add(o.key)
    return found


def _band_issues(q: Question) -> list[tuple[Loc, str]]:
    assert q.number is not None
    spec = q.number
    found: list[tuple[Loc, str]] = []
    limits = [b.limit for b in spec.bands]
    ordered = sorted(limits) if spec.better == "lower" else sorted(limits, reverse=True)
    if limits != ordered or len(set(limits)) != len(limits):
        direction = "ascend" if spec.better == "lower" else "descend"
        found.append((("number", "bands"), f"band limits must strictly {direction} when lower/higher is better"))
    scores = [b.score for b in spec.bands] + [spec.otherwise]
    if scores != sorted(scores, reverse=True):
        found.append((("number", "bands"), "band scores must not rise from one band to the next"))
    if spec.maximum is not None and spec.maximum < spec.minimum:
        found.append((("number", "maximum"), "maximum is below minimum"))
    return found


def _cycle_issues(bank: Bank) -> list[tuple[Loc, str]]:
    """Name each prerequisite cycle once, as `a -> b -> a`."""
    graph = {i.key: list(i.prerequisites) for i in bank.investments}
    index = {i.key: n for n, i in enumerate(bank.investments)}
    found: list[tuple[Loc, str]] = []
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                cycle = [*path[path.index(nxt) :], nxt]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    found.append(
                        (
                            ("investments", index[nxt], "prerequisites"),
                            "prerequisite cycle: " + " -> ".join(cycle),
                        )
                    )
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for key in graph:
        if key not in state:
            visit(key, [key])
    return found


def _end_state_issues(bank: Bank) -> list[tuple[Loc, str]]:
    foundations = {f.key for f in bank.foundations}
    found: list[tuple[Loc, str]] = []
    for i, es in enumerate(bank.end_states):
        for fkey, level in es.requires.items():
            if fkey not in foundations:
                found.append((("end_states", i, "requires", fkey), f"unknown foundation {fkey!r}"))
            elif not 0 <= level <= MAX_LEVEL:
                found.append((("end_states", i, "requires", fkey), f"level must be 0..{MAX_LEVEL}"))
    return found


def _method_issues(bank: Bank) -> list[tuple[Loc, str]]:
    """Bank 2's measured gates, proofs, exposures and sequence: every reference resolves and fits its type."""
    found: list[tuple[Loc, str]] = []
    questions = bank.questions_by_key()
    foundations = {f.key for f in bank.foundations}
    for i, q in enumerate(bank.questions):
        if q.foundation == CONTEXT and (q.gate or q.triggers):
            found.append((("questions", i), "a context question is not scored: no gate, no triggers"))
    for i, f in enumerate(bank.foundations):
        for j, check in enumerate(f.gate):
            found += [
                (("foundations", i, "gate", j, *loc), msg)
                for loc, msg in _condition_issues(check, questions, own=f.key)
            ]
        for j, key in enumerate(f.proof):
            if key not in questions or questions[key].foundation != f.key:
                found.append((("foundations", i, "proof", j), f"{key!r} is not a question of this foundation"))
    exposure_keys = {e.key for e in bank.exposures}
    for i, e in enumerate(bank.exposures):
        found += [(("exposures", i, *loc), msg) for loc, msg in _condition_issues(e, questions, own=CONTEXT)]
        found += [
            (("exposures", i, "protects", j), f"unknown foundation {k!r}")
            for j, k in enumerate(e.protects)
            if k not in foundations
        ]
    for i, es in enumerate(bank.end_states):
        found += [
            (("end_states", i, "already", j), f"unknown exposure {k!r}")
            for j, k in enumerate(es.already)
            if k not in exposure_keys
        ]
    for i, inv in enumerate(bank.investments):
        found += [
            (("investments", i, "after_foundations", j), f"unknown foundation {k!r}")
            for j, k in enumerate(inv.after_foundations)
            if k not in foundations
        ]
    if bank.sequence and sorted(bank.sequence) != sorted(foundations):
        found.append((("sequence",), "must list every foundation exactly once"))
    return found


def _condition_issues(cond: Condition, questions: dict[str, Question], own: str) -> list[tuple[Loc, str]]:
    """One comparison, on a question of the right foundation, that fits the question's answer type."""
    q = questions.get(cond.question)
    if q is None:
        return [(("question",), f"unknown question {cond.question!r}")]
    if q.foundation != own:
        return [(("question",), f"{cond.question!r} belongs to {q.foundation!r}, not {own!r}")]
    used = cond.comparisons()
    if len(used) != 1:
        return [((), f"needs exactly one of at_most, at_least, below, one_of, equals (has {len(used)})")]
    allowed = {
        AnswerType.NUMBER: {"at_most", "at_least", "below"},
        AnswerType.CHOICE: {"one_of"},
        AnswerType.YES_NO: {"equals"},
        AnswerType.LEVEL: {"at_least", "at_most"},
    }[q.type]
    if used[0] not in allowed:
        return [((used[0],), f"does not fit a {q.type.value} question")]
    if cond.one_of is not None:
        keys = {o.key for o in q.options or [] if isinstance(o, ChoiceOption)}
        return [(("one_of", j), f"unknown option {k!r}") for j, k in enumerate(cond.one_of) if k not in keys]
    if cond.below is not None:
        other = questions.get(cond.below)
        if other is None or other.type is not AnswerType.NUMBER:
            return [(("below",), f"{cond.below!r} is not a number question")]
    return []
