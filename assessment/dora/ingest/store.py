"""Bulk writes of parsed DORA files, all or nothing, inside the caller's transaction.

SQLite gets one `executemany` upsert per table (no ORM objects: a million rows
would take minutes); PostgreSQL gets COPY into a temporary table, then one
upsert from it. A row whose id the team already has replaces the stored row,
so importing a corrected export twice never doubles anything.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa
from sqlmodel import Session, select

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in
from assessment.core.db import driver_connection, table_of
from assessment.dora.formats import Kind
from assessment.dora.ingest.parsing import ParsedFile
from assessment.dora.ingest.problems import DoraImportError, Problem
from assessment.models.assessments import Team
from assessment.models.dora import DoraChange, DoraDeployment, DoraImport, DoraIncident
from assessment.organisations.directory import ensure_team

Progress = Callable[[float, str], None]
CHUNK_ROWS = 50_000
IMPORT_CACHE_KIB = 128 * 1024  # SQLite page cache while importing
_IMPORT_LOCK = 0x0D0A  # PostgreSQL advisory lock class of DORA imports (the second key is the team id)

# canonical column -> stored column, per kind (team_id and import_id are added)
COLUMNS: dict[Kind, dict[str, str]] = {
    Kind.DEPLOYMENTS: {
        "id": "external_id",
        "service": "service",
        "deployed_at": "deployed_epoch_s",
        "status": "status",
        "environment": "environment",
        "change_ids": "change_ids",
        "first_commit_at": "first_commit_epoch_s",
    },
    Kind.CHANGES: {"id": "external_id", "committed_at": "committed_epoch_s"},
    Kind.INCIDENTS: {
        "id": "external_id",
        "service": "service",
        "started_at": "started_epoch_s",
        "resolved_at": "resolved_epoch_s",
        "deployment_id": "deployment_external_id",
        "change_id": "change_external_id",
    },
}
TABLES = {
    Kind.DEPLOYMENTS: table_of(DoraDeployment),
    Kind.CHANGES: table_of(DoraChange),
    Kind.INCIDENTS: table_of(DoraIncident),
}


@dataclass(frozen=True)
class ImportResult:
    import_id: int
    rows: dict[str, int]
    replaced: dict[str, int]
    skipped: tuple[Problem, ...]
    skipped_rows: int
    team_ids: tuple[int, ...]
    teams_created: tuple[str, ...] = field(default=())

    def sentence(self) -> str:
        parts = [
            f"{n:,} {kind}" + (f" ({self.replaced[kind]:,} replaced)" if self.replaced.get(kind) else "")
            for kind, n in self.rows.items()
        ]
        text = "imported " + ", ".join(parts)
        if self.skipped_rows:
            text += f"; skipped {self.skipped_rows:,} invalid row(s) as asked"
        return text


def store_files(
    session: Session,
    *,
    organisation_id: int,
    team_id: int | None,
    files: list[ParsedFile],
    by: str,
    progress: Progress | None = None,
) -> ImportResult:
    """Write every parsed file for the organisation; rows without a team column go to `team_id`."""
    authorize_in(
        session,
        None,
        Action.IMPORT_DORA,
        access.team(team_id) if team_id is not None else access.organisation(organisation_id),
    )
    tick = progress or (lambda _f, _m: None)
    team_ids, created = _team_ids(session, organisation_id, team_id, files)
    record = DoraImport(organisation_id=organisation_id, created_by=by, summary_json="{}")
    session.add(record)
    session.flush()
    total = sum(f.rows for f in files) or 1
    done = 0
    rows: dict[str, int] = {}
    replaced: dict[str, int] = {}
    for parsed, teams in zip(files, team_ids, strict=True):

        def step(n: int, parsed: ParsedFile = parsed, done: int = done) -> None:
            tick((done + n) / total, f"writing {parsed.source}: {n:,} of {parsed.rows:,} rows")

        replaced[parsed.kind.value] = replaced.get(parsed.kind.value, 0) + _write(
            session, parsed, teams, record.id or 0, step
        )
        rows[parsed.kind.value] = rows.get(parsed.kind.value, 0) + parsed.rows
        done += parsed.rows
    skipped = tuple(p for f in files for p in f.skipped)
    result = ImportResult(
        record.id or 0,
        rows,
        replaced,
        skipped,
        sum(f.skipped_rows for f in files),
        tuple(sorted({int(t) for teams in team_ids for t in np.unique(teams)})),
        tuple(created),
    )
    record.summary_json = _summary(files, result)
    session.add(record)
    return result


def _summary(files: list[ParsedFile], result: ImportResult) -> str:
    return json.dumps(
        {
            "files": [
                {"kind": f.kind.value, "source": f.source, "rows": f.rows, "skipped": f.skipped_rows} for f in files
            ],
            "replaced": result.replaced,
            "skipped": [str(p) for p in result.skipped[:200]],
            "teams_created": list(result.teams_created),
        }
    )


def _team_ids(
    session: Session, organisation_id: int, team_id: int | None, files: list[ParsedFile]
) -> tuple[list[np.ndarray], list[str]]:
    """The team id of every row: from its team column when given, else the chosen team."""
    problems: list[Problem] = []
    created: list[str] = []
    known: dict[str, int] = {}
    result: list[np.ndarray] = []
    for parsed in files:
        names = parsed.table.column("team")
        ids = np.full(parsed.rows, team_id if team_id is not None else -1, dtype=np.int64)
        if names.null_count < parsed.rows:
            ids = _named_team_ids(session, organisation_id, names, ids, known, created)
        missing = np.flatnonzero(ids < 0)
        problems += [
            Problem(
                parsed.source,
                "no team: give a team column value or choose a team",
                line=int(parsed.lines[row]),
                column="team",
            )
            for row in missing[:20]
        ]
        result.append(ids)
    if problems:
        raise DoraImportError(problems)
    return result, created


def _named_team_ids(
    session: Session,
    organisation_id: int,
    names: pa.Array,
    ids: np.ndarray,
    known: dict[str, int],
    created: list[str],
) -> np.ndarray:
    """Map team names to ids, creating the teams the organisation does not have yet."""
    unique = [n for n in pc.unique(names).to_pylist() if n is not None]
    for name in unique:
        if name not in known:
            exists = session.exec(
                select(Team.id).where(Team.organisation_id == organisation_id, Team.name == name.strip())
            ).first()
            known[name] = ensure_team(session, organisation_id=organisation_id, name=name).id or 0
            if exists is None:
                created.append(name)
    codes = pc.fill_null(pc.index_in(names, value_set=pa.array(unique, pa.string())), -1)
    codes_np = np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int64)
    team_of_code = np.array([known[n] for n in unique], dtype=np.int64)
    present = codes_np >= 0
    ids = ids.copy()
    ids[present] = team_of_code[codes_np[present]]
    return ids


def _write(session: Session, parsed: ParsedFile, teams: np.ndarray, import_id: int, step: Callable[[int], None]) -> int:
    """Upsert one file's rows; return how many replaced rows the team already had."""
    kind = parsed.kind
    table = TABLES[kind]
    names = ["team_id", "import_id", *COLUMNS[kind].values()]
    data = pa.table(
        {
            "team_id": pa.array(teams),
            "import_id": pa.array(np.full(parsed.rows, import_id)),
            **{stored: parsed.table.column(canon) for canon, stored in COLUMNS[kind].items()},
        }
    )
    # in index order, each insert lands next to the previous one instead of on a random page
    data = data.take(pc.sort_indices(data, [("team_id", "ascending"), ("external_id", "ascending")]))
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        _lock_teams(session, teams)
    before = _count(session, table, teams)
    if postgres:
        _copy_upsert(session, table.name, names, data, step, new=before == 0)
    else:
        _executemany_upsert(session, table.name, names, data, step)
    after = _count(session, table, teams)
    return parsed.rows - (after - before)


def _lock_teams(session: Session, teams: np.ndarray) -> None:
    """On PostgreSQL, hold each team's import lock until commit, so two imports of a team take turns.

    Then a team with no rows yet keeps none from anyone else until this import commits, and its
    rows can be copied straight into the table. Locks are taken in team order (no deadlock).
    """
    ids = [int(t) for t in np.unique(teams)]
    session.execute(
        sa.text("SELECT pg_advisory_xact_lock(:kind, t) FROM unnest(CAST(:ids AS integer[])) AS t"),
        {"kind": _IMPORT_LOCK, "ids": ids},
    )


def _count(session: Session, table: sa.Table, teams: np.ndarray) -> int:
    ids = [int(t) for t in np.unique(teams)]
    return int(
        session.execute(sa.select(sa.func.count()).select_from(table).where(table.c.team_id.in_(ids))).scalar_one()
    )


def _upsert_sql(table: str, names: list[str], source: str) -> str:
    updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in ("team_id", "external_id"))
    return (
        f"INSERT INTO {table} ({', '.join(names)}) {source} ON CONFLICT (team_id, external_id) DO UPDATE SET {updates}"
    )


def _chunks(data: pa.Table) -> Iterator[tuple[int, pa.Table]]:
    for start in range(0, data.num_rows, CHUNK_ROWS):
        yield min(start + CHUNK_ROWS, data.num_rows), data.slice(start, CHUNK_ROWS)


def _executemany_upsert(
    session: Session, table: str, names: list[str], data: pa.Table, step: Callable[[int], None]
) -> None:
    marks = ", ".join("?" for _ in names)
    sql = _upsert_sql(table, names, f"VALUES ({marks}) ")
    cursor = driver_connection(session).cursor()
    cursor.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
    try:
        for end, chunk in _chunks(data):
            rows = zip(*(chunk.column(n).to_pylist() for n in names), strict=True)
            cursor.executemany(sql, rows)  # type: ignore[arg-type]  # any iterable of rows works
            step(end)
    finally:
        cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default, for the pooled connection
        cursor.close()


def _copy_upsert(
    session: Session, table: str, names: list[str], data: pa.Table, step: Callable[[int], None], *, new: bool
) -> None:
    """COPY the rows as CSV into a temporary table, then one upsert from it.

    Rows of teams that have none yet (`new`, under the teams' import locks) cannot conflict,
    so they are copied straight into the table: about 2 s less per million rows.
    """
    cursor = driver_connection(session).cursor()
    staging = f"staging_{table}"
    cols = ", ".join(names)
    try:
        if new:
            with cursor.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
                for end, chunk in _chunks(data):
                    copy.write(_csv_bytes(chunk.select(names)))
                    step(end)
            return
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
        with cursor.copy(f"COPY {staging} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
            for end, chunk in _chunks(data):
                copy.write(_csv_bytes(chunk.select(names)))
                step(end)
        cursor.execute(_upsert_sql(table, names, f"SELECT {cols} FROM {staging}"))
        cursor.execute(f"DROP TABLE {staging}")
    finally:
        cursor.close()


def _csv_bytes(chunk: pa.Table) -> bytes:
    """CSV as COPY reads it: nulls unquoted and empty, text quoted (so '' stays an empty string)."""
    sink = io.BytesIO()
    pacsv.write_csv(chunk, sink, write_options=pacsv.WriteOptions(include_header=False, quoting_style="all_valid"))
    return sink.getvalue()
