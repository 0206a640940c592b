"""The report worker: warm before the first request, a queue with places, a limit that counts the render only.

Real spawned worker processes rendering real reports; no part is replaced. Item 1 of issue 16.
"""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy.engine import Engine

from assessment.assessments.repository import AssessmentData, load_assessment
from assessment.core import db
from reports.worker import RenderFailed, ReportWorker
from tests.support.builders import demo_round
from tests.support.pdf import read, slow_warm_up


def round_data(engine: Engine, team: str) -> AssessmentData:
    with db.read_session(engine) as session:
        return load_assessment(session, assessment_id=demo_round(engine, team))


def test_reports_asked_for_at_once_queue_with_their_place_and_all_arrive(module_demo_engine: Engine) -> None:
    data = [round_data(module_demo_engine, team) for team in ("Payments", "Checkout", "Platform")]
    worker = ReportWorker()
    try:
        jobs = [worker.submit(d) for d in data]  # before the worker runs: all three wait in order
        assert [worker.ahead(job) for job in jobs] == [0, 1, 2]
        worker.start()
        for job, d in zip(jobs, data, strict=True):
            assert job.wait(600)
            assert read(job.result()).metadata.title == f"Foundations assessment: {d.title}"  # type: ignore[union-attr]
            assert worker.ahead(job) == 0
    finally:
        worker.stop()


def test_the_start_up_never_counts_against_a_reports_limit(module_demo_engine: Engine) -> None:
    """A worker whose start takes 30 s longer than the 25 s limit still makes the report asked for at once."""
    worker = ReportWorker(prepare=partial(slow_warm_up, 30.0))
    try:
        worker.start()
        pdf = worker.render(round_data(module_demo_engine, "Payments"), 25.0)  # queued while the worker starts
        assert read(pdf).metadata.title == "Foundations assessment: Payments, round 1"  # type: ignore[union-attr]
    finally:
        worker.stop()


def test_a_timeout_starts_a_warm_replacement_before_the_retry(module_demo_engine: Engine) -> None:
    data = round_data(module_demo_engine, "Payments")
    worker = ReportWorker()
    try:
        worker.start()
        assert worker.wait_ready(600)  # warm with no report asked for: started with the app
        with pytest.raises(RenderFailed, match=r"longer than 0\.01 seconds"):
            worker.render(data, 0.01)
        assert worker.wait_ready(600)  # the replacement warmed up on its own, not on the retry
        pdf = worker.render(data, 240)
        assert read(pdf).metadata.title == "Foundations assessment: Payments, round 1"  # type: ignore[union-attr]
    finally:
        worker.stop()
