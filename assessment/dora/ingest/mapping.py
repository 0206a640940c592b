"""Column mappings: propose one from an export's headers, check it, save it to a file and read it back.

A mapping says, per kind of file, which header of the user's file holds each
canonical column (`{"deployments": {"deployed_at": "finished_at", ...}}`).
Canonical columns left out are read from a header of the same name, if any.

Besides column names a kind's mapping may hold settings (OPTIONS): the separator of
change id lists, the file's own words for a successful deployment and for production
(`success_statuses`, `production_environments`: stored as `success` and `production`),
a service for every row of an export that names none (`service_default`), a column of
milliseconds from start to resolution read as the resolution time (`resolved_after_ms`,
for incidents whose export gives no resolution time), and the
preset it came from (`preset`: an optional column the preset names but the file lacks
is then left out instead of refused, since tools leave empty fields out of their JSON).
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

from assessment.dora.formats import FORMATS, MAX_TEXT, Column, Kind
from assessment.dora.ingest.jsonfile import short_json
from assessment.dora.ingest.lists import SEPARATOR_KEY, SEPARATORS, separator_name
from assessment.dora.ingest.problems import DoraImportError, Problem

MAPPING_MARK = "foundations_dora_mapping"
MAPPING_VERSION = 1
KindMapping = dict[str, str]  # canonical column -> header in the user's file (and the options below)
SUCCESS_KEY = "success_statuses"  # the file's statuses that mean a finished, successful deployment
PRODUCTION_KEY = "production_environments"  # the file's environments that are production
SERVICE_KEY = "service_default"  # the service of every row, for exports that name none
PRESET_KEY = "preset"  # the preset this mapping came from
DURATION_KEY = "resolved_after_ms"  # incidents: a column of milliseconds from start to resolution (Opsgenie)
OPTIONS = frozenset({SEPARATOR_KEY, SUCCESS_KEY, PRODUCTION_KEY, SERVICE_KEY, PRESET_KEY})  # settings, not columns
_OPTION_KINDS = {
    SEPARATOR_KEY: {Kind.DEPLOYMENTS},
    SUCCESS_KEY: {Kind.DEPLOYMENTS},
    PRODUCTION_KEY: {Kind.DEPLOYMENTS},
    SERVICE_KEY: {Kind.DEPLOYMENTS, Kind.INCIDENTS},
    PRESET_KEY: set(Kind),
}
Mapping = dict[Kind, KindMapping]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
    if (mapping or {}).get(PRESET_KEY):  # a preset names the tool's optional fields; an export may lack them
        required = {c.name for c in FORMATS[kind] if c.required}
        chosen = {name: header for name, header in chosen.items() if header in headers or name in required}
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
    if chosen.get(DURATION_KEY) in headers and "resolved_at" not in resolved:  # a duration read as the resolution
        resolved[DURATION_KEY] = chosen[DURATION_KEY]
    missing = [
        c.name
        for c in FORMATS[kind]
        if c.required and c.name not in resolved and not (c.name == "service" and (mapping or {}).get(SERVICE_KEY))
    ]  # service_default stands in for a service column the file lacks
    if missing:
        problems.append(
            Problem(
                source,
                f"required column{'s' if len(missing) > 1 else ''} missing: "
                f"{', '.join(missing)} (the file has: {', '.join(headers)}); " + _missing_hint(missing, mapping),
            )
        )
    if problems:
        raise DoraImportError(problems)
    return resolved


def _missing_hint(missing: list[str], mapping: KindMapping | None) -> str:
    preset = (mapping or {}).get(PRESET_KEY)
    if preset and missing == ["service"]:
        return (
            f"the {preset} export names no service: give the one it came from "
            "(--service, or 'Service of every row' on the page)"
        )
    if preset:
        return f"is this the {preset} export the preset expects? Choose another preset or give a mapping"
    return "rename the columns or give a mapping"


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
    names = {c.name for c in FORMATS[kind]} | ({DURATION_KEY} if kind is Kind.INCIDENTS else set())
    result: KindMapping = {}
    for name, header in value.items():
        if name == SEPARATOR_KEY and kind is Kind.DEPLOYMENTS:
            if not isinstance(header, str) or separator_name(header) is None:
                problems.append(Problem(source, _bad_separator(str(header)), column=f"{kind.value}.{name}"))
            else:
                result[name] = separator_name(header) or ""
        elif name in OPTIONS and kind in _OPTION_KINDS[name]:
            setting = _setting(header)
            if setting is None:
                problems.append(
                    Problem(
                        source,
                        f"expected text (a list of words for {SUCCESS_KEY} and {PRODUCTION_KEY}), at most "
                        f"{MAX_TEXT} characters, without control characters",
                        column=f"{kind.value}.{name}",
                        value=short_json(header),
                    )
                )
            elif setting:
                result[name] = setting
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


def _setting(value: Any) -> str | None:
    """A setting's value as text (a list of words joined by ', '), None when it is not one."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = ", ".join(v.strip() for v in value)
    if not isinstance(value, str) or len(value) > MAX_TEXT or _CONTROL.search(value):
        return None
    return value.strip()


def words(setting: str | None) -> frozenset[str]:
    """The words of a list setting (`success, inactive`), compared lower-case as status and environment are."""
    return frozenset(w.strip().lower() for w in (setting or "").split(",") if w.strip())


def load_mapping_file(path: str) -> Mapping:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DoraImportError([Problem(path, "file not found")]) from None
    except UnicodeDecodeError:
        raise DoraImportError([Problem(path, "the file is not UTF-8 text")]) from None
    return parse_mapping(text, path)
