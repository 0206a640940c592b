"""Bulk writes of parsed DORA files, all or nothing, inside the caller's transaction.

SQLite stages the rows in temporary tables, before its write lock when the
caller allows (`stage_files`, `staging.py`), then one upsert per file from them (no
ORM objects: a million rows would take minutes); PostgreSQL gets COPY into a
temporary table, then one upsert from it. A row whose id the team already has updates the stored row,
so importing a corrected export twice never doubles anything; by default an
empty value keeps the stored one (`merge.py`), and a replace must be asked for.
Before anything is written the plan (new and updated rows, values kept or lost,
teams to create) goes to the caller's `confirm`, which may stop the import.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa
from sqlmodel import Session

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in
from assessment.core.db import driver_connection, table_of
from assessment.core.errors import FoundationsError
from assessment.core.names import checked_author
from assessment.dora.formats import Kind
from assessment.dora.ingest.merge import FilePlan, ImportPlan, complete, stored_rows
from assessment.dora.ingest.parsing import ParsedFile
from assessment.dora.ingest.problems import Problem
from assessment.dora.ingest.staging import batches, move_in, stage
from assessment.dora.ingest.teams import Routing, only_chosen, route, unknown_teams
from assessment.models.assessments import Team
from assessment.models.dora import DoraChange, DoraDeployment, DoraImport, DoraIncident
from assessment.organisations.directory import ensure_team

Progress = Callable[[float, str], None]
CLIENT_CHECK_MS = 1000  # PostgreSQL: how often a running import statement checks that its client is still there
# PostgreSQL advisory locks are server-wide: the class key of DORA imports is drawn from the schema's name, so
# installs (or test runs) in other schemas of the same database never wait on each other. The second key is the team id.
_IMPORT_LOCK_CLASS = "hashtext('foundations.dora_import:' || current_schema())"

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
    plan: ImportPlan | None = None

    @property
    def _how(self) -> str:
        return "replaced" if self.plan is not None and self.plan.replace else "merged"

    def sentence(self) -> str:
        parts = [
            f"{n:,} {kind}" + (f" ({self.replaced[kind]:,} already stored: {self._how})" if self.replaced[kind] else "")
            for kind, n in self.rows.items()
        ]
        text = "imported " + ", ".join(parts)
        if self.teams_created:
            text += "; created the teams " + ", ".join(repr(n) for n in self.teams_created)
        if self.skipped_rows:
            text += f"; skipped {self.skipped_rows:,} invalid row(s) as asked"
        return text


class NotConfirmed(FoundationsError):
    """The caller did not confirm the plan (a dry run, or stored data that changed since the check)."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("the import was not confirmed; nothing was imported")
        self.plan = plan


@dataclass(frozen=True)
class WriteOptions:
    """How rows meet the stored ones: merge (an empty value keeps the stored one) or replace, and which teams."""

    replace: bool = False
    create_teams: bool = False  # create the teams a team column names that the organisation does not have
    other_teams: bool = True  # with a chosen team, may a team column send rows to other teams?
    confirm: Callable[[ImportPlan], bool] | None = None  # sees the plan before anything is written


@dataclass
class _Prepared:
    parsed: ParsedFile
    data: pa.Table  # stored columns, team_id included (negative: a team still to create)
    stored_before: int
    staged: str = ""  # SQLite: the temporary table holding `data`


@dataclass(frozen=True)
class Staged:
    """SQLite: the rows merged and staged before the write lock, and the stored state they were merged with."""

    organisation_id: int
    team_id: int | None
    plan: ImportPlan
    routing: Routing
    prepared: list[_Prepared]
    state: tuple[int, ...]


def plan_import(
    session: Session, *, organisation_id: int, team_id: int | None, files: list[ParsedFile], replace: bool = False
) -> ImportPlan:
    """What storing these files would change, without writing anything (the page's check before it asks)."""
    _authorize(session, organisation_id, team_id)
    plan, _, _ = _prepare(session, organisation_id, team_id, files, replace=replace, lock=False, other_teams=True)
    return plan


def store_files(
    session: Session,
    *,
    organisation_id: int,
    team_id: int | None,
    files: list[ParsedFile],
    by: str,
    progress: Progress | None = None,
    options: WriteOptions | None = None,
    staged: Staged | None = None,
) -> ImportResult:
    """Write every parsed file for the organisation; rows without a team column go to `team_id`.

    `staged` (SQLite) holds the rows already merged and staged by `stage_files`; they are used when
    nothing they were merged with has changed since, and merged again here otherwise."""
    options = options or WriteOptions()
    _authorize(session, organisation_id, team_id)
    tick = progress or (lambda _f, _m: None)
    if postgres(session):
        _notice_a_gone_client(session)
    if staged is not None and staged.state == _state(session, organisation_id, staged.prepared):
        plan, routing, prepared = staged.plan, staged.routing, staged.prepared  # checked and confirmed when staged
    else:
        plan, routing, prepared = _checked(session, organisation_id, team_id, files, options, lock=True)
    files = routing.files  # changes without a team: one row per team that lists them
    created, teams = _create_teams(session, organisation_id, routing, prepared, lock=postgres(session))
    record = DoraImport(organisation_id=organisation_id, created_by=checked_author(by), summary_json="{}")
    session.add(record)
    session.flush()
    total = sum(f.rows for f in files) or 1
    done = 0
    rows: dict[str, int] = {}
    replaced: dict[str, int] = {}
    for item, file_plan in zip(prepared, plan.files, strict=True):
        parsed = item.parsed

        def step(n: int, parsed: ParsedFile = parsed, done: int = done) -> None:
            tick((done + n) / total, f"writing {parsed.source}: {n:,} of {parsed.rows:,} rows")

        _write(session, parsed.kind, item, record.id or 0, step, teams)
        replaced[parsed.kind.value] = replaced.get(parsed.kind.value, 0) + file_plan.updated
        rows[parsed.kind.value] = rows.get(parsed.kind.value, 0) + parsed.rows
        done += parsed.rows
    result = ImportResult(
        record.id or 0,
        rows,
        replaced,
        tuple(p for f in files for p in f.skipped),
        sum(f.skipped_rows for f in files),
        tuple(sorted({int(t) for item in prepared for t in np.unique(item.data["team_id"].to_numpy())})),
        created,
        plan,
    )
    record.summary_json = _summary(files, result)
    session.add(record)
    return result


def stage_files(
    session: Session,
    *,
    organisation_id: int,
    team_id: int | None,
    files: list[ParsedFile],
    progress: Progress | None = None,
    options: WriteOptions | None = None,
) -> Staged:
    """SQLite: check, merge and stage the rows in this connection's temporary tables, taking no write lock.

    Run in a read transaction on the connection that then writes (`db.staging_connection`); the
    plan is confirmed here, so `store_files` given the result asks again only if the data changed."""
    options = options or WriteOptions()
    _authorize(session, organisation_id, team_id)
    tick = progress or (lambda _f, _m: None)
    plan, routing, prepared = _checked(session, organisation_id, team_id, files, options, lock=False)
    total = sum(item.data.num_rows for item in prepared) or 1
    done = 0
    for item in prepared:

        def step(n: int, done: int = done, source: str = item.parsed.source) -> None:
            tick((done + n) / total, f"preparing {source}")

        _stage(session, item, step)
        done += item.data.num_rows
    return Staged(organisation_id, team_id, plan, routing, prepared, _state(session, organisation_id, prepared))


def _checked(
    session: Session,
    organisation_id: int,
    team_id: int | None,
    files: list[ParsedFile],
    options: WriteOptions,
    *,
    lock: bool,
) -> tuple[ImportPlan, Routing, list[_Prepared]]:
    """The merged rows and their plan, refused (wrong or unknown teams) or not confirmed before anything is written."""
    plan, routing, prepared = _prepare(
        session,
        organisation_id,
        team_id,
        files,
        replace=options.replace,
        lock=lock,
        other_teams=options.other_teams or team_id is None,
    )
    if team_id is not None and not options.other_teams:
        only_chosen(session, routing, routing.files, team_id)
    if routing.new_names and not options.create_teams:
        raise unknown_teams(routing)
    if options.confirm is not None and not options.confirm(plan):
        raise NotConfirmed(plan)
    return plan, routing, prepared


def _state(session: Session, organisation_id: int, prepared: list[_Prepared]) -> tuple[int, ...]:
    """What staged rows were merged with: the last import, the organisation's teams and each file's stored rows.

    Stored DORA rows change only by an import (a new dora_import row) or with their team."""
    last = session.execute(sa.select(sa.func.max(DoraImport.id))).scalar()
    teams = session.execute(
        sa.select(sa.func.count(), sa.func.max(Team.id)).where(Team.organisation_id == organisation_id)  # type: ignore[arg-type]
    ).one()
    counts = [_count(session, TABLES[i.parsed.kind], _existing(i.data)) for i in prepared]
    return (last or 0, teams[0], teams[1] or 0, *counts)


def _existing(data: pa.Table) -> list[int]:
    return sorted({int(t) for t in np.unique(data["team_id"].to_numpy()) if t >= 0})


def _authorize(session: Session, organisation_id: int, team_id: int | None) -> None:
    authorize_in(
        session,
        None,
        Action.IMPORT_DORA,
        access.team(team_id) if team_id is not None else access.organisation(organisation_id),
    )


def _summary(files: list[ParsedFile], result: ImportResult) -> str:
    return json.dumps(
        {
            "files": [
                {"kind": f.kind.value, "source": f.source, "rows": f.rows, "skipped": f.skipped_rows} for f in files
            ],
            "replaced": result.replaced,
            "mode": "replace" if result.plan and result.plan.replace else "merge",
            "plan": result.plan.lines() if result.plan else [],
            "skipped": [str(p) for p in result.skipped[:200]],
            "teams_created": list(result.teams_created),
        }
    )


def _prepare(
    session: Session,
    organisation_id: int,
    team_id: int | None,
    files: list[ParsedFile],
    *,
    replace: bool,
    lock: bool,
    other_teams: bool,
) -> tuple[ImportPlan, Routing, list[_Prepared]]:
    """Each file's rows as they would be stored (merged with the stored ones), and the plan that says so."""
    routing = route(session, organisation_id, team_id, files, other_teams=other_teams)
    prepared: list[_Prepared] = []
    plans: list[FilePlan] = []
    for parsed, teams in zip(routing.files, routing.ids, strict=True):
        table = TABLES[parsed.kind]
        existing = sorted({int(t) for t in np.unique(teams) if t >= 0})
        if lock and postgres(session):
            _lock_teams(session, existing)
        before = _count(session, table, existing)
        data = pa.table(
            {
                "team_id": pa.array(teams),
                **{stored: parsed.table.column(canon) for canon, stored in COLUMNS[parsed.kind].items()},
            }
        )
        stored = stored_rows(session, table, parsed.kind, existing) if before else None
        data, plan = complete(data, stored, parsed.kind, replace=replace)
        prepared.append(_Prepared(parsed, data, before))
        plans.append(plan)
    notes = tuple(m.line() for m in routing.matched)
    return ImportPlan(replace, tuple(plans), routing.new_names, notes), routing, prepared


def _create_teams(
    session: Session, organisation_id: int, routing: Routing, prepared: list[_Prepared], *, lock: bool
) -> tuple[tuple[str, ...], dict[int, int]]:
    """Create the new teams and put their ids into the rows; their names, and their placeholder ids -> real ids.

    On PostgreSQL a concurrent import may have created the same team and committed rows
    for it meanwhile: its lock is taken and its rows counted, so they are upserted, not copied.
    """
    if not routing.new_names:
        return (), {}
    real = np.array(
        [ensure_team(session, organisation_id=organisation_id, name=name).id or 0 for name in routing.new_names],
        dtype=np.int64,
    )
    if lock:
        _lock_teams(session, sorted(int(t) for t in real))
    for item in prepared:
        ids = np.asarray(item.data["team_id"].to_numpy(), dtype=np.int64)
        if (ids < 0).any():
            ids = np.where(ids < 0, real[np.clip(-1 - ids, 0, len(real) - 1)], ids)
            item.data = item.data.set_column(0, "team_id", pa.array(ids))
            if lock:
                item.stored_before += _count(session, TABLES[item.parsed.kind], sorted({int(t) for t in real}))
    return routing.new_names, {-1 - n: int(t) for n, t in enumerate(real)}


def postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _write(
    session: Session, kind: Kind, item: _Prepared, import_id: int, step: Callable[[int], None], teams: dict[int, int]
) -> None:
    """Upsert one file's rows (already merged with the stored ones: the SQL replaces)."""
    table = TABLES[kind]
    if not postgres(session):
        if not item.staged:
            _stage(session, item, step)
        move_in(session, item.staged, table.name, ["team_id", *COLUMNS[kind].values()], import_id, teams)
        step(item.data.num_rows)
        return
    names = ["team_id", "import_id", *COLUMNS[kind].values()]
    data = item.data.append_column("import_id", pa.array(np.full(item.data.num_rows, import_id, dtype=np.int64)))
    _copy_upsert(session, table.name, names, _in_index_order(data), step, new=item.stored_before == 0)


def _stage(session: Session, item: _Prepared, step: Callable[[int], None]) -> None:
    """SQLite: the file's rows into a temporary table of this connection, in index order."""
    item.staged = f"staged_{item.parsed.kind.value}_{id(item)}"
    stage(session, item.staged, ["team_id", *COLUMNS[item.parsed.kind].values()], _in_index_order(item.data), step)


def _in_index_order(data: pa.Table) -> pa.Table:
    """Rows by team and id: each insert then lands next to the previous one instead of on a random page."""
    return data.take(pc.sort_indices(data, [("team_id", "ascending"), ("external_id", "ascending")]))


def _notice_a_gone_client(session: Session) -> None:
    """PostgreSQL 14+: check every second, while a statement runs, that the importer is still connected.

    Otherwise a server whose client was killed goes on with a long upsert (38 s for a million rows),
    holding the teams' import locks, and a rerun waits without a word."""
    if (session.connection().dialect.server_version_info or (0,)) >= (14,):
        session.execute(sa.text(f"SET LOCAL client_connection_check_interval = {CLIENT_CHECK_MS}"))


def _lock_teams(session: Session, ids: list[int]) -> None:
    """On PostgreSQL, hold each team's import lock until commit, so two imports of a team take turns.

    Then a team with no rows yet keeps none from anyone else until this import commits, and its
    rows can be copied straight into the table. Locks are taken in team order (no deadlock).
    """
    session.execute(
        sa.text(f"SELECT pg_advisory_xact_lock({_IMPORT_LOCK_CLASS}, t) FROM unnest(CAST(:ids AS integer[])) AS t"),
        {"ids": ids},
    )


def _count(session: Session, table: sa.Table, ids: list[int]) -> int:
    if not ids:
        return 0
    return int(
        session.execute(sa.select(sa.func.count()).select_from(table).where(table.c.team_id.in_(ids))).scalar_one()
    )


def _upsert_sql(table: str, names: list[str], source: str) -> str:
    updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in ("team_id", "external_id"))
    return (
        f"INSERT INTO {table} ({', '.join(names)}) {source} ON CONFLICT (team_id, external_id) DO UPDATE SET {updates}"
    )


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
                for end, chunk in batches(data):
                    copy.write(_csv_bytes(chunk.select(names)))
                    step(end)
            return
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
        with cursor.copy(f"COPY {staging} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
            for end, chunk in batches(data):
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
