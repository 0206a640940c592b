"""The import on the DORA page: check the files, say what the import would change, ask, then write.

The check reads (no write lock): every file's problems, then the plan (rows new and
already stored, stored values kept or lost, teams to create). An import that would
touch stored rows or create teams waits for "Confirm import"; the write then computes
the plan again inside its transaction and goes ahead only if it is still the one shown,
so rows stored by someone else in between are never overwritten unseen.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.delta_generator import DeltaGenerator

from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.dora import service
from assessment.dora.service import (
    DoraImportError,
    FileInput,
    ImportOptions,
    ImportPlan,
    Mapping,
    NotConfirmed,
    ParsedFile,
    Progress,
    WriteOptions,
)
from ui import auth
from ui.components.dora import widgets as dora_widgets
from ui.components.dora.state import CHECKED, REPLACE, SKIP_INVALID, TIME_ZONE
from ui.text import plain, sentence


@dataclass(frozen=True)
class Checked:
    """Files checked and planned, waiting for the user's confirmation; `key` ties them to what was uploaded."""

    key: str
    parsed: list[ParsedFile]
    plan: ImportPlan


def mode_choice() -> None:
    st.radio(
        "When a row's id is already stored",
        [False, True],
        format_func=lambda replace: (
            "replace it: an empty value in the file empties the stored one"
            if replace
            else "merge (default): an empty value in the file keeps the stored one"
        ),
        key=REPLACE.key,
    )


def import_step(
    engine: Engine, *, organisation_id: int, team_id: int, files: list[FileInput], mapping: Mapping
) -> None:
    """The Import button, and the confirmation it may ask for."""
    options = ImportOptions(mapping=mapping, tz=TIME_ZONE.get() or None, skip_invalid=bool(SKIP_INVALID.get()))
    replace = bool(REPLACE.get())
    key = _key(files, options, replace)
    checked = CHECKED.get()
    if not isinstance(checked, Checked) or checked.key != key:
        CHECKED.pop()
        checked = None
    if st.button("Import", type="primary", key="dora_import"):  # runs in the script so the bar can move
        checked = _check(engine, organisation_id, team_id, files, options, replace, key)
        if checked is not None and not _needs_confirmation(checked.plan):
            _write(engine, organisation_id, team_id, checked)
            return
        if checked is not None:
            CHECKED.set(checked)
    if checked is None:
        return
    st.warning("Check what this import would change, then confirm it.", icon=":material/rule:")
    for line in checked.plan.lines():
        st.text(line)
    left, right = st.columns(2)
    if left.button("Confirm import", type="primary", key="dora_confirm"):
        CHECKED.pop()
        _write(engine, organisation_id, team_id, checked)
    if right.button("Cancel", key="dora_cancel"):
        CHECKED.pop()
        st.info("Nothing was imported.")


def _moves(bar: DeltaGenerator) -> Progress:
    def show(fraction: float, message: str) -> None:
        bar.progress(min(fraction, 1.0), text=plain(message))

    return show


def _needs_confirmation(plan: ImportPlan) -> bool:
    return bool(plan.new_teams) or any(p.updated for p in plan.files)


def _key(files: list[FileInput], options: ImportOptions, replace: bool) -> str:
    digest = hashlib.sha256(repr((options, replace)).encode())
    for file in files:
        digest.update(f"{file.kind}:{file.source}:{len(file.data)}".encode())
        digest.update(file.data)
    return digest.hexdigest()


def _check(
    engine: Engine,
    organisation_id: int,
    team_id: int,
    files: list[FileInput],
    options: ImportOptions,
    replace: bool,
    key: str,
) -> Checked | None:
    bar = st.progress(0.0, text="Checking the files")
    try:
        parsed = service.parse_files(files, options, progress=_moves(bar))
        with db.read_session(engine) as session:
            plan = service.check_import(
                session, organisation_id=organisation_id, team_id=team_id, parsed=parsed, replace=replace
            )
    except DoraImportError as exc:
        bar.empty()
        _problems(exc)
        return None
    except FoundationsError as exc:
        bar.empty()
        st.error(sentence(f"Nothing was imported: {exc}"))
        return None
    bar.empty()
    return Checked(key, parsed, plan)


def _write(engine: Engine, organisation_id: int, team_id: int, checked: Checked) -> None:
    bar = st.progress(0.0, text="Writing")
    options = WriteOptions(replace=checked.plan.replace, create_teams=True, confirm=lambda plan: plan == checked.plan)
    try:
        result = service.import_into(
            engine,
            target=service.Target(
                find=lambda _s: (organisation_id, team_id), make=lambda _s: (organisation_id, team_id)
            ),
            parsed=checked.parsed,
            by=auth.author(),
            progress=_moves(bar),
            options=options,
        )
    except NotConfirmed:
        bar.empty()
        st.error("The stored data changed since the check, so nothing was imported: import again to see what changes.")
        return
    except DoraImportError as exc:
        bar.empty()
        _problems(exc)
        return
    except FoundationsError as exc:
        bar.empty()
        st.error(sentence(f"Nothing was imported: {exc}"))
        return
    bar.empty()
    st.success(sentence(result.sentence()))
    for line in result.plan.notes if result.plan else ():
        st.text(line)
    if result.skipped:
        st.dataframe(pd.DataFrame([{"Skipped": str(p)} for p in result.skipped]), hide_index=True)


def _problems(exc: DoraImportError) -> None:
    hint = " (or tick 'skip invalid rows')" if exc.skippable and not SKIP_INVALID.get() else ""
    st.error(f"Nothing was imported. Fix these problems{hint} and import again.")
    st.dataframe(dora_widgets.problems_table(exc.problems), hide_index=True)
