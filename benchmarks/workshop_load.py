"""Workshop load: 50 participants answer the whole bank at once while the dashboard refreshes every second.

Run:  .venv/bin/python benchmarks/workshop_load.py [--participants 50] [--think-ms 500] [--pg URL | --no-pg]
      [--hot-spot]

Load model: every participant joins, then all start together and answer all 34
questions, pausing a random 0..2x`--think-ms` between answers (default 500 ms, i.e.
about 100 answers a second for 50 people: some 50 times faster than a real room,
where reading a question and its options takes half a minute). `--think-ms 0`
is the flat-out burst. Meanwhile a facilitator thread reads the team dashboard
once a second.

Each save is the app's own path: `db.write_session` (BEGIN IMMEDIATE on SQLite)
and `save_participant_answer` (one guarded upsert). The baseline in the same run
is the same number of threads doing the same upserts with the bare driver
(sqlite3 / psycopg, no SQLAlchemy), on a fresh database, with the same pauses.

`--hot-spot`: the same writers all answer one assessment on the Assess page's path
(`repository.save_answer`: the answer, its history row and the assessment's stored
scores, in one transaction), every writer every question; "lost" is a confirmed
save without its history row. Every save rewrites the same stored-score rows, so
the saves of one assessment take turns on them (README: Workshops, on the queue).

Printed per backend: answers saved, lost, errors, p50/p95/max save latency, the
dashboard query time, the baseline figures and the ratio, and peak memory.
Target: no lost answer and no error on either backend; p95 save under 25 ms on SQLite.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import func, select

from assessment.assessments.repository import create_assessment, save_answer, store_bank
from assessment.bank.answers import AnswerValue
from assessment.bank.loader import default_bank
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import demo_answer
from assessment.models.assessments import AnswerEvent
from assessment.models.workshops import ParticipantAnswer
from assessment.organisations.directory import ensure_organisation, ensure_team
from assessment.workshops.admin import create_workshop
from assessment.workshops.dashboard import team_dashboard
from assessment.workshops.participants import (
    join_view,
    join_workshop,
    participant_view,
    save_participant_answer,
)
from assessment.workshops.tokens import digest

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_P95_MS = 25.0


@dataclass
class Run:
    """What one load run measured."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dashboard: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    saved: int = 0
    lost: int = 0

    def p(self, q: float, values: list[float] | None = None) -> float:
        data = sorted(values if values is not None else self.latencies)
        return data[min(len(data) - 1, int(q * len(data)))] * 1000 if data else float("nan")


def planned(bank: Bank, n: int) -> dict[str, AnswerValue]:
    """Participant n's answers: every question, a level that varies by person, so spreads are real."""
    return {q.key: demo_answer(q, (n + i) % 5) for i, q in enumerate(bank.questions)}


def load(
    participants: int,
    think_ms: int,
    save: Callable[[int, str, AnswerValue], None],
    bank: Bank,
    dashboard: Callable[[], None] | None,
) -> Run:
    """All participants start together; each answers every question with random pauses."""
    run, lock, done = Run(), threading.Lock(), threading.Event()
    start = threading.Barrier(participants + (1 if dashboard else 0))

    def participant(n: int) -> None:
        rnd, answers = random.Random(n), planned(bank, n)
        start.wait()
        for key, answer in answers.items():
            time.sleep(rnd.uniform(0, 2 * think_ms / 1000))
            began = time.perf_counter()
            try:
                save(n, key, answer)
            except Exception as exc:
                with lock:
                    run.errors.append(f"{type(exc).__name__}: {exc}"[:200])
            with lock:
                run.latencies.append(time.perf_counter() - began)

    def facilitator() -> None:
        start.wait()
        while not done.wait(1.0):
            began = time.perf_counter()
            dashboard()  # type: ignore[misc]
            run.dashboard.append(time.perf_counter() - began)

    with ThreadPoolExecutor(participants + 1) as pool:
        watcher = pool.submit(facilitator) if dashboard else None
        began = time.perf_counter()
        futures = [pool.submit(participant, n) for n in range(participants)]
        for f in futures:
            f.result()
        run.elapsed = time.perf_counter() - began
        done.set()
        if watcher:
            watcher.result()
    return run


# --- the app's path ----------------------------------------------------------------------------


def app_run(engine: Engine, bank: Bank, participants: int, think_ms: int) -> Run:
    """Join everyone through the domain, then load with the app's save and dashboard functions."""
    with db.write_session(engine) as session:
        created = create_workshop(
            session,
            organisation=f"Load {uuid.uuid4().hex[:6]}",
            teams=["Payments"],
            bank=bank,
            facilitator="bench",
        )
    with db.read_session(engine) as session:
        team_id = join_view(session, code=created.join_code).teams[0][0]
    tokens = []
    for n in range(participants):
        with db.write_session(engine) as session:
            tokens.append(
                join_workshop(session, code=created.join_code, display_name=f"P{n}", workshop_team_id=team_id)
            )

    def save(n: int, key: str, answer: AnswerValue) -> None:
        with db.write_session(engine) as session:
            save_participant_answer(session, token=tokens[n], question_key=key, answer=answer)

    def dashboard() -> None:
        with db.read_session(engine) as session:
            team_dashboard(session, workshop_id=created.id, key=created.facilitator_key, workshop_team_id=team_id)

    run = load(participants, think_ms, save, bank, dashboard)
    with db.read_session(engine) as session:
        run.saved = session.exec(select(func.count()).select_from(ParticipantAnswer)).one()
        run.lost = sum(
            1
            for n, token in enumerate(tokens)
            for key, answer in planned(bank, n).items()
            if participant_view(session, token=token).answers.get(key) != answer
        )
    return run


def hot_spot_run(engine: Engine, bank: Bank, writers: int, think_ms: int) -> Run:
    """Every writer answers every question of one assessment through the Assess page's save."""
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name=f"Hot {uuid.uuid4().hex[:6]}")
        team = ensure_team(session, organisation_id=org.id or 0, name="Payments")
        stored = store_bank(session, bank=bank)
        assessment = (
            create_assessment(session, team_id=team.id or 0, bank_version_id=stored.id or 0, created_by="bench").id or 0
        )

    def save(n: int, key: str, answer: AnswerValue) -> None:
        with db.write_session(engine) as session:
            save_answer(session, assessment_id=assessment, question_key=key, answer=answer, by=f"writer{n}")

    run = load(writers, think_ms, save, bank, None)
    with db.read_session(engine) as session:
        run.saved = session.exec(
            select(func.count()).select_from(AnswerEvent).where(AnswerEvent.assessment_id == assessment)
        ).one()
    run.lost = writers * len(bank.questions) - len(run.errors) - run.saved
    return run


def report_hot_spot(name: str, run: Run, writers: int, questions: int) -> bool:
    print(f"\n{name}: {writers} writers x {questions} questions on one assessment = {writers * questions} saves")
    print(
        f"  app path   saved {run.saved}, lost {run.lost}, errors {len(run.errors)}; "
        f"save p50 {run.p(0.5):.1f} ms, p95 {run.p(0.95):.1f} ms, max {run.p(1.0):.1f} ms; {run.elapsed:.1f} s"
    )
    for error in sorted(set(run.errors))[:5]:
        print(f"  error: {error}")
    return not run.lost and not run.errors


# --- the bare-driver baseline ------------------------------------------------------------------

UPSERT = (
    "INSERT INTO participant_answer (participant_id, question_key, status, value_json, answered_at, version) "
    "VALUES ({p}, {p}, 'answered', {p}, {p}, 1) ON CONFLICT (participant_id, question_key) DO UPDATE SET "
    "status = excluded.status, value_json = excluded.value_json, answered_at = excluded.answered_at, "
    "version = participant_answer.version + 1"
)


def baseline_run(
    engine: Engine,
    bank: Bank,
    participants: int,
    think_ms: int,
    *,
    sqlite_path: str | None,
    pg_dsn: str | None,
) -> Run:
    """The same upserts with the bare driver: one connection per participant thread."""
    with db.write_session(engine) as session:
        created = create_workshop(
            session,
            organisation=f"Base {uuid.uuid4().hex[:6]}",
            teams=["Payments"],
            bank=bank,
            facilitator="bench",
        )
    with db.read_session(engine) as session:
        team_id = join_view(session, code=created.join_code).teams[0][0]
    ids = []
    for n in range(participants):
        with db.write_session(engine) as session:
            token = join_workshop(session, code=created.join_code, display_name=f"B{n}", workshop_team_id=team_id)
        with engine.connect() as conn:
            ids.append(
                conn.execute(
                    sa.text("SELECT id FROM participant WHERE token_hash = :h"), {"h": digest(token)}
                ).scalar_one()
            )
    local = threading.local()

    def save(n: int, key: str, answer: AnswerValue) -> None:
        if sqlite_path:
            conn = getattr(local, "conn", None) or _sqlite(sqlite_path, local)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(UPSERT.format(p="?"), (ids[n], key, answer.value_json(), datetime.now(UTC).isoformat()))
            conn.execute("COMMIT")
        else:
            pg = getattr(local, "conn", None) or _pg(pg_dsn or "", local)
            pg.execute(UPSERT.format(p="%s"), (ids[n], key, answer.value_json(), datetime.now(UTC)))

    run = load(participants, think_ms, save, bank, None)
    with engine.connect() as conn:
        run.saved = conn.execute(
            sa.text(
                "SELECT count(*) FROM participant_answer p JOIN participant x "
                "ON x.id = p.participant_id WHERE x.display_name LIKE 'B%'"
            )
        ).scalar_one()
    run.lost = participants * len(bank.questions) - run.saved
    return run


def _sqlite(path: str, local: threading.local) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=15)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    local.conn = conn
    return conn


def _pg(dsn: str, local: threading.local) -> psycopg.Connection[tuple[object, ...]]:
    conn = psycopg.connect(dsn, autocommit=True)
    local.conn = conn
    return conn


# --- databases and report ----------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "load.db")
        yield f"sqlite:///{path}", path


@contextmanager
def pg_schema(base_url: str) -> Iterator[tuple[str, str]]:
    """A throwaway schema in the given database, dropped afterwards; yields (SQLAlchemy URL, libpq DSN)."""
    with db.scratch_schema(base_url, "bench") as url:
        yield url, sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def report(name: str, app: Run, base: Run, participants: int, questions: int) -> bool:
    expected = participants * questions
    ok = app.saved == expected and not app.lost and not app.errors
    print(f"\n{name}: {participants} participants x {questions} questions = {expected} answers")
    print(
        f"  app path   saved {app.saved}, lost {app.lost}, errors {len(app.errors)}; "
        f"save p50 {app.p(0.5):.1f} ms, p95 {app.p(0.95):.1f} ms, max {app.p(1.0):.1f} ms; "
        f"{app.elapsed:.1f} s"
    )
    print(
        f"  dashboard  {len(app.dashboard)} reads, p50 {app.p(0.5, app.dashboard):.1f} ms, "
        f"max {app.p(1.0, app.dashboard):.1f} ms"
    )
    print(
        f"  baseline   saved {base.saved}, lost {base.lost}, errors {len(base.errors)}; "
        f"save p50 {base.p(0.5):.2f} ms, p95 {base.p(0.95):.2f} ms (bare driver, same threads and pauses)"
    )
    print(f"  ratio      p50 {app.p(0.5) / base.p(0.5):.1f}x, p95 {app.p(0.95) / base.p(0.95):.1f}x the baseline")
    for error in sorted(set(app.errors))[:5]:
        print(f"  error: {error}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--think-ms", type=int, default=500, help="mean pause between answers (0: flat out)")
    parser.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL URL (default {DEFAULT_PG})")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--hot-spot", action="store_true", help="every writer answers one assessment (Assess page)")
    args = parser.parse_args()
    bank = default_bank()
    if args.hot_spot:
        return hot_spot(args, bank)
    print(
        f"workshop load: {args.participants} participants, pause 0-{2 * args.think_ms} ms between answers, "
        "dashboard read every second"
    )
    results = []
    with sqlite_database() as (url, path):
        engine = db.make_engine(url)
        db.upgrade(engine)
        app = app_run(engine, bank, args.participants, args.think_ms)
        base = baseline_run(engine, bank, args.participants, args.think_ms, sqlite_path=path, pg_dsn=None)
        results.append(report("SQLite (WAL)", app, base, args.participants, len(bank.questions)))
        results.append(app.p(0.95) < TARGET_P95_MS)
        print(f"  target     p95 < {TARGET_P95_MS:.0f} ms: {'met' if results[-1] else 'NOT met'}")
        engine.dispose()
    if not args.no_pg:
        with pg_schema(args.pg) as (url, dsn):
            engine = db.make_engine(url)
            db.upgrade(engine)
            app = app_run(engine, bank, args.participants, args.think_ms)
            base = baseline_run(engine, bank, args.participants, args.think_ms, sqlite_path=None, pg_dsn=dsn)
            results.append(report("PostgreSQL", app, base, args.participants, len(bank.questions)))
            engine.dispose()
    print(f"\npeak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0 if all(results) else 1


def hot_spot(args: argparse.Namespace, bank: Bank) -> int:
    print(f"hot spot: {args.participants} writers on one assessment, pause 0-{2 * args.think_ms} ms between saves")
    results = []
    with sqlite_database() as (url, _path):
        engine = db.make_engine(url)
        db.upgrade(engine)
        results.append(
            report_hot_spot(
                "SQLite (WAL)",
                hot_spot_run(engine, bank, args.participants, args.think_ms),
                args.participants,
                len(bank.questions),
            )
        )
        engine.dispose()
    if not args.no_pg:
        with pg_schema(args.pg) as (url, _dsn):
            engine = db.make_engine(url)
            db.upgrade(engine)
            run = hot_spot_run(engine, bank, args.participants, args.think_ms)
            results.append(report_hot_spot("PostgreSQL", run, args.participants, len(bank.questions)))
            engine.dispose()
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
