"""Column mappings: propose one from an export's headers, check it, save it to a file and read it back.

A mapping says, per kind of file, which header of the user's file holds each
canonical column (`{"deployments": {"deployed_at": "finished_at", ...}}`).
Canonical columns left out are read from a header of the same name, if any.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

from assessment.dora.formats import FORMATS, Column, Kind
from assessment.dora.ingest.lists import SEPARATOR_KEY, SEPARATORS, separator_name
from assessment.dora.ingest.problems import DoraImportError, Problem

MAPPING_MARK = "foundations_dora_mapping"
MAPPING_VERSION = 1
KindMapping = dict[str, str]  # canonical column -> header in the user's file (and the options below)
OPTIONS = frozenset({SEPARATOR_KEY})  # keys of a kind's mapping that are settings, not columns
Mapping = dict[Kind, KindMapping]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise_header(name: str) -> str:
    """`Deployed At`, `deployedAt` and `deployed-at` all become `deployed_at`."""
    return _NON_WORD.sub("_", _CAMEL.sub("_", name.strip()).lower()).strip("_")


def propose_mapping(kind: Kind, headers: list[str]) -> KindMapping:
    """Best guess per canonical column: exact names and known aliases first (for every column), then close
    spellings (required columns first), so `Resolved On` or `Commit SHAs` is found without taking a header
    that another column names exactly."""
    by_norm = {normalise_header(h): h for h in reversed(headers)}
    taken: set[str] = set()
    proposal: KindMapping = {}
    for column in FORMATS[kind]:
        found = _exact(column, by_norm, taken)
        if found is not None:
            proposal[column.name] = found
            taken.add(found)
    for column in sorted(FORMATS[kind], key=lambda c: not c.required):
        if column.name in proposal:
            continue
        found = _close(column, by_norm, taken)
        if found is not None:
            proposal[column.name] = found
            taken.add(found)
    return proposal


def _exact(column: Column, by_norm: dict[str, str], taken: set[str]) -> str | None:
    for candidate in (column.name, *column.aliases):
        header = by_norm.get(normalise_header(candidate))
        if header is not None and header not in taken:
            return header
    return None


def _close(column: Column, by_norm: dict[str, str], taken: set[str]) -> str | None:
    free = [n for n, h in by_norm.items() if h not in taken]
    for candidate in (column.name, *column.aliases):
        match = difflib.get_close_matches(normalise_header(candidate), free, n=1, cutoff=0.8)
        if match:
            return by_norm[match[0]]
    return None


def resolve(kind: Kind, headers: list[str], mapping: KindMapping | None, source: str) -> KindMapping:
    """The header to read for each canonical column, or DoraImportError naming what is missing."""
    chosen = {name: same_header(header, headers) for name, header in (mapping or {}).items() if name not in OPTIONS}
    problems = [
        Problem(
            source,
            f"the mapping names column {header!r} for {name!r}, but the file has no such "
            f"column (it has: {', '.join(headers)})",
        )
        for name, header in chosen.items()
        if header and header not in headers
    ]
    by_norm = {normalise_header(h): h for h in headers}
    resolved: KindMapping = {}
    for column in FORMATS[kind]:
        header = chosen.get(column.name) if column.name in chosen else by_norm.get(column.name)
        if header:
            resolved[column.name] = header
    missing = [c.name for c in FORMATS[kind] if c.required and c.name not in resolved]
    if missing:
        problems.append(
            Problem(
                source,
                f"required column{'s' if len(missing) > 1 else ''} missing: "
                f"{', '.join(missing)} (the file has: {', '.join(headers)}); "
                "rename the columns or give a mapping",
            )
        )
    if problems:
        raise DoraImportError(problems)
    return resolved


def same_header(header: str, headers: list[str]) -> str:
    """The file's header a mapping names, compared without regard to case or surrounding spaces."""
    if header in headers:
        return header
    wanted = header.strip().casefold()
    return next((h for h in headers if h.strip().casefold() == wanted), header)


# --- mapping files ----------------------------------------------------------------------------------


def mapping_to_json(mapping: Mapping) -> str:
    """The mapping as the JSON file `--mapping` reads back."""
    doc: dict[str, Any] = {MAPPING_MARK: MAPPING_VERSION}
    for kind in Kind:
        if mapping.get(kind):
            doc[kind.value] = dict(mapping[kind])
    return json.dumps(doc, indent=2) + "\n"


def parse_mapping(text: str, source: str) -> Mapping:
    """Read a mapping file; every problem names the file and the key at fault."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DoraImportError([Problem(source, f"not valid JSON: {exc.msg}", line=exc.lineno)]) from None
    if not isinstance(doc, dict) or doc.get(MAPPING_MARK) != MAPPING_VERSION:
        raise DoraImportError(
            [
                Problem(
                    source,
                    f'not a mapping file: it needs "{MAPPING_MARK}": {MAPPING_VERSION} and one object per kind of file',
                )
            ]
        )
    problems: list[Problem] = []
    mapping: Mapping = {}
    for key, value in doc.items():
        if key == MAPPING_MARK:
            continue
        if key not in {k.value for k in Kind}:
            problems.append(
                Problem(source, "unknown kind of file (expected deployments, changes or incidents)", column=key)
            )
            continue
        mapping[Kind(key)] = _kind_mapping(Kind(key), value, source, problems)
    if problems:
        raise DoraImportError(problems)
    return mapping


def list_separator(mapping: KindMapping | None, source: str) -> str | None:
    """The separator of change id lists the mapping names (canonical name), None when it names none."""
    given = (mapping or {}).get(SEPARATOR_KEY)
    if not given:
        return None
    name = separator_name(given)
    if name is None:
        raise DoraImportError([Problem(source, _bad_separator(given))])
    return name


def _bad_separator(given: str) -> str:
    return f"unknown separator {given!r} for change_ids (use one of: {', '.join(SEPARATORS)})"


def _kind_mapping(kind: Kind, value: Any, source: str, problems: list[Problem]) -> KindMapping:
    if not isinstance(value, dict):
        problems.append(Problem(source, "expected an object of column names", column=kind.value))
        return {}
    names = {c.name for c in FORMATS[kind]}
    result: KindMapping = {}
    for name, header in value.items():
        if name == SEPARATOR_KEY and kind is Kind.DEPLOYMENTS:
            if not isinstance(header, str) or separator_name(header) is None:
                problems.append(Problem(source, _bad_separator(str(header)), column=f"{kind.value}.{name}"))
            else:
                result[name] = separator_name(header) or ""
        elif name not in names:
            problems.append(
                Problem(
                    source,
                    f"unknown column (the {kind.value} columns are: {', '.join(sorted(names))})",
                    column=f"{kind.value}.{name}",
                )
            )
        elif header is not None and not isinstance(header, str):
            problems.append(
                Problem(source, "expected a column name (text)", column=f"{kind.value}.{name}", value=str(header))
            )
        elif header:
            result[name] = header
    return result


def load_mapping_file(path: str) -> Mapping:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DoraImportError([Problem(path, "file not found")]) from None
    except UnicodeDecodeError:
        raise DoraImportError([Problem(path, "the file is not UTF-8 text")]) from None
    return parse_mapping(text, path)
