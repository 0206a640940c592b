"""What the role checks cost: one answer saved and one round loaded, in local mode and as a signed-in member.

Usage: .venv/bin/python benchmarks/access_checks.py [--repeats 300] [--url sqlite:///...]

Local mode skips every check (the baseline); shared mode runs the real check of
each call (the record's organisation, then the member's role) in the caller's own
transaction. Both sides run in this process on the same fresh database (SQLite by
default, or --url), interleaved so machine load hits both alike. Prints the median
time per call, the ratio, and the peak memory of the process.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

from assessment.access.policy import COMMAND_LINE, Role, acting_as, bind, local_actor, signed_in
from assessment.assessments.repository import list_assessments, load_assessment, save_answer
from assessment.bank.answers import answered
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.core.config import get_settings
from assessment.demo import DEMO_ORG, load_demo
from assessment.organisations.directory import find_organisation
from assessment.organisations.members import grant


def _prepare(url: str) -> tuple[Engine, int]:
    engine = db.make_engine(url)
    db.upgrade(engine)
    with acting_as(COMMAND_LINE), db.write_session(engine) as session:
        load_demo(session, bank=default_bank())
        org = find_organisation(session, name=DEMO_ORG)
        round_id = next(s.id for s in list_assessments(session) if s.team == "Payments")
    assert org is not None
    grant(engine, actor=COMMAND_LINE, organisation_id=org.id or 0, email="member@example.org", role=Role.MEMBER)
    return engine, round_id


def _save(engine: Engine, round_id: int, n: int) -> None:
    with db.write_session(engine) as session:
        save_answer(
            session,
            assessment_id=round_id,
            question_key="fi_instance_kill",
            answer=answered(n % 5),
            by="bench",
        )


def _load(engine: Engine, round_id: int, _n: int) -> None:
    with db.read_session(engine) as session:
        load_assessment(session, assessment_id=round_id)


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--url", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    engine, round_id = _prepare(args.url or f"sqlite:///{Path(tmp) / 'bench.db'}")
    os.environ["FOUNDATIONS_MODE"] = "shared"
    get_settings.cache_clear()
    sides = {"local": bind(engine, local_actor()), "shared": bind(engine, signed_in("member@example.org"))}
    calls: dict[str, Callable[[Engine, int, int], None]] = {"save_answer": _save, "load_assessment": _load}
    for name, call in calls.items():
        times: dict[str, list[float]] = {side: [] for side in sides}
        for n in range(args.repeats):
            for side, bound in sides.items():
                start = time.perf_counter()
                call(bound, round_id, n)
                times[side].append(time.perf_counter() - start)
        local, shared = _median_ms(times["local"]), _median_ms(times["shared"])
        print(f"{name:<16} local {local:7.2f} ms   shared (member) {shared:7.2f} ms   ratio {shared / local:5.2f}")
    print(
        f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
        f"({args.repeats} calls per side, {engine.dialect.name})"
    )


if __name__ == "__main__":
    main()
