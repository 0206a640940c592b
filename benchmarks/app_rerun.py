"""Server-side time of one Assess-page rerun after an answer change, against a bare-AppTest baseline.

Usage: .venv/bin/python benchmarks/app_rerun.py [--reruns 60]

Both sides run in Streamlit's AppTest in this process, so the ratio cancels what
AppTest itself costs on this machine. The app side is the real app.py on a fresh
SQLite file with the demo organisation (shipped bank), on the half-answered
"Mobile API" round: each rerun flips one answer, so it includes the on_change
save (one write transaction) and the whole page drawn again from the database.
The baseline is a page of 60 radio buttons with one of them changed per rerun.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 50
BASELINE = """
import streamlit as st
for i in range(60):
    st.radio(f"Question {i}", ["absent", "ad hoc", "partial", "established", "proven"], key=f"q{i}", index=None)
"""


def prepare_database(folder: Path) -> int:
    """A migrated SQLite file with the demo data; returns the id of the half-answered round."""
    os.environ["FOUNDATIONS_DATABASE_URL"] = f"sqlite:///{folder / 'bench.db'}"
    from assessment.assessments.repository import list_assessments
    from assessment.bank.loader import default_bank
    from assessment.core import db
    from assessment.demo import load_demo

    engine = db.get_engine()
    db.upgrade(engine)
    with db.write_session(engine) as session:
        load_demo(session, bank=default_bank())
    with db.read_session(engine) as session:
        return next(s.id for s in list_assessments(session) if s.team == "Mobile API")


Change = Callable[[int], object]


def app_page(assessment_id: int) -> Change:
    """The real Assess page; each call flips one answer (saved by its on_change) and reruns the page."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["assessment"] = str(assessment_id)
    at.switch_page("ui/pages/assess.py").run()
    assert not at.exception, at.exception
    stored = at.radio(key="answer:fi_timeouts").value
    values = [level for level in "01234" if level != stored][:2]  # every rerun is a real change

    def change(i: int) -> object:
        at.radio(key="answer:fi_timeouts").set_value(values[i % 2]).run()
        assert not at.exception, at.exception
        assert at.toast, "the answer was not saved"
        return at

    return change


def baseline_page() -> Change:
    """A bare page of 60 radio buttons; each call changes one of them and reruns it."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(BASELINE, default_timeout=120).run()

    def change(i: int) -> object:
        return at.radio(key=f"q{(i + 1) % 60}").set_value(["partial", "proven"][i % 2]).run()

    return change


Sample = tuple[float, float]  # (wall ms, CPU ms of this process)


def timed(change: Change, i: int) -> Sample:
    """Wall time, and CPU time, which other processes on a shared machine do not inflate."""
    wall, cpu = time.perf_counter(), time.process_time()
    change(i)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def interleaved(app: Change, baseline: Change, reruns: int) -> tuple[list[Sample], list[Sample]]:
    """Alternate the two sides so both see the same machine load; one warm-up rerun each first."""
    app(-1), baseline(-1)
    pairs = [(timed(app, i), timed(baseline, i)) for i in range(reruns)]
    return [a for a, _ in pairs], [b for _, b in pairs]


def summary(name: str, samples: list[Sample]) -> tuple[float, float]:
    """Print median and p95 of wall and CPU time; return the two medians."""
    medians = []
    for label, values in (("wall", [w for w, _ in samples]), ("cpu", [c for _, c in samples])):
        median, p95 = statistics.median(values), statistics.quantiles(values, n=20)[18]
        print(f"{name:<40} {label:<4} median {median:6.1f} ms   p95 {p95:6.1f} ms   ({len(values)} reruns)")
        medians.append(median)
    return medians[0], medians[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=60, help="measured reruns per side (at least 50)")
    args = parser.parse_args(argv)
    reruns = max(50, args.reruns)
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        app_samples, baseline_samples = interleaved(app_page(prepare_database(Path(folder))), baseline_page(), reruns)
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (wall times grow with load)")
    base_wall, base_cpu = summary("baseline: bare page, 60 radio buttons", baseline_samples)
    app_wall, app_cpu = summary("Assess page after an answer change", app_samples)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'ratio Assess / baseline':<40} wall {app_wall / base_wall:.2f}x   cpu {app_cpu / base_cpu:.2f}x")
    verdict = "met" if app_wall < TARGET_MS else ("met on CPU time" if app_cpu < TARGET_MS else "NOT met")
    print(f"{'target: median under 50 ms':<40} {verdict}")
    print(f"{'peak memory (max RSS of this process)':<40} {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
