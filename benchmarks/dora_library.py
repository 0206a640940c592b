"""The DORA metrics by libraries alone: ADBC reads the stored rows into Arrow, DuckDB SQL computes the figures.

The alternative to the app's own path (assessment/dora/metrics: raw DB-API cursors
with joined strings, numpy group-bys), kept here so benchmarks/dora_import.py can time
both side by side and tests/dora/test_library_path.py can check they agree. It is far
shorter, and the rule was to ship it unless the app's path is more than 1.3x faster.
It is not shipped (figures in the README and docs/DORA.md):

- PostgreSQL: the app's path is 1.4-1.5x faster in wall time (1.9x less CPU in the client);
  the DuckDB SQL alone takes two to three times the CPU of the numpy code.
- SQLite: with ADBC it came within 1.2x, but the ADBC SQLite driver links its own copy
  of SQLite, and two SQLite libraries in one process do not see each other's POSIX
  locks: when its last connection closes it checkpoints and deletes the WAL under the
  app's open connections (the next one fails with "disk I/O error", and a row the app
  committed meanwhile was lost). Inside the app it would have to read through sqlite3's
  Python rows instead (`read_frames_dbapi`), 3.1-3.7x slower than the app's path.

Here it reads from a URL, in a process where nothing else has the file open.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyarrow as pa

from assessment.dora.formats import PRODUCTION_ENVIRONMENTS, SUCCESS_STATUSES
from assessment.dora.metrics.compute import DoraMetrics
from assessment.dora.metrics.quality import (
    NO_COMMIT_TIME,
    NO_RESOLUTION,
    NOT_LINKED,
    NOT_SHIPPED_AGAIN,
    DataQuality,
    by_team,
)
from assessment.dora.metrics.window import Window

_I64, _STR = pa.int64(), pa.string()
SCHEMAS = {
    "deployments": pa.schema(
        [
            ("team_id", _I64),
            ("external_id", _STR),
            ("service", _STR),
            ("deployed_s", _I64),
            ("change_ids", _STR),
            ("first_commit_s", _I64),
            ("status", _STR),
            ("environment", _STR),
        ]
    ),
    "changes": pa.schema([("team_id", _I64), ("external_id", _STR), ("committed_s", _I64)]),
    "incidents": pa.schema(
        [
            ("team_id", _I64),
            ("external_id", _STR),
            ("service", _STR),
            ("started_s", _I64),
            ("resolved_s", _I64),
            ("deployment_id", _STR),
            ("change_id", _STR),
        ]
    ),
    "totals": pa.schema([("team_id", _I64), ("kind", _STR), ("n", _I64)]),
}


def _queries(team_ids: list[int], window: Window, lookback_s: int) -> dict[str, str]:
    """The reads; every value in them is an integer computed here (nothing to bind)."""
    teams, since, until = ", ".join(str(int(t)) for t in team_ids) or "NULL", window.since_s, window.until_s
    return {
        "deployments": f"""SELECT team_id, external_id, service, deployed_epoch_s, change_ids, first_commit_epoch_s,
            status, environment FROM dora_deployment WHERE team_id IN ({teams})
            AND deployed_epoch_s >= {since - int(lookback_s)} AND deployed_epoch_s < {until}""",
        "changes": f"""SELECT team_id, external_id, committed_epoch_s FROM dora_change
            WHERE team_id IN ({teams}) AND committed_epoch_s < {until}""",
        "incidents": f"""SELECT team_id, external_id, service, started_epoch_s, resolved_epoch_s,
            deployment_external_id, change_external_id FROM dora_incident WHERE team_id IN ({teams})
            AND started_epoch_s >= {since} AND started_epoch_s < {until}""",
        "totals": f"""SELECT team_id, 'deployments', count(*) FROM dora_deployment WHERE team_id IN ({teams})
            GROUP BY team_id UNION ALL SELECT team_id, 'incidents', count(*) FROM dora_incident
            WHERE team_id IN ({teams}) GROUP BY team_id""",
    }


def _connect(url: str) -> Any:
    """An ADBC connection for a SQLAlchemy URL (sqlite:///FILE or postgresql+psycopg://…)."""
    import sqlalchemy as sa

    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        import adbc_driver_sqlite.dbapi as adbc_sqlite

        return adbc_sqlite.connect(parsed.database)
    import adbc_driver_postgresql.dbapi as adbc_postgresql

    return adbc_postgresql.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False))


def _read(url: str, queries: list[str]) -> list[pa.Table]:
    """Each query's rows as an Arrow table, on one new connection in one read transaction."""
    with _connect(url) as conn, conn.cursor() as cursor:
        if url.startswith("sqlite"):
            # the driver infers a column's type from the first 1024 rows unless told to look at more, and a
            # column null there that holds text later fails the read
            cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(10**9)})
            # the two readers open the file at once, and the first to find no WAL index builds it under an
            # exclusive lock: without a busy timeout the other fails at once with "database is locked"
            cursor.execute("PRAGMA busy_timeout = 15000")
            cursor.fetchall()
        tables = []
        for sql in queries:
            cursor.execute(sql)
            tables.append(cursor.fetch_arrow_table())
        conn.rollback()
        return tables


def read_frames(url: str, *, team_ids: list[int], window: Window, lookback_s: int) -> dict[str, pa.Table]:
    """The stored rows, deployments on one connection while changes, incidents and totals come on another."""
    queries = _queries(team_ids, window, lookback_s)
    with ThreadPoolExecutor(max_workers=1) as other:
        rest = other.submit(_read, url, [queries["changes"], queries["incidents"], queries["totals"]])
        (deployments,) = _read(url, [queries["deployments"]])
        tables = dict(zip(("changes", "incidents", "totals"), rest.result(), strict=True))
    tables["deployments"] = deployments
    # our names and types (SQLite's driver calls a column of nulls int64; PostgreSQL's ids are int4)
    return {
        kind: pa.Table.from_arrays(
            [c.cast(f.type) for c, f in zip(table.columns, SCHEMAS[kind], strict=True)], schema=SCHEMAS[kind]
        )
        for kind, table in tables.items()
    }


def read_frames_dbapi(url: str, *, team_ids: list[int], window: Window, lookback_s: int) -> dict[str, pa.Table]:
    """The same reads through the app's own drivers (sqlite3, psycopg): Python rows turned into Arrow.

    What a library path must do where ADBC cannot be used, as with SQLite inside the app.
    """
    from assessment.core import db

    engine = db.make_engine(url)
    try:
        with engine.connect() as conn:
            tables = {}
            for kind, sql in _queries(team_ids, window, lookback_s).items():
                rows = conn.exec_driver_sql(sql).all()
                columns = list(zip(*rows, strict=True)) or [()] * len(SCHEMAS[kind])
                tables[kind] = pa.Table.from_arrays(
                    [pa.array(c, f.type) for c, f in zip(columns, SCHEMAS[kind], strict=True)], schema=SCHEMAS[kind]
                )
            return tables
    finally:
        engine.dispose()


# Each statement runs on its own (DuckDB binds parameters only for a single statement); the intermediate
# tables are read more than once, so they are made once. Definitions: docs/DORA.md.
STEPS = (
    """CREATE TEMP TABLE dep AS
    SELECT team_id AS team, external_id AS id, service, deployed_s AS ts, change_ids, first_commit_s,
           status, environment,
           list_contains(getvariable('success'), status) AND list_contains(getvariable('production'), environment)
             AS counted,
           deployed_s >= getvariable('since') AS in_window
    FROM deployments""",
    # each change shipped in the window: its first deployment (earliest; at the same second the smallest id)
    """CREATE TEMP TABLE firsts AS
    SELECT team, cid, min(ts) AS ts, arg_min(id, (ts, id)) AS dep, count(*) AS listed
    FROM (SELECT team, unnest(string_split(change_ids, ';')) AS cid, id, ts FROM dep
          WHERE counted AND in_window AND change_ids IS NOT NULL)
    GROUP BY team, cid""",
    # seconds from commit to first deployment; NULL when the change is not in the changes data
    """CREATE TEMP TABLE leads AS
    SELECT f.team, f.cid, f.ts - c.committed_s AS s FROM firsts f
    LEFT JOIN changes c ON c.team_id = f.team AND c.external_id = f.cid""",
    # by deployment id, else change id, else the latest deployment of the service in the look-back
    # (at the same second the largest id, the one the app reads last); counted when linked in the window
    """CREATE TEMP TABLE links AS
    WITH named AS (
      SELECT i.*, coalesce(n.id, f.dep) AS named_id, coalesce(n.ts, f.ts) AS named_ts FROM incidents i
      LEFT JOIN dep n ON n.counted AND n.team = i.team_id AND n.id = i.deployment_id
      LEFT JOIN firsts f ON f.team = i.team_id AND f.cid = i.change_id),
    latest AS (SELECT team, service, ts, max(id) AS id FROM dep WHERE counted GROUP BY team, service, ts),
    attributed AS (
      SELECT n.*, CASE WHEN n.started_s - a.ts <= getvariable('lookback') THEN a.id END AS near_id,
             CASE WHEN n.started_s - a.ts <= getvariable('lookback') THEN a.ts END AS near_ts
      FROM named n ASOF LEFT JOIN latest a
        ON a.team = n.team_id AND a.service = n.service AND n.started_s >= a.ts)
    SELECT team_id AS team, external_id AS id, started_s, resolved_s, named_id IS NOT NULL AS by_id,
           coalesce(named_id, near_id) AS linked,
           coalesce(coalesce(named_ts, near_ts) >= getvariable('since'), false) AS counted
    FROM attributed""",
)

FIGURES = """
WITH freq AS (
  SELECT team, count(*) FILTER (in_window) AS stored, count(*) FILTER (counted AND in_window) AS n,
         count(DISTINCT floor(ts / 86400)) FILTER (counted AND in_window) AS days
  FROM dep GROUP BY team),
samples AS (
  SELECT team, s FROM leads WHERE s >= 0
  UNION ALL SELECT team, ts - first_commit_s FROM dep
  WHERE counted AND in_window AND change_ids IS NULL AND first_commit_s IS NOT NULL),
lead AS (SELECT team, quantile_cont(s / 3600, [0.5, 0.9]) AS q, count(*) AS n FROM samples GROUP BY team),
inc AS (
  SELECT team, count(*) AS n, count(DISTINCT linked) FILTER (counted) AS failed,
         count(*) FILTER (counted AND by_id) AS by_id, count(*) FILTER (counted AND NOT by_id) AS attributed,
         count(resolved_s) AS resolved, quantile_cont((resolved_s - started_s) / 3600, [0.5, 0.9]) AS q
  FROM links GROUP BY team)
SELECT team, coalesce(freq.stored, 0), coalesce(freq.n, 0), coalesce(freq.days, 0), lead.q, coalesce(lead.n, 0),
       coalesce(inc.n, 0), coalesce(inc.failed, 0), coalesce(inc.by_id, 0), coalesce(inc.attributed, 0),
       coalesce(inc.resolved, 0), inc.q
FROM freq FULL JOIN lead USING (team) FULL JOIN inc USING (team)
"""

LEFT_OUT = """
SELECT team AS team_id, kind, id, reason FROM (
  SELECT team, 1 AS part, 'deployments' AS kind, id,
         CASE WHEN list_contains(getvariable('success'), status)
              THEN 'environment ''' || environment || ''' is not production'
              ELSE 'status ''' || status || ''' is not a success' END AS reason
  FROM dep WHERE in_window AND NOT counted
  UNION ALL SELECT team, 2, 'deployments', id, $no_commit FROM dep
  WHERE counted AND in_window AND change_ids IS NULL AND first_commit_s IS NULL
  UNION ALL SELECT team, 3, 'changes', cid, $again FROM firsts WHERE listed > 1
  UNION ALL SELECT team, 4, 'changes', cid, CASE WHEN s IS NULL THEN $not_found ELSE $backwards END FROM leads
  WHERE s IS NULL OR s < 0
  UNION ALL SELECT team, 5, 'incidents', id, $unresolved FROM links WHERE resolved_s IS NULL
  UNION ALL SELECT team, 6, 'incidents', id, $unlinked FROM links WHERE NOT counted)
ORDER BY team, part, id
"""

REASONS = {
    "no_commit": NO_COMMIT_TIME,
    "again": NOT_SHIPPED_AGAIN,
    "not_found": "change id not found in the changes data",
    "backwards": "committed after the deployment that shipped it",
    "unresolved": NO_RESOLUTION,
    "unlinked": NOT_LINKED,
}


def metrics_from_frames(
    frames: dict[str, pa.Table], *, team_ids: list[int], window: Window, lookback_s: int
) -> dict[int, DoraMetrics]:
    """Every team's figures, as the app's DoraMetrics, from one in-memory DuckDB database."""
    import duckdb

    con = duckdb.connect()
    try:
        for kind in ("deployments", "changes", "incidents"):
            con.register(kind, frames[kind])
        for name, value in (
            ("since", window.since_s),
            ("lookback", int(lookback_s)),
            ("success", sorted(SUCCESS_STATUSES)),
            ("production", sorted(PRODUCTION_ENVIRONMENTS)),
        ):
            con.execute(f"SET VARIABLE {name} = $1", [value])
        for step in STEPS:
            con.execute(step)
        figures = {int(row[0]): row for row in con.sql(FIGURES).fetchall()}
        left_out = con.sql(LEFT_OUT, params=REASONS).to_arrow_table()
    finally:
        con.close()
    outside: dict[tuple[int, str], int] = {}
    for team, kind, total in zip(*(frames["totals"][c].to_pylist() for c in ("team_id", "kind", "n")), strict=True):
        row = figures.get(team)
        inside = 0 if row is None else int(row[1] if kind == "deployments" else row[6])
        if total - inside:
            outside[(team, kind)] = total - inside
    quality = by_team(left_out, outside)
    return {team: _team(team, window, figures.get(team), quality.get(team)) for team in team_ids}


def compute_metrics(
    url: str, *, team_ids: list[int], window: Window, lookback_hours: float = 24, adbc: bool = True
) -> dict[int, DoraMetrics]:
    """Read with ADBC (or, `adbc=False`, through the app's drivers), then compute with DuckDB."""
    lookback_s = int(lookback_hours * 3600)
    read = read_frames if adbc else read_frames_dbapi
    frames = read(url, team_ids=team_ids, window=window, lookback_s=lookback_s)
    return metrics_from_frames(frames, team_ids=team_ids, window=window, lookback_s=lookback_s)


def _pair(quantiles: list[float] | None) -> tuple[float | None, float | None]:
    return (None, None) if quantiles is None else (float(quantiles[0]), float(quantiles[1]))


def _team(team: int, window: Window, row: tuple[Any, ...] | None, quality: DataQuality | None) -> DoraMetrics:
    _, _, count, days, lead, lead_n, incidents, failed, by_id, by_attribution, resolved, recovery = row or (
        team,
        0,
        0,
        0,
        None,
        0,
        0,
        0,
        0,
        0,
        0,
        None,
    )
    return DoraMetrics.from_counts(
        team,
        window,
        deployments=count,
        days=days,
        lead=_pair(lead),
        lead_samples=lead_n,
        failed=failed,
        incidents=incidents,
        by_id=by_id,
        by_attribution=by_attribution,
        resolved=resolved,
        recovery=_pair(recovery),
        quality=quality,
    )
