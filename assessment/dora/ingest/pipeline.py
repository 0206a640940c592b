"""The import as the app and the CLI run it: parse every file (no lock held), then write all in one transaction.

Parsing happens before the write transaction opens, so a slow file never holds
the database's write lock, and every file's problems are reported together. On
SQLite the rows are also merged and staged before it (`import_files`), so the
write transaction, during which every answer save waits, is one statement per file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from assessment.core import db
from assessment.dora.formats import Kind
from assessment.dora.ingest.mapping import Mapping
from assessment.dora.ingest.parsing import ParsedFile, parse_file
from assessment.dora.ingest.problems import DoraImportError, Problem
from assessment.dora.ingest.sources import DEFAULT_MAX_BYTES
from assessment.dora.ingest.store import ImportResult, Progress, Staged, WriteOptions, stage_files, store_files

PARSE_SHARE = 0.3  # of the progress bar: reading and checking; the rest is writing
STAGE_SHARE = 0.8  # of the writing, on SQLite: staging the rows before the write lock


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


@dataclass(frozen=True)
class Target:
    """Where the rows go: `find` reads (None when the organisation or team is still to be made), `make` may create."""

    find: Callable[[Session], tuple[int, int | None] | None]
    make: Callable[[Session], tuple[int, int | None]]


def import_files(
    engine: Engine,
    *,
    target: Target,
    parsed: list[ParsedFile],
    by: str,
    progress: Progress | None = None,
    after: Callable[[Session, tuple[int, ...]], None] | None = None,
    options: WriteOptions | None = None,
) -> ImportResult:
    """Store the parsed files in a write transaction of their own, all or nothing.

    SQLite (one writer at a time): the rows are merged and staged first, in a read transaction on the
    same connection, so answer saves wait for the write only as long as moving the rows in takes.
    PostgreSQL writes beside the saves (only the teams' import locks are held), in one transaction, and so
    does an in-memory SQLite database (its one connection is the database: it cannot be closed after staging)."""
    tick = progress or (lambda _f, _m: None)
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):  # one connection is the db
        with db.write_session(engine) as session:
            organisation_id, team_id = target.make(session)
            return write_import(
                session,
                organisation_id=organisation_id,
                team_id=team_id,
                parsed=parsed,
                by=by,
                progress=tick,
                after=after,
                options=options,
            )
    staged_until = PARSE_SHARE + (1 - PARSE_SHARE) * STAGE_SHARE
    with db.staging_connection(engine) as connection:
        staged: Staged | None = None
        with db.session_on(connection, write=False) as session:
            found = target.find(session)
            if found is not None:
                organisation_id, team_id = found
                stage = _span(tick, 0.0, 1.0, PARSE_SHARE, staged_until)
                staged = stage_files(
                    session,
                    organisation_id=organisation_id,
                    team_id=team_id,
                    files=parsed,
                    progress=stage,
                    options=options,
                )
        with db.session_on(connection, write=True) as session:
            organisation_id, team_id = target.make(session)
            if staged is not None and (organisation_id, team_id) != (staged.organisation_id, staged.team_id):
                staged = None
            start = staged_until if staged is not None else PARSE_SHARE
            return write_import(
                session,
                organisation_id=organisation_id,
                team_id=team_id,
                parsed=parsed,
                by=by,
                progress=_span(tick, PARSE_SHARE, 1.0, start, 1.0),
                after=after,
                options=options,
                staged=staged,
            )


def _span(tick: Progress, low: float, high: float, start: float, end: float) -> Progress:
    """Progress reported over [low, high] shown over [start, end] of the bar."""
    return lambda f, m: tick(start + (end - start) * (f - low) / (high - low), m)


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
    staged: Staged | None = None,
) -> ImportResult:
    """Store the parsed files in the caller's transaction; `after` runs with the teams touched (cross-check).

    `options` choose merge or replace, whether new teams may be created, and see the plan first;
    `staged` is what `import_files` prepared before the transaction (SQLite)."""
    tick = progress or (lambda _f, _m: None)
    result = store_files(
        session,
        organisation_id=organisation_id,
        team_id=team_id,
        files=parsed,
        by=by,
        progress=lambda f, m: tick(PARSE_SHARE + (1 - PARSE_SHARE) * f, m),
        options=options,
        staged=staged,
    )
    if after is not None:
        after(session, result.team_ids)
    tick(1.0, result.sentence())
    return result
