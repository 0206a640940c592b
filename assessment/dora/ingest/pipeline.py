"""The import as the app and the CLI run it: parse every file (no lock held), then write all in one transaction.

Parsing happens before the write transaction opens, so a slow file never holds
the database's write lock, and every file's problems are reported together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from assessment.dora.formats import Kind
from assessment.dora.ingest.mapping import Mapping
from assessment.dora.ingest.parsing import ParsedFile, parse_file
from assessment.dora.ingest.problems import DoraImportError, Problem
from assessment.dora.ingest.sources import DEFAULT_MAX_BYTES
from assessment.dora.ingest.store import ImportResult, Progress, WriteOptions, store_files

PARSE_SHARE = 0.3  # of the progress bar: reading and checking; the rest is writing


@dataclass(frozen=True)
class FileInput:
    kind: Kind
    source: str  # the file name shown in every problem
    data: bytes


@dataclass(frozen=True)
class ImportOptions:
    mapping: Mapping | None = None
    tz: str | None = None
    max_bytes: int | None = DEFAULT_MAX_BYTES
    skip_invalid: bool = False


def parse_inputs(inputs: list[FileInput], options: ImportOptions, progress: Progress | None = None) -> list[ParsedFile]:
    """Every file parsed, or one DoraImportError listing the problems of all files."""
    if not inputs:
        raise DoraImportError([Problem("(no file)", "give at least one file of deployments, changes or incidents")])
    tick = progress or (lambda _f, _m: None)
    parsed: list[ParsedFile] = []
    problems: list[Problem] = []
    total = 0
    skip_helps = True
    for n, item in enumerate(inputs):
        tick(PARSE_SHARE * n / len(inputs), f"checking {item.source}")
        try:
            parsed.append(
                parse_file(
                    item.data,
                    source=item.source,
                    kind=item.kind,
                    mapping=(options.mapping or {}).get(item.kind),
                    tz=options.tz,
                    max_bytes=options.max_bytes,
                    skip_invalid=options.skip_invalid,
                )
            )
        except DoraImportError as exc:
            problems += exc.problems
            total += exc.total
            skip_helps &= exc.skip_helps
    if problems:
        raise DoraImportError(problems, total, skip_helps=skip_helps)
    return parsed


def write_import(
    session: Session,
    *,
    organisation_id: int,
    team_id: int | None,
    parsed: list[ParsedFile],
    by: str,
    progress: Progress | None = None,
    after: Callable[[Session, tuple[int, ...]], None] | None = None,
    options: WriteOptions | None = None,
) -> ImportResult:
    """Store the parsed files in the caller's transaction; `after` runs with the teams touched (cross-check).

    `options` choose merge or replace, whether new teams may be created, and see the plan first."""
    tick = progress or (lambda _f, _m: None)
    result = store_files(
        session,
        organisation_id=organisation_id,
        team_id=team_id,
        files=parsed,
        by=by,
        progress=lambda f, m: tick(PARSE_SHARE + (1 - PARSE_SHARE) * f, m),
        options=options,
    )
    if after is not None:
        after(session, result.team_ids)
    tick(1.0, result.sentence())
    return result
