"""The organisation JSON export and import with about 100,000 DORA rows, on SQLite and PostgreSQL.

Usage: .venv/bin/python benchmarks/org_bundle.py [--teams 10] [--rounds 1] [--rows 100000] [--pg URL]

Builds an organisation of `--teams` teams, each with `--rounds` fully answered rounds and its share of `--rows`
DORA rows (40 % deployments, 50 % changes, 10 % incidents), then prints per backend:
- export: `organisation_json` (of which the DORA tables) and `bundle_text`, file size;
- import into an empty database: reading the file, validating it (`parse_bundle`), storing it
  (`store_bundle`, committed), and the second export compared with the first;
- baseline, in the same run: the DORA rows read as ORM objects, and written as ORM objects
  (`session.add` per row, one flush), against the Core query and the executemany/COPY this code uses.
Each phase runs in a fresh process, so its peak memory (max RSS) is its own; wall and CPU time are both
printed because the machine is shared. PostgreSQL runs when --pg, FOUNDATIONS_BENCH_PG_URL or
FOUNDATIONS_TEST_DATABASE_URL gives a URL; it uses its own schemas, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
ORG = "Bundle Benchmark"
START = 1_750_000_000  # epoch seconds of the first event


def clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> dict[str, float]:
    wall, cpu = clock()
    return {"wall": wall - start[0], "cpu": cpu - start[1]}


# --- building the organisation ------------------------------------------------------------------------------


def build(url: str, teams: int, rounds: int, rows: int) -> None:
    """Teams with `rounds` answered rounds each and `rows` DORA rows in all, bulk-inserted."""
    from assessment.assessments.repository import store_bank
    from assessment.assessments.scores import refresh_many
    from assessment.bank.loader import default_bank
    from assessment.core import db
    from assessment.core.types import utcnow
    from assessment.demo import demo_answer
    from assessment.models.assessments import Answer, Assessment, Organisation, Team
    from assessment.models.dora import DoraChange, DoraDeployment, DoraImport, DoraIncident

    engine = db.make_engine(url)
    db.upgrade(engine)
    bank = default_bank()
    rng = random.Random(7)
    per_team = rows // teams
    with db.write_session(engine) as session:
        org = Organisation(name=ORG)
        session.add(org)
        session.flush()
        stored = store_bank(session, bank=bank)
        record = DoraImport(organisation_id=org.id or 0, created_by="benchmark", summary_json="{}")
        session.add(record)
        session.flush()
        for n in range(teams):
            team = Team(organisation_id=org.id or 0, name=f"Team {n:03d}")
            session.add(team)
            session.flush()
            for number in range(1, rounds + 1):
                assessment = Assessment(
                    team_id=team.id or 0,
                    bank_version_id=stored.id or 0,
                    round_number=number,
                    created_by="benchmark",
                )
                session.add(assessment)
                session.flush()
                session.execute(
                    sa.insert(Answer),
                    [
                        {
                            "assessment_id": assessment.id,
                            "question_key": q.key,
                            "status": "answered",
                            "value_json": demo_answer(q, rng.randint(0, 4)).value_json(),
                            "answered_by": "benchmark",
                            "answered_at": utcnow(),
                            "version": 1,
                            "carried_over": False,
                        }
                        for q in bank.questions
                    ],
                )
            common = {"team_id": team.id, "import_id": record.id}
            deployments = per_team * 4 // 10
            changes = per_team * 5 // 10
            session.execute(
                sa.insert(DoraDeployment),
                [
                    {
                        **common,
                        "external_id": f"d{i}",
                        "service": f"svc-{i % 5}",
                        "deployed_epoch_s": START + i * 600,
                        "status": "success" if i % 20 else "failed",
                        "environment": "production",
                        "change_ids": f"c{i};c{i + 1}",
                        "first_commit_epoch_s": None,
                    }
                    for i in range(deployments)
                ],
            )
            session.execute(
                sa.insert(DoraChange),
                [
                    {**common, "external_id": f"c{i}", "committed_epoch_s": START + i * 480 - 3600}
                    for i in range(changes)
                ],
            )
            session.execute(
                sa.insert(DoraIncident),
                [
                    {
                        **common,
                        "external_id": f"INC-{i}",
                        "service": f"svc-{i % 5}",
                        "started_epoch_s": START + i * 3000,
                        "resolved_epoch_s": START + i * 3000 + 1800 if i % 7 else None,
                        "deployment_external_id": f"d{i}" if i % 2 else None,
                        "change_external_id": None,
                    }
                    for i in range(per_team - deployments - changes)
                ],
            )
        refresh_many(session)
    engine.dispose()


# --- the phases, each in its own process ----------------------------------------------------------------------


def child_export(url: str, file: str) -> dict[str, Any]:
    from assessment.assessments.bulk import organisation_named
    from assessment.core import db
    from assessment.interchange.bundle.export import _read_rows, _team_dora, bundle_text, organisation_json
    from assessment.interchange.bundle.schema import DORA_IMPORTS

    engine = db.make_engine(url)
    with db.read_session(engine) as session:
        org_id = organisation_named(session, ORG).id or 0
        start = clock()
        imports = _read_rows(session, DORA_IMPORTS, DORA_IMPORTS.table.c.organisation_id == org_id)
        _team_dora(session, org_id, {row_id: n for n, (row_id, _p, _c) in enumerate(imports)})
        dora = since(start)
        start = clock()
        doc = organisation_json(session, organisation=ORG)
        data = since(start)
    start = clock()
    text = bundle_text(doc)
    Path(file).write_text(text, encoding="utf-8")
    written = since(start)
    return {"dora_read": dora, "organisation_json": data, "bundle_text": written, "bytes": len(text.encode())}


def child_import(url: str, file: str) -> dict[str, Any]:
    from assessment.core import db
    from assessment.interchange.assessment_json import load_json_file
    from assessment.interchange.bundle.check import parse_bundle
    from assessment.interchange.bundle.load import store_bundle

    engine = db.make_engine(url)
    start = clock()
    data = load_json_file(file)
    read = since(start)
    start = clock()
    doc = parse_bundle(data, file)
    parsed = since(start)
    start = clock()
    with db.write_session(engine) as session:
        imported = store_bundle(session, doc=doc, source=file)
    stored = since(start)
    return {"read": read, "parse": parsed, "store": stored, "dora_rows": imported.dora_rows}


def child_baseline(url: str, target: str) -> dict[str, Any]:
    """DORA rows read as ORM objects and written as ORM objects, against the Core read and bulk write."""
    from sqlmodel import col, select

    from assessment.assessments.bulk import organisation_named
    from assessment.core import db
    from assessment.interchange.bundle.load import _insert_rows
    from assessment.interchange.bundle.schema import TEAM_DORA
    from assessment.models.assessments import Organisation, Team
    from assessment.models.dora import DoraChange, DoraDeployment, DoraImport, DoraIncident

    models: dict[str, Any] = {"deployments": DoraDeployment, "changes": DoraChange, "incidents": DoraIncident}
    source = db.make_engine(url)
    with db.read_session(source) as session:
        org_id = organisation_named(session, ORG).id or 0
        start = clock()
        objects = {
            key: list(
                session.exec(
                    select(model)
                    .join(Team, col(Team.id) == model.team_id)
                    .where(Team.organisation_id == org_id)
                    .order_by(col(model.id))
                )
            )
            for key, model in models.items()
        }
        rows = {
            key: [(o.team_id, [getattr(o, c.name) for c in TEAM_DORA[key].data_columns]) for o in found]
            for key, found in objects.items()
        }
        orm_read = since(start)
    engine = db.make_engine(target)
    timings: dict[str, Any] = {"orm_read": orm_read}
    source_teams = sorted({team for found in rows.values() for team, _ in found})
    for way in ("bulk_write", "orm_write"):
        with db.read_session(engine) as session:
            org = Organisation(name=f"baseline {way}")
            session.add(org)
            session.flush()
            teams = {n: Team(organisation_id=org.id or 0, name=f"Team {n}") for n in source_teams}
            record = DoraImport(organisation_id=org.id or 0, summary_json="{}")
            session.add_all([*teams.values(), record])
            session.flush()
            start = clock()
            for key, model in models.items():
                spec = TEAM_DORA[key]
                if way == "bulk_write":
                    _insert_rows(session, spec, [(teams[n].id or 0, [record.id, *cells]) for n, cells in rows[key]])
                else:
                    names = [c.name for c in spec.data_columns]
                    session.add_all(
                        model(team_id=teams[n].id, import_id=record.id, **dict(zip(names, cells, strict=True)))
                        for n, cells in rows[key]
                    )
                    session.flush()
            timings[way] = since(start)
            session.rollback()
    return timings


CHILDREN: dict[str, Callable[[str, str], dict[str, Any]]] = {
    "export": child_export,
    "import": child_import,
    "baseline": child_baseline,
}


def in_child(phase: str, url: str, file: str) -> dict[str, Any]:
    """Run one phase in a fresh Python; its result plus its max RSS in MiB."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", phase, url, file], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- backends and report --------------------------------------------------------------------------------------


@contextmanager
def sqlite_urls() -> Iterator[Callable[[str], str]]:
    with tempfile.TemporaryDirectory() as folder:
        yield lambda name: f"sqlite:///{Path(folder) / name}.db"


@contextmanager
def postgres_urls(base: str) -> Iterator[Callable[[str], str]]:
    """A factory of throwaway schemas (one per phase), all dropped at the end."""
    from assessment.core import db

    with ExitStack() as stack:
        yield lambda _name: stack.enter_context(db.scratch_schema(base, "bench"))


def t(timing: dict[str, float]) -> str:
    return f"{timing['wall']:.2f} s (CPU {timing['cpu']:.2f} s)"


def run(name: str, urls: Callable[[str], str], args: argparse.Namespace, folder: Path) -> None:
    from assessment.core import db

    print(f"{name}:")
    source, target, spare = urls("source"), urls("target"), urls("spare")
    start = clock()
    build(source, args.teams, args.rounds, args.rows)
    print(
        f"  setup: {args.teams} teams x {args.rounds} round(s), {args.rows:,} DORA rows, "
        f"in {since(start)['wall']:.1f} s"
    )
    for url in (target, spare):
        engine = db.make_engine(url)
        db.upgrade(engine)
        engine.dispose()
    first, second = folder / f"{name}-first.json", folder / f"{name}-second.json"
    export = in_child("export", source, str(first))
    print(
        f"  export: organisation_json {t(export['organisation_json'])}, of which the DORA tables "
        f"{t(export['dora_read'])}; bundle_text + write {t(export['bundle_text'])}; "
        f"{export['bytes'] / 1e6:.1f} MB; peak memory {export['max_rss_mib']:.0f} MiB"
    )
    imported = in_child("import", target, str(first))
    total = sum(imported[k]["wall"] for k in ("read", "parse", "store"))
    print(
        f"  import into an empty database: {total:.2f} s = read {t(imported['read'])} + validate "
        f"{t(imported['parse'])} + store {t(imported['store'])}; {imported['dora_rows']:,} DORA rows; "
        f"peak memory {imported['max_rss_mib']:.0f} MiB"
    )
    in_child("export", target, str(second))
    same = [line for line in first.read_text().splitlines() if '"exported_at"' not in line] == [
        line for line in second.read_text().splitlines() if '"exported_at"' not in line
    ]
    print(f"  second export identical to the first (but exported_at): {'yes' if same else 'NO'}")
    base = in_child("baseline", source, spare)
    print(
        f"  baseline, DORA rows as ORM objects: read {t(base['orm_read'])} vs Core {t(export['dora_read'])} "
        f"({base['orm_read']['wall'] / export['dora_read']['wall']:.1f}x); write {t(base['orm_write'])} vs "
        f"{'COPY' if name == 'PostgreSQL' else 'executemany'} {t(base['bulk_write'])} "
        f"({base['orm_write']['wall'] / base['bulk_write']['wall']:.1f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1, help="answered rounds per team")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--pg",
        default=os.environ.get("FOUNDATIONS_BENCH_PG_URL") or os.environ.get("FOUNDATIONS_TEST_DATABASE_URL"),
        help="PostgreSQL URL",
    )
    parser.add_argument("--child", nargs=3, metavar=("PHASE", "URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        phase, url, file = args.child
        result = CHILDREN[phase](url, file)
        result["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    with tempfile.TemporaryDirectory() as folder:
        with sqlite_urls() as urls:
            run("SQLite", urls, args, Path(folder))
        if args.pg:
            with postgres_urls(args.pg) as urls:
                run("PostgreSQL", urls, args, Path(folder))
        else:
            print("PostgreSQL: skipped (give --pg URL)")


if __name__ == "__main__":
    main()
