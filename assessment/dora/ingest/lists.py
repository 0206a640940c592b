"""Lists of change ids in one cell: which separator a file uses, splitting by it, and cells that disagree.

Tools write the changes a deployment shipped as `a;b`, `a, b`, `a b` or `["a", "b"]`.
The mapping names the separator (`change_ids_separator`); when it does not, the one
most cells use is taken. A cell that still looks like a list under another separator
(`a b` when the separator is `;`) would silently become one id, so such cells are
counted and reported as a warning before anything is saved. Everything is vectorised:
a million cells take well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assessment.dora.formats import ID_SEPARATOR

SEPARATOR_KEY = "change_ids_separator"  # the mapping's option, beside the deployments' column names
SEMICOLON, COMMA, WHITESPACE, JSON_LIST = "semicolon", "comma", "whitespace", "json"
SEPARATORS = {SEMICOLON: "';'", COMMA: "','", WHITESPACE: "spaces", JSON_LIST: "JSON list syntax"}
_SPELLINGS = {";": SEMICOLON, ",": COMMA, " ": WHITESPACE, "space": WHITESPACE, "spaces": WHITESPACE, "[]": JSON_LIST}

# each separator: a regular expression that matches cells written in it (so detection and warnings agree)
_LOOKS_LIKE = {
    JSON_LIST: r"^\[.*\]$",
    SEMICOLON: r"[^;\s]\s*;\s*[^;\s]",
    COMMA: r"[^,\s]\s*,\s*[^,\s]",
    WHITESPACE: r"[^;,\s\[\]\"]\s+[^;,\s\[\]\"]",
}
_INNER_SPACE = "inner_space"
_LOOKS_LIKE[_INNER_SPACE] = r"[^;\s]\s+[^;\s]"
# how each separator is split: the pattern replaced by the stored separator
_SPLIT = {SEMICOLON: r"\s*;\s*", COMMA: r"\s*,\s*", WHITESPACE: r"\s+", JSON_LIST: r"\s*\"?\s*,\s*\"?\s*"}


def separator_name(text: str) -> str | None:
    """The canonical name of a separator as a mapping may write it (`;`, `comma`, `spaces`...), or None."""
    key = text.strip().lower() if text.strip() else text
    if key in SEPARATORS:
        return key
    return _SPELLINGS.get(key)


def _matches(values: pa.ChunkedArray | pa.Array, separator: str) -> np.ndarray:
    found = pc.fill_null(pc.match_substring_regex(values, _LOOKS_LIKE[separator]), False)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def detect_separator(values: pa.ChunkedArray | pa.Array) -> str:
    """The separator most cells are written in (JSON, then ';', ',', spaces on a tie); ';' when no cell is a list."""
    json = _matches(values, JSON_LIST)
    counts = {name: int((_matches(values, name) & ~json).sum()) for name in (SEMICOLON, COMMA, WHITESPACE)}
    counts = {JSON_LIST: int(json.sum()), **counts}
    best = max(counts, key=lambda name: counts[name])  # the first of the tied ones
    return best if counts[best] else SEMICOLON


@dataclass(frozen=True)
class SplitLists:
    """Cells as ids joined by the stored separator (null when empty), and the cells that look like other lists."""

    joined: pa.Array
    separator: str
    suspicious: np.ndarray  # per row: looks like a list under another separator
    other: str | None  # the separator those cells look like (the most frequent one)
    first_other: int = -1  # the first row written in `other`


def split_lists(values: pa.ChunkedArray, empty: np.ndarray, separator: str | None) -> SplitLists:
    """Split every cell by `separator` (detected from the cells when None) into ids joined by ';'."""
    chosen = separator or detect_separator(values)
    text = values
    if chosen == JSON_LIST:
        text = pc.replace_substring_regex(text, r"^\s*\[\s*\"?|\"?\s*\]\s*$", "")
    joined = pc.replace_substring_regex(text, _SPLIT[chosen], ID_SEPARATOR)
    if chosen != SEMICOLON:  # ';' is how ids are stored: inside an id it would split it later
        joined = pc.replace_substring_regex(joined, rf"\s*{ID_SEPARATOR}\s*", ID_SEPARATOR)
    joined = pc.replace_substring_regex(joined, f"{ID_SEPARATOR}{{2,}}", ID_SEPARATOR)
    joined = pc.utf8_trim(joined, ID_SEPARATOR)
    blank = np.asarray(pc.equal(joined, "").to_numpy(zero_copy_only=False), dtype=bool) | empty
    json = _matches(values, JSON_LIST)
    others = {
        COMMA: _matches(values, COMMA) & ~json & ~empty,
        WHITESPACE: _matches(joined, _INNER_SPACE) & ~json & ~empty,  # an id that still holds a space
        JSON_LIST: json & ~empty,
    }
    others.pop(chosen, None)
    suspicious = np.zeros(len(values), dtype=bool)
    for found in others.values():
        suspicious |= found
    other = max(others, key=lambda name: int(others[name].sum())) if suspicious.any() else None
    result = pc.if_else(pa.array(blank), pa.scalar(None, pa.string()), joined).combine_chunks()
    first = int(np.flatnonzero(others[other])[0]) if other is not None else -1
    return SplitLists(result, chosen, suspicious, other, first)


def too_long_ids(joined: pa.Array, limit: int) -> np.ndarray:
    """Per row: an id of the list is longer than `limit` characters (ids are capped the same everywhere)."""
    pattern = f"[^{ID_SEPARATOR}]{{{limit + 1}}}"
    found = pc.fill_null(pc.match_substring_regex(joined, pattern), False)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
