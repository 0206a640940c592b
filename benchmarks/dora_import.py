"""Time the DORA import and metrics on a large data set, the app's path against a library path and DuckDB on CSV.

Usage: .venv/bin/python benchmarks/dora_import.py [--deployments 1000000] [--incidents 100000]
       [--teams 200] [--url DATABASE_URL] [--dir FOLDER] [--repeat 5] [--imports 1]

It generates deployments, changes (one per deployment) and incidents across the
teams as canonical CSV files with a team column, then runs each stage in its own
process so every stage's peak memory (max RSS) is its own:
  import   parse and check every file, then write everything in one transaction
  floor    the same rows into the same tables by the plainest bulk path, no checks: pyarrow
           reads the CSV files, then one executemany (SQLite) or COPY (PostgreSQL) per table
  metrics  the four keys for every team, from the stored rows, as the app computes them
           (assessment/dora/metrics: raw DB-API cursors, joined strings, numpy)
  library  the same figures by libraries alone (benchmarks/dora_library.py: ADBC reads
           the rows into Arrow, DuckDB SQL computes), the path the app did not take
  dbapi    the library path reading through sqlite3 or psycopg rows instead of ADBC (what
           it must do on SQLite inside the app, where a second SQLite library is unsafe)
  duckdb   the four keys with one DuckDB SQL query over the CSV files (the baseline)
Every stage after the import runs --repeat times, interleaved (metrics, library, dbapi,
duckdb, metrics, ...), and the medians are printed with the ratios to the app's path and
metrics / DuckDB, and the load average before and after. The machine is shared, so
wall time moves with its load; CPU time is the steadier figure (it counts every thread
of the process, so work done in parallel does not make it smaller).
With a PostgreSQL URL the stages work in a schema of their own, created for the run and
dropped after it, so rows left by an earlier run are never replaced instead of inserted.
The import and the floor run --imports times (1 by default), interleaved, each into an empty
database. Targets: import under 20 s and at most 3x the floor, metrics no slower than DuckDB
(ratio <= 1.0), peak under 1.5 GB.
The rule for the two paths: the simpler one (the library path) unless the other is more
than 1.3x faster.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # tests.support (the DuckDB reference) and benchmarks.dora_library
    sys.path.insert(0, str(ROOT))

START = datetime(2024, 1, 1, tzinfo=UTC)
DAYS = 90


def generate(folder: Path, deployments: int, incidents: int, teams: int) -> None:
    """Write deployments.csv, changes.csv and incidents.csv (seeded: the same files every run)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(42)
    t0 = int(START.timestamp())
    team = rng.integers(0, teams, deployments)
    # distinct times: which of two same-second deployments "latest" means is arbitrary in both implementations
    deployed = t0 + rng.choice(DAYS * 86_400, size=deployments, replace=False)
    committed = deployed - rng.integers(60, 10 * 86_400, deployments)
    ids = np.char.add("d", np.arange(deployments).astype(str))
    change_ids = np.char.add("c", np.arange(deployments).astype(str))
    names = np.char.add("team-", team.astype(str))
    services = np.char.add(
        np.char.add("svc-", team.astype(str)), np.char.add("-", rng.integers(0, 3, deployments).astype(str))
    )

    def iso(seconds: Any) -> pa.Array:
        return pc.strftime(pa.array(seconds.astype("datetime64[s]")), format="%Y-%m-%dT%H:%M:%SZ")

    status = np.where(rng.random(deployments) < 0.95, "success", "failed")
    pacsv.write_csv(
        pa.table(
            {
                "team": names,
                "id": ids,
                "service": services,
                "deployed_at": iso(deployed),
                "status": status,
                "environment": np.full(deployments, "production"),
                "change_ids": change_ids,
                "first_commit_at": np.full(deployments, ""),
            }
        ),
        folder / "deployments.csv",
    )
    pacsv.write_csv(pa.table({"team": names, "id": change_ids, "committed_at": iso(committed)}), folder / "changes.csv")
    which = rng.integers(0, deployments, incidents)
    started = deployed[which] + rng.integers(60, 5 * 3600, incidents)
    resolved = started + rng.integers(60, 86_400, incidents)
    open_ = rng.random(incidents) < 0.02
    pacsv.write_csv(
        pa.table(
            {
                "team": names[which],
                "id": np.char.add("i", np.arange(incidents).astype(str)),
                "service": services[which],
                "started_at": iso(started),
                "resolved_at": pc.if_else(pa.array(open_), "", iso(resolved)),
                "deployment_id": np.where(rng.random(incidents) < 0.5, ids[which], ""),
                "change_id": np.full(incidents, ""),
            }
        ),
        folder / "incidents.csv",
    )


def window() -> Any:
    from assessment.dora.metrics.window import Window

    return Window(START, datetime.fromtimestamp(START.timestamp() + (DAYS + 1) * 86_400, UTC))


def stage_import(folder: Path, url: str) -> dict[str, Any]:
    from assessment.core import db
    from assessment.dora.formats import Kind
    from assessment.dora.ingest.pipeline import FileInput, ImportOptions, parse_inputs, write_import
    from assessment.dora.ingest.store import WriteOptions
    from assessment.organisations.directory import ensure_organisation

    engine = db.make_engine(url)
    db.upgrade(engine)
    inputs = [FileInput(k, f"{k.value}.csv", (folder / f"{k.value}.csv").read_bytes()) for k in Kind]
    wall, cpu = time.perf_counter(), time.process_time()
    parsed = parse_inputs(inputs, ImportOptions(max_bytes=None))
    checked = time.perf_counter() - wall
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Benchmark")
        result = write_import(
            session,
            organisation_id=org.id or 0,
            team_id=None,
            parsed=parsed,
            by="benchmark",
            options=WriteOptions(create_teams=True),
        )
    return {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "check_wall": checked,
        "rows": result.rows,
    }


# file column -> stored column, per file: the floor loads the same rows into the same tables
FLOOR_TABLES = {
    "deployments": (
        "dora_deployment",
        {
            "id": "external_id",
            "service": "service",
            "deployed_at": "deployed_epoch_s",
            "status": "status",
            "environment": "environment",
            "change_ids": "change_ids",
            "first_commit_at": "first_commit_epoch_s",
        },
    ),
    "changes": ("dora_change", {"id": "external_id", "committed_at": "committed_epoch_s"}),
    "incidents": (
        "dora_incident",
        {
            "id": "external_id",
            "service": "service",
            "started_at": "started_epoch_s",
            "resolved_at": "resolved_epoch_s",
            "deployment_id": "deployment_external_id",
            "change_id": "change_external_id",
        },
    ),
}


def _floor_table(data: bytes, names: list[str], team_ids: Any) -> Any:
    """pyarrow reads the file (times straight to seconds, empty cells null); team names become team ids."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(
        pa.py_buffer(data), convert_options=pacsv.ConvertOptions(strings_can_be_null=True)
    )  # the generated times are all ...Z: Arrow reads them as UTC timestamps
    columns = {"team_id": pc.take(team_ids[1], pc.index_in(table.column("team"), value_set=team_ids[0]))}
    for column in names:
        values = table.column(column)
        if pa.types.is_timestamp(values.type):
            values = values.cast(pa.timestamp("s")).cast(pa.int64())
        elif pa.types.is_null(values.type):
            values = values.cast(pa.string())
        columns[column] = values
    return pa.table(columns)


def stage_floor(folder: Path, url: str) -> dict[str, Any]:
    """The plainest bulk path, no checks: pyarrow reads, then executemany (SQLite) or COPY (PostgreSQL)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    from assessment.core import db
    from assessment.models.dora import DoraImport
    from assessment.organisations.directory import ensure_organisation, ensure_team

    engine = db.make_engine(url)
    db.upgrade(engine)
    files = {kind: (folder / f"{kind}.csv").read_bytes() for kind in FLOOR_TABLES}
    wall, cpu = time.perf_counter(), time.process_time()
    rows: dict[str, int] = {}
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Benchmark")
        names = pc.unique(
            pacsv.read_csv(
                pa.py_buffer(files["deployments"]), convert_options=pacsv.ConvertOptions(include_columns=["team"])
            ).column("team")
        )
        ids = [ensure_team(session, organisation_id=org.id or 0, name=n).id for n in names.to_pylist()]
        record = DoraImport(organisation_id=org.id or 0, created_by="floor", summary_json="{}")
        session.add(record)
        session.flush()
        team_ids = (names, pa.array(ids, pa.int64()))
        connection = db.driver_connection(session)
        cursor = connection.cursor()
        for kind, (name, columns) in FLOOR_TABLES.items():
            table = _floor_table(files[kind], list(columns), team_ids)
            table = table.append_column("import_id", pa.array([record.id] * table.num_rows, pa.int64()))
            stored = ["team_id", *columns.values(), "import_id"]
            if url.startswith("postgresql"):
                sink = io.BytesIO()
                pacsv.write_csv(table, sink, write_options=pacsv.WriteOptions(include_header=False))
                with cursor.copy(f"COPY {name} ({', '.join(stored)}) FROM STDIN WITH (FORMAT csv)") as copy:
                    copy.write(sink.getvalue())
            else:
                marks = ", ".join("?" * len(stored))
                values = zip(*(column.to_pylist() for column in table.columns), strict=True)
                sqlite = cast(sqlite3.Cursor, cursor)  # the rows stream from the columns, never all in one list
                sqlite.executemany(f"INSERT INTO {name} ({', '.join(stored)}) VALUES ({marks})", values)
            rows[kind] = table.num_rows
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "rows": rows}


def _teams(url: str) -> dict[str, int]:
    from sqlmodel import select

    from assessment.core import db
    from assessment.models.assessments import Team

    engine = db.make_engine(url)
    try:
        with db.read_session(engine) as session:
            return {name: tid for tid, name in session.exec(select(Team.id, Team.name)).all() if tid is not None}
    finally:
        engine.dispose()  # no SQLite connection of this process stays open while the library path reads


KEYS = ("deployments", "lead_time_hours_median", "change_failure_rate_pct", "recovery_hours_median")


def _figures(metrics: Any) -> dict[str, Any]:
    """Every figure of one team and its data-quality counts (for comparing the two paths)."""
    values = {k: v for k, v in metrics.__dict__.items() if k not in ("team_id", "window", "quality")}
    return {**values, "quality": metrics.quality.counts()}


def stage_metrics(url: str) -> dict[str, Any]:
    """The app's path, on the app's session (the two-connection read included)."""
    from assessment.core import db
    from assessment.dora.metrics.compute import compute_metrics

    teams = _teams(url)
    engine = db.make_engine(url)
    with db.read_session(engine) as session:
        wall, cpu = time.perf_counter(), time.process_time()
        metrics = compute_metrics(session, team_ids=list(teams.values()), window=window())
        elapsed = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    return {**elapsed, "teams": {name: _figures(metrics[tid]) for name, tid in teams.items()}}


def stage_library(url: str, adbc: bool = True) -> dict[str, Any]:
    """The library path: ADBC (or the app's drivers) into Arrow, DuckDB SQL (modules imported before the clock)."""
    import adbc_driver_postgresql.dbapi  # noqa: F401
    import adbc_driver_sqlite.dbapi  # noqa: F401
    import duckdb  # noqa: F401

    from benchmarks.dora_library import compute_metrics

    teams = _teams(url)
    wall, cpu = time.perf_counter(), time.process_time()
    metrics = compute_metrics(url, team_ids=list(teams.values()), window=window(), adbc=adbc)
    elapsed = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    return {**elapsed, "teams": {name: _figures(metrics[tid]) for name, tid in teams.items()}}


def stage_duckdb(folder: Path) -> dict[str, Any]:
    import duckdb  # noqa: F401  # imported before the clock starts, as the metrics stage's modules are

    from tests.support.dora_reference import reference_metrics

    wall, cpu = time.perf_counter(), time.process_time()
    rows = reference_metrics(
        deployments=str(folder / "deployments.csv"),
        changes=str(folder / "changes.csv"),
        incidents=str(folder / "incidents.csv"),
        window=window(),
        lookback_hours=24,
    )
    elapsed = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    return {
        **elapsed,
        "teams": {
            name: [
                r.deployments,
                r.lead_time_hours_median,
                r.change_failure_rate_pct,
                r.recovery_hours_median,
            ]
            for name, r in rows.items()
        },
    }


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_stage(name: str, folder: Path, url: str) -> dict[str, Any]:
    """One stage in a fresh process (so its peak memory is its own); its figures come back as JSON."""
    out = subprocess.run(
        [sys.executable, __file__, "--stage", name, "--dir", str(folder), "--url", url],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.splitlines()[-1])


def disagreements(ours: dict[str, list[Any]], theirs: dict[str, list[Any]]) -> list[str]:
    """Teams whose figures differ (beyond rounding) between the two implementations."""

    def close(a: Any, b: Any) -> bool:
        return (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-6 * max(1, abs(b)))

    differ = [
        f"{n}: ours {ours.get(n)}, theirs {theirs.get(n)}"
        for n in sorted(set(ours) | set(theirs))
        if n not in ours or n not in theirs or not all(map(close, ours[n], theirs[n]))
    ]
    return differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deployments", type=int, default=1_000_000)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--dir", help="folder for the CSV files and the SQLite file (default: a temporary one)")
    parser.add_argument("--url", help="database URL (default: a SQLite file in the folder)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the metrics and library stages (medians)")
    parser.add_argument(
        "--imports", type=int, default=1, help="runs of the import and the floor, interleaved (medians)"
    )
    parser.add_argument(
        "--stage", choices=["import", "floor", "metrics", "library", "dbapi", "duckdb"], help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.stage:
        folder = Path(args.dir)
        result = {
            "import": lambda: stage_import(folder, args.url),
            "floor": lambda: stage_floor(folder, args.url),
            "metrics": lambda: stage_metrics(args.url),
            "library": lambda: stage_library(args.url),
            "dbapi": lambda: stage_library(args.url, adbc=False),
            "duckdb": lambda: stage_duckdb(folder),
        }[args.stage]()
        result["peak_mb"] = peak_mb()
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as tmp, fresh_database(args.url, Path(args.dir or tmp)) as url:
        folder = Path(args.dir or tmp)
        started = time.perf_counter()
        generate(folder, args.deployments, args.incidents, args.teams)
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 2**20:.0f} MB" for p in sorted(folder.glob("*.csv")))
        print(
            f"generated {args.deployments:,} deployments and changes, {args.incidents:,} incidents across "
            f"{args.teams} teams in {time.perf_counter() - started:.1f} s ({sizes})"
        )
        load_before = load_average()
        imported, floors = import_and_floor(folder, url, args.url, max(1, args.imports))
        runs: dict[str, list[dict[str, Any]]] = {"metrics": [], "library": [], "dbapi": [], "duckdb": []}
        for _ in range(max(1, args.repeat)):
            for stage in runs:  # interleaved: a quiet or a busy minute falls on every stage alike
                runs[stage].append(run_stage(stage, folder, url))
        report(imported, floors, runs, load_before, load_average())


def import_and_floor(
    folder: Path, url: str, base_url: str | None, times: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The import and the floor, interleaved, each into an empty database; the first import stays for the metrics."""
    imports: list[dict[str, Any]] = []
    floors: list[dict[str, Any]] = []
    for k in range(times):
        with fresh_database(base_url, folder, f"floor{k}") as empty:
            floors.append(run_stage("floor", folder, empty))
        if k == 0:
            imports.append(run_stage("import", folder, url))
            continue
        with fresh_database(base_url, folder, f"import{k}") as empty:
            imports.append(run_stage("import", folder, empty))
    return imports, floors


@contextmanager
def fresh_database(url: str | None, folder: Path, name: str = "bench") -> Iterator[str]:
    """An empty database for one run: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    if url is None or not url.startswith("postgresql"):
        if url is not None and name != "bench":
            raise SystemExit("--imports above 1 needs a PostgreSQL URL or the default SQLite file")
        path = folder / f"{name}.db"
        for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            stale.unlink(missing_ok=True)
        yield url or f"sqlite:///{path}"
        if name != "bench":
            path.unlink(missing_ok=True)
        return
    from assessment.core.db import scratch_schema

    with scratch_schema(url, f"dora_{name}") as scratch:
        yield scratch


def load_average() -> str:
    """The 1, 5 and 15 minute load averages (as `uptime` prints them)."""
    return ", ".join(Path("/proc/loadavg").read_text().split()[:3]) if os.path.exists("/proc/loadavg") else "?"


def median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def report(
    imports: list[dict[str, Any]],
    floors: list[dict[str, Any]],
    runs: dict[str, list[dict[str, Any]]],
    before: str,
    after: str,
) -> None:
    rows = ", ".join(f"{n:,} {k}" for k, n in imports[0]["rows"].items())
    print(f"load average before {before}, after {after} (2 cores)")
    print(f"medians of {len(imports)} interleaved import and floor runs, each into an empty database:")
    print(
        f"import   wall {median(imports, 'wall'):6.2f} s  cpu {median(imports, 'cpu'):6.2f} s"
        f"  peak {median(imports, 'peak_mb'):6.0f} MB  (checking {median(imports, 'check_wall'):.2f} s; {rows})"
    )
    print(
        f"floor    wall {median(floors, 'wall'):6.2f} s  cpu {median(floors, 'cpu'):6.2f} s"
        f"  peak {median(floors, 'peak_mb'):6.0f} MB  (pyarrow read_csv, then executemany or COPY: no checks)"
    )
    print(
        f"ratio import / floor: wall {median(imports, 'wall') / median(floors, 'wall'):.2f}, "
        f"cpu {median(imports, 'cpu') / median(floors, 'cpu'):.2f}  (target <= 3.0)"
    )
    print(f"medians of {len(runs['metrics'])} interleaved runs each (min-max in brackets):")
    for name, label in (
        ("metrics", "the app's path: DB-API cursors, joined strings, numpy"),
        ("library", "ADBC into Arrow, DuckDB SQL"),
        ("dbapi", "the same, read through sqlite3 or psycopg rows"),
        ("duckdb", "one DuckDB query over the CSV files"),
    ):
        r = runs[name]
        spread = f"[{min(x['wall'] for x in r):.2f}-{max(x['wall'] for x in r):.2f}]"
        print(
            f"{name:<8} wall {median(r, 'wall'):6.2f} s {spread:<13} cpu {median(r, 'cpu'):6.2f} s"
            f"  peak {median(r, 'peak_mb'):6.0f} MB  ({label})"
        )
    app, duck = runs["metrics"], runs["duckdb"]
    for name in ("library", "dbapi"):
        print(
            f"ratio {name} / metrics: wall {median(runs[name], 'wall') / median(app, 'wall'):.2f}, "
            f"cpu {median(runs[name], 'cpu') / median(app, 'cpu'):.2f}"
            "  (rule: the simpler one unless the other is > 1.3x faster)"
        )
    print(
        f"ratio metrics / DuckDB: wall {median(app, 'wall') / median(duck, 'wall'):.2f}, "
        f"cpu {median(app, 'cpu') / median(duck, 'cpu'):.2f}  (target <= 1.0)"
    )
    ours = app[-1]["teams"]
    fields = [k for k in next(iter(ours.values()), {}) if k != "quality"]

    def numbers(teams: dict[str, dict[str, Any]]) -> dict[str, list[Any]]:
        return {n: [v[k] for k in fields] for n, v in teams.items()}

    for name in ("library", "dbapi"):
        theirs = runs[name][-1]["teams"]
        differ = disagreements(numbers(ours), numbers(theirs))
        differ += [
            f"{n}: data quality {v['quality']}, theirs {theirs[n]['quality']}"
            for n, v in ours.items()
            if n in theirs and v["quality"] != theirs[n]["quality"]
        ]
        print(f"teams whose figures or data quality differ, app and {name}: {len(differ)} of {len(ours)}")
        for line in differ[:5]:
            print(f"  {line}")
    differ = disagreements({n: [v[k] for k in KEYS] for n, v in ours.items()}, duck[-1]["teams"])
    print(f"teams whose four keys differ, app and DuckDB on CSV: {len(differ)} of {len(ours)}")
    for line in differ[:5]:
        print(f"  {line}")


if __name__ == "__main__":
    main()
