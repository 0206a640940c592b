"""The import tab's checks before the Import button: how change ids are separated, and the warnings to see first.

The page asks for the role first, so a viewer's upload is never read (a large JSON file
costs the server real work); the separator is preset to what most cells use and the
warnings are shown above the Import button, so nothing is saved before they are seen.
"""

from __future__ import annotations

import streamlit as st

from assessment.dora import service
from assessment.dora.service import LIST_SEPARATOR_KEY, LIST_SEPARATORS, FileInput, Kind, KindMapping, Problem
from ui.components.dora.widgets import problems_table
from ui.text import plain


@st.cache_data(max_entries=6, show_spinner="Checking the file")
def _warnings(data: bytes, source: str, kind: str, mapping: tuple[tuple[str, str], ...], tz: str) -> list[Problem]:
    return list(service.file_warnings(FileInput(Kind(kind), source, data), dict(mapping), tz or None))


def separator_step(file: FileInput, mapping: KindMapping) -> KindMapping:
    """For a deployments file with a change id column: the separator, preset to the one most cells use."""
    if file.kind is not Kind.DEPLOYMENTS or not mapping.get("change_ids"):
        return mapping
    detected = service.list_separator_of(file, mapping) or "semicolon"
    options = list(LIST_SEPARATORS)
    picked = st.selectbox(
        "Change ids in one cell are separated by",
        options,
        index=options.index(detected),
        format_func=lambda name: f"{LIST_SEPARATORS[name]}{' (as in most cells)' if name == detected else ''}",
        key=f"dora_separator_{file.source}",
    )
    return {**mapping, LIST_SEPARATOR_KEY: picked}


def show_warnings(file: FileInput, mapping: KindMapping, tz: str | None) -> int:
    """The file's warnings as a table above the Import button; returns how many."""
    found = _warnings(file.data, file.source, file.kind.value, tuple(sorted(mapping.items())), tz or "")
    if found:
        st.warning(
            f"{plain(file.source)}: check this before importing (nothing is saved yet).", icon=":material/warning:"
        )
        st.dataframe(problems_table(found), hide_index=True)
    return len(found)
