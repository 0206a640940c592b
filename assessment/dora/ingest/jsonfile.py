"""A JSON export read into text columns: linear in its size, a bounded number of keys, nesting only where it matters.

Each record adds its values to the columns of its own keys (no per-record pass over
every key seen so far: a file of N records with a new key each was N x N work), the
number of different keys is capped, and a nested value (an object, a list of objects)
is kept as its JSON text and reported only if the mapping reads that column. A file
nested deeper than Python's parser allows is refused as such, with its file name.

Tools' API exports nest the fields that matter (GitLab's `environment.name`,
`deployable.finished_at`): an object's values are also read as dotted keys, up to
MAX_DEPTH levels down, each counted against MAX_KEYS like any other key. Every value
is visited once, so flattening stays linear in the file's size.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from assessment.dora.ingest.problems import DoraImportError, Problem

MAX_KEYS = 500
MAX_DEPTH = 3  # `a.b.c`: deeper objects stay one nested value (their JSON text)
NESTED = "expected text, a number or a list of ids"


def read_json_columns(data: bytes, source: str) -> tuple[pa.Table, np.ndarray, dict[str, list[int]]]:
    """The records as text columns, their record numbers, and per key the records whose value is nested."""
    doc = _records(_load(data, source))
    if not isinstance(doc, list):
        raise DoraImportError(
            [Problem(source, f"JSON must be a list of records (objects), found {type(doc).__name__}")]
        )
    cells: dict[str, tuple[list[int], list[str]]] = {}
    nested: dict[str, list[int]] = {}
    problems: list[Problem] = []
    for number, record in enumerate(doc, start=1):
        if not isinstance(record, dict):
            problems.append(
                Problem(
                    source,
                    "is not a record (an object with named values)",
                    line=number,
                    record=True,
                    value=short_json(record),
                )
            )
            continue
        for key, value in _flat(record, "", 1):
            column = cells.get(key)
            if column is None:
                if len(cells) == MAX_KEYS:
                    raise DoraImportError(
                        [
                            Problem(
                                source, f"the records use more than {MAX_KEYS} different keys", line=number, record=True
                            )
                        ],
                        skip_helps=False,
                    )
                column = cells[key] = ([], [])
            text = _text(value, source, number, key, problems)
            if text is None:
                nested.setdefault(key, []).append(number)
                text = short_json(value)
            column[0].append(number - 1)
            column[1].append(text)
    if problems:
        raise DoraImportError(problems, skip_helps=False)  # a value that is no record cannot be skipped
    if not doc:
        raise DoraImportError([Problem(source, "the file holds no records")])
    table = pa.table({key: _column(rows, values, len(doc)) for key, (rows, values) in cells.items()})
    return table, np.arange(1, len(doc) + 1, dtype=np.int64), nested


def _records(doc: Any) -> Any:
    """A wrapped list is the list: `{"deployments": [...]}`, or an API page such as Opsgenie's
    `{"data": [...], "took": 0.01, "requestId": "..."}` (the one value that is a list)."""
    if not isinstance(doc, dict):
        return doc
    lists = [value for value in doc.values() if isinstance(value, list)]
    return lists[0] if len(lists) == 1 else doc


def _flat(record: dict[str, Any], prefix: str, depth: int) -> Iterator[tuple[str, Any]]:
    """Each key with its value, and an object's keys again as `key.inner` (MAX_DEPTH levels at most)."""
    for key, value in record.items():
        name = f"{prefix}{key}"
        yield name, value
        if isinstance(value, dict) and depth < MAX_DEPTH:
            yield from _flat(value, f"{name}.", depth + 1)


def _load(data: bytes, source: str) -> Any:
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise DoraImportError([Problem(source, f"not valid JSON: {exc.msg}", line=exc.lineno)]) from None
    except RecursionError:
        raise DoraImportError([Problem(source, "the JSON is nested too deeply to be a list of records")]) from None


def _column(rows: list[int], values: list[str], length: int) -> pa.Array:
    full = np.full(length, "", dtype=object)
    full[np.asarray(rows, dtype=np.int64)] = values
    return pa.array(full, type=pa.string())


def _text(value: Any, source: str, number: int, key: str, problems: list[Problem]) -> str | None:
    """JSON values as the text a CSV would hold (lists of ids joined by ';'); None for a nested value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        if any(";" in str(v) for v in value):
            problems.append(
                Problem(
                    source,
                    "an id in the list contains ';'",
                    line=number,
                    column=key,
                    record=True,
                    value=short_json(value),
                )
            )
        return ";".join(str(v) for v in value)
    return None


def short_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)[:80]
