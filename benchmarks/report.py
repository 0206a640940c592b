"""Time the PDF report of the demo's largest assessment, stage by stage, against WeasyPrint alone.

Usage: .venv/bin/python benchmarks/report.py [--runs 9]

Stages of one report: building the context (scores, roadmap, everything the report
says), the charts (Altair -> SVG through vl-convert), the HTML (Jinja2) and the PDF
(WeasyPrint). The baseline is WeasyPrint alone on the same final HTML, in the same
process; the ratio total / WeasyPrint-alone shows what our own stages add. The first
report in a fresh process also pays for starting vl-convert's engine and loading the
fonts; it is printed apart, since the app's report worker stays warm. Wall and CPU
time are both printed: on a busy machine the CPU figure is the steadier one.
Targets: whole (warm) report under 3 s, ratio at most 1.2.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

STAGES = ("context", "charts", "html", "pdf")


def largest_assessment(folder: Path) -> tuple[Any, Engine]:
    """The demo round whose report says the most (answers, DORA data, roadmap items), in a fresh SQLite file."""
    from assessment.assessments.repository import list_assessments, load_assessment
    from assessment.bank.loader import default_bank
    from assessment.core import db
    from assessment.demo import load_demo
    from assessment.dora.team import team_dora
    from assessment.roadmap.plan import build_roadmap

    engine = db.make_engine(f"sqlite:///{folder / 'bench.db'}")
    db.upgrade(engine)
    with db.write_session(engine) as session:
        load_demo(session, bank=default_bank())
    with db.read_session(engine) as session:
        rounds = [load_assessment(session, assessment_id=r.id) for r in list_assessments(session)]
        with_data = {d.id for d in rounds if team_dora(session, d) is not None}
    return max(
        rounds,
        key=lambda d: (len(d.answers), d.id in with_data, len(build_roadmap(d.bank, d.answers).items), -d.id),
    ), engine


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def one_report(data: Any, engine: Engine) -> tuple[dict[str, tuple[float, float]], str, bytes]:
    """(stage -> (wall s, cpu s), final HTML, PDF) for one report.

    The context stage reads the team's DORA data from the database, as the app does.
    """
    from assessment.core import db
    from assessment.dora.team import team_dora
    from reports.context import build_context
    from reports.html import REPORT_CSS, render_html
    from reports.pdf import render_pdf
    from reports.report_charts import render_charts

    def context() -> Any:
        with db.read_session(engine) as session:
            stored = team_dora(session, data)
        return build_context(data, team_dora=stored)

    ctx, *t_ctx = timed(context)
    charts, *t_charts = timed(lambda: render_charts(ctx))
    html, *t_html = timed(lambda: render_html(ctx, charts))
    pdf, *t_pdf = timed(lambda: render_pdf(html, css=REPORT_CSS))
    times = dict(zip(STAGES, (tuple(t_ctx), tuple(t_charts), tuple(t_html), tuple(t_pdf)), strict=True))
    return times, html, pdf  # type: ignore[return-value]


def weasyprint_alone(html: str) -> tuple[float, float]:
    from reports.html import REPORT_CSS
    from reports.pdf import render_pdf

    _, wall, cpu = timed(lambda: render_pdf(html, css=REPORT_CSS))
    return wall, cpu


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="warm runs of each side (default 9)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data, engine = largest_assessment(Path(folder))
        measure(data, engine, args.runs)


def measure(data: Any, engine: Engine, runs_wanted: int) -> None:
    print(f"assessment: {data.organisation} / {data.title} ({len(data.answers)} answers)")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")

    cold, html, pdf = one_report(data, engine)
    print(
        f"first report in this process: {sum(w for w, _ in cold.values()):.2f} s wall "
        f"({', '.join(f'{s} {cold[s][0]:.2f}' for s in STAGES)})"
    )

    runs, alone = [], []
    for _ in range(runs_wanted):  # interleaved, so a change in the machine's load touches both sides alike
        gc.collect()
        runs.append(one_report(data, engine)[0])
        gc.collect()
        alone.append(weasyprint_alone(html))
    tracemalloc.start()
    one_report(data, engine)
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"\nwarm, median of {runs_wanted} runs        wall s    cpu s")
    for stage in STAGES:
        print(f"  {stage:<32} {median([r[stage][0] for r in runs]):>7.3f}  {median([r[stage][1] for r in runs]):>7.3f}")
    total_wall = median([sum(w for w, _ in r.values()) for r in runs])
    total_cpu = median([sum(c for _, c in r.values()) for r in runs])
    alone_wall, alone_cpu = median([w for w, _ in alone]), median([c for _, c in alone])
    print(f"  {'whole report':<32} {total_wall:>7.3f}  {total_cpu:>7.3f}")
    print(f"  {'WeasyPrint alone, same HTML':<32} {alone_wall:>7.3f}  {alone_cpu:>7.3f}")
    print(
        f"\nratio whole / WeasyPrint alone: {total_wall / alone_wall:.2f} wall, {total_cpu / alone_cpu:.2f} cpu "
        f"(target <= 1.2)"
    )
    print(f"whole report: {total_wall:.2f} s wall, {total_cpu:.2f} s cpu (target < 3 s)")
    print(f"PDF: {len(pdf) // 1024} KiB; HTML: {len(html) // 1024} KiB")
    print(
        f"peak memory: {python_peak / 2**20:.1f} MiB of Python objects during one report; "
        f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
