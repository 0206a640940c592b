"""Answer saves made while a large DORA import runs: none may fail, and how long they wait.

Run:  .venv/bin/python -m benchmarks.saves_during_import [--rows 1000000] [--writers 5] [--pause-ms 50]
      [--pg URL | --no-pg]

The import: --rows deployments over 200 teams (one canonical CSV with a team column,
the teams created by the import), parsed first as the app does, then stored through
`service.import_into` (on SQLite: merged and staged before the write lock, one
statement per file inside it). Meanwhile --writers threads save answers on the
Assess page's path (`repository.save_answer`, one assessment each, the app's 15 s
busy timeout) with a pause of --pause-ms between saves, from the moment the import
starts writing until it has committed. Printed per backend: the import's time,
saves made during it, failed saves, save latency p50/p95/max. For comparison the
same run with the rows written inside the write transaction (`write_session` +
`store_import`, as before staging) is printed on SQLite.
Target: 0 failed saves on both backends.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import uuid

from sqlalchemy.engine import Engine
from sqlmodel import Session

from assessment.assessments.repository import create_assessment, save_answer, store_bank
from assessment.bank.loader import default_bank
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import demo_answer
from assessment.dora import service
from assessment.dora.formats import Kind
from assessment.organisations.directory import ensure_organisation, ensure_team
from benchmarks.workshop_load import DEFAULT_PG, pg_schema, sqlite_database

TEAMS = 200


def deployments_csv(rows: int) -> bytes:
    """Canonical deployments with a team column, spread over TEAMS teams."""
    lines = ["team,id,service,deployed_at,status,environment,change_ids,first_commit_at"]
    for n in range(rows):
        day, second = divmod(n, 86_400)
        lines.append(
            f"T{n % TEAMS},d{n},svc{n % 7},2024-{1 + day % 12:02d}-{1 + day % 28:02d}T"
            f"{second // 3600 % 24:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z,success,production,,"
        )
    return ("\n".join(lines) + "\n").encode()


def writers_ready(engine: Engine, bank: Bank, writers: int) -> tuple[int, list[int]]:
    """An organisation and one open assessment per writer; (organisation id, assessment ids)."""
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name=f"Import {uuid.uuid4().hex[:6]}")
        stored = store_bank(session, bank=bank)
        ids = [
            create_assessment(
                session,
                team_id=ensure_team(session, organisation_id=org.id or 0, name=f"Writer {n}").id or 0,
                bank_version_id=stored.id or 0,
                created_by="bench",
            ).id
            or 0
            for n in range(writers)
        ]
    return org.id or 0, ids


def measure(engine: Engine, rows: int, writers: int, pause_ms: int, *, staged: bool) -> None:
    bank = default_bank()
    org_id, assessments = writers_ready(engine, bank, writers)
    parsed = service.parse_files(
        [service.FileInput(Kind.DEPLOYMENTS, "deployments.csv", deployments_csv(rows))],
        service.ImportOptions(max_bytes=None),
    )
    latencies: list[float] = []
    failures: list[str] = []
    writing, done = threading.Event(), threading.Event()

    def writer(n: int) -> None:
        questions = bank.questions
        writing.wait()
        i = 0
        while not done.is_set():
            question = questions[i % len(questions)]
            began = time.perf_counter()
            try:
                with db.write_session(engine) as session:
                    save_answer(
                        session,
                        assessment_id=assessments[n],
                        question_key=question.key,
                        answer=demo_answer(question, i % 5),
                        by=f"writer{n}",
                    )
                latencies.append(time.perf_counter() - began)
            except Exception as exc:  # a failed save is the figure this measures
                failures.append(f"{type(exc).__name__}: {exc}"[:160])
            i += 1
            time.sleep(pause_ms / 1000)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    options = service.WriteOptions(create_teams=True)
    began = time.perf_counter()
    writing.set()
    try:
        _import(engine, org_id, parsed, options, staged)
    finally:
        elapsed = time.perf_counter() - began
        done.set()
        for t in threads:
            t.join()
    data = sorted(latencies)

    def p(q: float) -> float:
        return data[min(len(data) - 1, int(q * len(data)))] * 1000 if data else float("nan")

    how = "written inside the write transaction"
    if staged:
        how = (
            "staged before the write lock" if engine.dialect.name == "sqlite" else "in one transaction beside the saves"
        )
    print(
        f"  rows {how}: import {elapsed:.1f} s; {len(data) + len(failures)} saves during it, "
        f"{len(failures)} failed; save p50 {p(0.5):.0f} ms, p95 {p(0.95):.0f} ms, max {p(1.0):.0f} ms"
    )
    for failure in sorted(set(failures))[:3]:
        print(f"    failed: {failure}")


def _import(
    engine: Engine, org_id: int, parsed: list[service.ParsedFile], options: service.WriteOptions, staged: bool
) -> None:
    if staged:

        def where(_session: Session) -> tuple[int, int | None]:
            return org_id, None

        service.import_into(
            engine, target=service.Target(find=where, make=where), parsed=parsed, by="bench", options=options
        )
        return
    with db.write_session(engine) as session:
        service.store_import(session, organisation_id=org_id, team_id=None, parsed=parsed, by="bench", options=options)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--pause-ms", type=int, default=50)
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--no-before", action="store_true", help="skip the run with rows written inside the lock")
    args = parser.parse_args()
    print(f"saves during a {args.rows:,}-row DORA import: {args.writers} writers, {args.pause_ms} ms between saves")
    print("SQLite (WAL)")
    for staged in (True, False) if not args.no_before else (True,):
        with sqlite_database() as (url, _path):
            engine = db.make_engine(url)
            db.upgrade(engine)
            measure(engine, args.rows, args.writers, args.pause_ms, staged=staged)
            engine.dispose()
    if not args.no_pg:
        print("PostgreSQL")
        with pg_schema(args.pg) as (url, _dsn):
            engine = db.make_engine(url)
            db.upgrade(engine)
            measure(engine, args.rows, args.writers, args.pause_ms, staged=True)
            engine.dispose()
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
