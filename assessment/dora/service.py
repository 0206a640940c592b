"""The DORA capability as the interfaces use it: the DORA page, its widgets and `foundations dora`.

One module to import instead of fourteen: what a caller may do with a team's DORA
data (import files, read its figures over a window, type figures, keep column
mappings, check answers against the data) without knowing how `ingest` stores
rows or how `metrics` reads them back. Each function calls the existing ones; the
few that do more say so (an import or typed figures also refresh the cross-check,
a bad window is a FoundationsError). The data types the functions take and return
are re-exported here, so an interface imports nothing from `ingest` or `metrics`
(tests/core/test_layers.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine
from sqlmodel import Session

from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.core.spreadsheet import csv_text
from assessment.dora import crosscheck, figures, lookback
from assessment.dora.benchmarks import METRICS
from assessment.dora.crosscheck import Finding
from assessment.dora.figures import RANGES, Typed, check_typed
from assessment.dora.formats import FORMATS, Kind
from assessment.dora.ingest import mapping as mappings
from assessment.dora.ingest import presets, saved
from assessment.dora.ingest.lists import SEPARATOR_KEY, SEPARATORS, detect_separator, separator_name
from assessment.dora.ingest.mapping import SERVICE_KEY, KindMapping, Mapping
from assessment.dora.ingest.merge import ImportPlan
from assessment.dora.ingest.parsing import ParsedFile, parse_file
from assessment.dora.ingest.pipeline import FileInput, ImportOptions, Target, import_files, parse_inputs, write_import
from assessment.dora.ingest.problems import DoraImportError, Problem
from assessment.dora.ingest.sources import DEFAULT_MAX_BYTES, read_header, read_text_table
from assessment.dora.ingest.store import ImportResult, NotConfirmed, Progress, WriteOptions, plan_import
from assessment.dora.ingest.teams import UnknownTeams
from assessment.dora.metrics.compute import DEFAULT_LOOKBACK_HOURS, team_metrics
from assessment.dora.metrics.frames import latest_event_s
from assessment.dora.metrics.quality import DroppedRow
from assessment.dora.metrics.trends import weekly_trends
from assessment.dora.metrics.window import Window, window_for_dates
from assessment.dora.summary import DoraSummary, Figure, summarise, summary_to_data, with_lookback

__all__ = [
    "DEFAULT_LOOKBACK_HOURS",
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "LIST_SEPARATORS",
    "LIST_SEPARATOR_KEY",
    "METRICS",
    "PRESETS",
    "RANGES",
    "SERVICE_KEY",
    "DoraImportError",
    "DoraSummary",
    "DroppedRow",
    "Figure",
    "FileInput",
    "Finding",
    "ImportOptions",
    "ImportPlan",
    "ImportResult",
    "Kind",
    "KindMapping",
    "Mapping",
    "NotConfirmed",
    "ParsedFile",
    "Problem",
    "Progress",
    "Target",
    "Typed",
    "TypedFigures",
    "UnknownTeams",
    "Window",
    "WriteOptions",
    "assessment_findings",
    "check_import",
    "check_typed",
    "detect_preset",
    "file_headers",
    "file_warnings",
    "import_into",
    "latest_event",
    "left_out_csv",
    "list_separator_of",
    "mapping_text",
    "matching_header",
    "organisation_lookback",
    "parse_files",
    "preset_mapping",
    "propose_mapping",
    "read_mapping_file",
    "save_mapping",
    "save_typed_figures",
    "saved_mappings",
    "set_organisation_lookback",
    "store_import",
    "summary_data",
    "team_summary",
    "team_trends",
    "typed_figures",
    "window_for",
    "with_list_separator",
    "with_lookback",
    "with_service",
]

PRESETS = presets.PRESETS  # name -> Preset (title, the mapping per kind, where its fields are documented)
LIST_SEPARATORS = SEPARATORS  # canonical name -> how messages and the page name it
LIST_SEPARATOR_KEY = SEPARATOR_KEY  # the mapping's option that names it

# --- importing files ---------------------------------------------------------------------------------------


def parse_files(inputs: list[FileInput], options: ImportOptions, progress: Progress | None = None) -> list[ParsedFile]:
    """Every file read and checked, before any write transaction opens; DoraImportError lists all problems."""
    return parse_inputs(inputs, options, progress=progress)


def store_import(
    session: Session,
    *,
    organisation_id: int,
    team_id: int | None,
    parsed: list[ParsedFile],
    by: str,
    progress: Progress | None = None,
    options: WriteOptions | None = None,
) -> ImportResult:
    """Store parsed files in the caller's write transaction, then recompute the touched teams' cross-check.

    By default an empty value keeps the stored one and new teams are refused (UnknownTeams);
    `options` ask for a replace, allow the new teams, and see the plan before anything is written
    (NotConfirmed when they refuse it)."""
    return write_import(
        session,
        organisation_id=organisation_id,
        team_id=team_id,
        parsed=parsed,
        by=by,
        progress=progress,
        after=crosscheck.refresh_team_findings,
        options=options,
    )


def import_into(
    engine: Engine,
    *,
    target: Target,
    parsed: list[ParsedFile],
    by: str,
    progress: Progress | None = None,
    options: WriteOptions | None = None,
) -> ImportResult:
    """Store parsed files in a write transaction of their own, then recompute the touched teams' cross-check.

    As `store_import`, but on SQLite the rows are merged and staged before the write lock, so answer
    saves made meanwhile wait only for the short final transaction."""
    return import_files(
        engine,
        target=target,
        parsed=parsed,
        by=by,
        progress=progress,
        after=crosscheck.refresh_team_findings,
        options=options,
    )


def check_import(
    session: Session, *, organisation_id: int, team_id: int | None, parsed: list[ParsedFile], replace: bool = False
) -> ImportPlan:
    """What storing the parsed files would change (rows new and updated, values kept or lost, teams to create),
    read without writing, for the page to show before it asks to confirm."""
    return plan_import(session, organisation_id=organisation_id, team_id=team_id, files=parsed, replace=replace)


def file_headers(file: FileInput) -> list[str]:
    """The column names of an uploaded file (CSV header or JSON keys), for the mapping step."""
    return read_header(file.data, source=file.source)


def propose_mapping(kind: Kind, headers: list[str]) -> KindMapping:
    """The file's columns matched to the canonical ones by name, as the mapping step's preset."""
    return mappings.propose_mapping(kind, headers)


def with_list_separator(mapping: Mapping | None, separator: str | None) -> Mapping:
    """The mapping with the separator of the deployments' change id lists named (None: detected from the data).

    FoundationsError for a separator that is not one of LIST_SEPARATORS (or a spelling such as `;`)."""
    result: Mapping = {kind: dict(kinds) for kind, kinds in (mapping or {}).items()}
    if separator is None:
        return result
    name = separator_name(separator)
    if name is None:
        raise FoundationsError(f"unknown list separator {separator!r}: use one of {', '.join(SEPARATORS)}")
    result.setdefault(Kind.DEPLOYMENTS, {})[SEPARATOR_KEY] = name
    return result


def preset_mapping(name: str) -> Mapping:
    """The named preset's mapping (github, gitlab, pagerduty, opsgenie); FoundationsError listing them otherwise."""
    try:
        return presets.preset(name).mapping()
    except ValueError as exc:
        raise FoundationsError(str(exc)) from None


def detect_preset(kind: Kind, headers: list[str]) -> str | None:
    """The preset whose export this file's headers are, when exactly one fits."""
    return presets.detect(kind, headers)


def with_service(mapping: Mapping | None, service_name: str | None) -> Mapping:
    """The mapping with a service for every deployment and incident row whose file names none (None: unchanged)."""
    result: Mapping = {kind: dict(kinds) for kind, kinds in (mapping or {}).items()}
    if service_name is None:
        return result
    if not service_name.strip():
        raise FoundationsError("the service is empty: name the service the export came from")
    for kind in (Kind.DEPLOYMENTS, Kind.INCIDENTS):
        result.setdefault(kind, {})[SERVICE_KEY] = service_name.strip()
    return result


def list_separator_of(file: FileInput, mapping: KindMapping) -> str | None:
    """The separator most cells of the file's change id column use (None when no column holds change ids)."""
    header = mapping.get("change_ids")
    if file.kind is not Kind.DEPLOYMENTS or not header:
        return None
    table = read_text_table(file.data, source=file.source).table
    return detect_separator(table.column(header)) if header in table.column_names else None


def file_warnings(file: FileInput, mapping: KindMapping, tz: str | None = None) -> tuple[Problem, ...]:
    """What the import will warn about in this file (cells that look like lists with another separator).

    For the page to show before the Import button; the file is read as the import reads it
    (invalid rows skipped, so a problem elsewhere does not hide a warning)."""
    try:
        parsed = parse_file(file.data, source=file.source, kind=file.kind, mapping=mapping, tz=tz, skip_invalid=True)
    except DoraImportError:
        return ()
    return parsed.warnings


def matching_header(header: str, headers: list[str]) -> str:
    """The file's header a (saved) mapping names, compared without regard to case; `header` when none matches."""
    return mappings.same_header(header, headers)


def mapping_text(mapping: Mapping) -> str:
    """A mapping as the JSON file `foundations dora import --mapping` reads."""
    return mappings.mapping_to_json(mapping)


def read_mapping_file(path: str) -> Mapping:
    """A mapping file from disk; DoraImportError when it is missing, not UTF-8 or not a mapping."""
    return mappings.load_mapping_file(path)


def saved_mappings(session: Session, *, organisation_id: int) -> dict[str, Mapping]:
    """The organisation's saved mappings, name -> mapping, in name order."""
    return saved.saved_mappings(session, organisation_id=organisation_id)


def save_mapping(session: Session, *, organisation_id: int, name: str, mapping: Mapping) -> None:
    """Save (or overwrite) the organisation's mapping of this name; FoundationsError for an unusable name."""
    saved.save_mapping(session, organisation_id=organisation_id, name=name, mapping=mapping)


# --- imported figures --------------------------------------------------------------------------------------


def latest_event(session: Session, *, team_id: int) -> int | None:
    """When the team's newest imported event happened (epoch seconds), or None when nothing is imported."""
    return latest_event_s(session, team_ids=[team_id])


def window_for(since: date | None, until: date | None, *, latest_s: int | None) -> Window:
    """The window of whole days `since` to `until` (both included); a missing end defaults to 90 days up to the
    latest event's day (today without data). FoundationsError when the window ends before it starts."""
    try:
        return window_for_dates(since, until, latest_s=latest_s)
    except ValueError as exc:
        raise FoundationsError(str(exc)) from None


def team_summary(session: Session, *, team_id: int, window: Window, lookback_hours: float | None = None) -> DoraSummary:
    """The team's four keys over the window, in words with their bands, the nearest cluster and data quality.

    The attribution look-back is the organisation's unless one is given for this view.
    """
    hours = lookback_hours if lookback_hours is not None else lookback.team_lookback(session, team_id=team_id)
    return summarise(team_metrics(session, team_id=team_id, window=window, lookback_hours=hours), hours)


def organisation_lookback(session: Session, *, organisation_id: int) -> float:
    """The organisation's attribution look-back in hours (the default when never set)."""
    return lookback.organisation_lookback(session, organisation_id=organisation_id)


def set_organisation_lookback(session: Session, *, organisation_id: int, hours: float) -> float:
    """Change the organisation's look-back (a role that may import DORA data); FoundationsError if out of range."""
    return lookback.set_organisation_lookback(session, organisation_id=organisation_id, hours=hours)


def team_trends(session: Session, *, team_id: int, window: Window) -> pd.DataFrame:
    """Week by week over the window: deployments, median lead time and median recovery time (for charts)."""
    return weekly_trends(session, team_id=team_id, window=window)


def left_out_csv(rows: tuple[DroppedRow, ...]) -> str:
    """Every left-out row as CSV (kind, id, reason), spreadsheet-safe: an id such as `=HYPERLINK(...)` stays text."""
    return csv_text(("kind", "id", "reason"), ((r.kind, r.id, r.reason) for r in rows))


def summary_data(summary: DoraSummary) -> dict[str, Any]:
    """A summary as JSON-ready data: window, metrics, figures, cluster, data quality with every left-out row."""
    return summary_to_data(summary)


# --- typed figures -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypedFigures:
    """The team's current typed figures: shown with their bands, and as the values the form starts from."""

    figures: tuple[Figure, ...]
    cluster: str | None
    values: dict[str, Typed]


def typed_figures(session: Session, *, team_id: int) -> TypedFigures | None:
    """The team's newest typed figures, or None when it never typed any."""
    row = figures.latest_figures(session, team_id=team_id)
    if row is None:
        return None
    shown, cluster = figures.typed_figures(row)
    return TypedFigures(shown, cluster, figures.typed_values(row))


def save_typed_figures(session: Session, *, team_id: int, by: str, values: dict[str, Typed]) -> None:
    """Store typed figures as the team's current ones and recompute its cross-check; FoundationsError if refused."""
    figures.save_figures(session, team_id=team_id, by=by, values=values)
    crosscheck.refresh_team_findings(session, (team_id,))


# --- answers against data ----------------------------------------------------------------------------------


def assessment_findings(engine: Engine, *, assessment_id: int) -> list[Finding]:
    """The assessment's answer-versus-data contradictions, stored with it when they changed.

    Read first, so the write lock is taken only when the stored findings are out of date.
    """
    with db.read_session(engine) as session:
        found = crosscheck.compute_findings(session, assessment_id=assessment_id)
        changed = found != crosscheck.stored_findings(session, assessment_id=assessment_id)
    if changed:
        with db.write_session(engine) as session:
            crosscheck.store_findings(session, assessment_id=assessment_id, findings=found)
    return found
