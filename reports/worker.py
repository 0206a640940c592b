"""Render reports in a separate, warm process, one at a time in a queue, each within a time limit.

WeasyPrint is CPU-bound Python: run in the app process it would hold the GIL and
slow every other user's page. The worker is a child process (started fresh, never
forked from a threaded server) that keeps its imports, fonts and chart engine loaded between
reports. It is started with the app (`shared_worker().start()` in app.py), so the
first click finds it warm; it says when it is ready, and only then does a report's
time limit start: the start-up never counts against the limit. Requests wait in a
queue and each can say how many reports are ahead of it. A render that overruns the
limit, or a worker that dies, is killed and a replacement is started at once, so
the next request (a retry, or the next in the queue) does not start cold. The caller
gets RenderFailed with a plain message. The worker only reads the data it is sent.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

from assessment.assessments.comparison import RoundComparison
from assessment.assessments.repository import AssessmentData
from assessment.core.errors import FoundationsError
from assessment.core.numbers import number_text
from assessment.dora.team import TeamDora
from assessment.organisations.brand import Brand

TIME_LIMIT_S = 60.0  # for one report, counted from the moment a ready worker receives it
START_LIMIT_S = 180.0  # for the worker to start and warm up, never counted against a report's limit
READY = "ready"
ROOT = Path(__file__).resolve().parents[1]


class RenderFailed(FoundationsError):
    """The PDF could not be made in time, or the renderer failed; nothing was changed."""


def warm_up() -> None:
    """Load everything a report needs (WeasyPrint, fonts, the chart engine) by making one of an empty round."""
    from assessment.bank.loader import default_bank
    from reports.build import pdf_for

    empty = AssessmentData(
        id=0,
        organisation="Warm-up",
        team="Warm-up",
        team_id=0,
        round_number=1,
        label=None,
        status="in_progress",
        created_at=datetime.now(UTC),
        completed_at=None,
        bank=default_bank(),
        answers={},
        answer_meta={},
    )
    pdf_for(empty)


def child(fd: int) -> None:
    """Child process loop: receive the warm-up, run it, say READY, then answer each request with (True, pdf)
    or (False, message). The child is a plain `python -c` process rather than multiprocessing's spawn, which
    would re-run the parent's __main__ (in Streamlit: whichever page script ran last) before starting."""
    from reports.build import pdf_for

    conn = Connection(fd)
    try:
        prepare: Callable[[], None] = conn.recv()
        prepare()
    except Exception as exc:  # a report will say so; the worker can still try
        conn.send((False, f"warm-up failed: {type(exc).__name__}: {exc}"))
    conn.send((True, READY))
    while True:
        try:
            data, since, dora, brand = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):  # the app stopped
            return
        try:
            conn.send((True, pdf_for(data, since=since, team_dora=dora, brand=brand)))
        except Exception as exc:
            conn.send((False, f"{type(exc).__name__}: {exc}"))


@dataclass(eq=False)
class Job:
    """One report asked for: waits in the queue, then is rendered; `done` is set when it has a result."""

    request: tuple[AssessmentData, RoundComparison | None, TeamDora | None, Brand | None]
    time_limit_s: float
    done: threading.Event = field(default_factory=threading.Event)
    pdf: bytes | None = None
    error: str | None = None

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)

    def result(self) -> bytes:
        """The PDF, or RenderFailed with the reason (call after `wait` returned True)."""
        if self.pdf is None:
            raise RenderFailed(self.error or "the report was not made")
        return self.pdf


class ReportWorker:
    """One warm child process serving a queue of reports, one at a time, each within its own time limit."""

    def __init__(self, prepare: Callable[[], None] = warm_up, start_limit_s: float = START_LIMIT_S) -> None:
        self._prepare = prepare  # a module-level function: the child imports it by name
        self._start_limit_s = start_limit_s
        self._changed = threading.Condition()
        self._queue: deque[Job] = deque()
        self._current: Job | None = None
        self._dispatcher: threading.Thread | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._ready = False
        self._warm = threading.Event()  # set while a warm child waits for work

    # -- the child process -------------------------------------------------------------------
    def _spawn(self) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            self._process = subprocess.Popen(
                [sys.executable, "-c", f"from reports.worker import child; child({theirs.fileno()})"],
                cwd=ROOT,
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        self._conn, self._ready = Connection(ours.detach()), False
        self._conn.send(self._prepare)  # a module-level function (or a partial of one): sent by name

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _kill(self) -> None:
        if self._process is not None and self._alive():
            self._process.kill()
            self._process.wait(5)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn, self._ready = None, None, False
        self._warm.clear()

    def _ready_conn(self) -> Connection:
        """The connection to a warm child, waiting for its start-up if need be (not part of any report's limit)."""
        if not self._alive() or self._conn is None:
            self._kill()
            self._spawn()
        assert self._conn is not None
        while not self._ready:
            if not self._conn.poll(self._start_limit_s):
                self._kill()
                raise RenderFailed(
                    f"the report renderer did not start within {number_text(self._start_limit_s)} seconds"
                )
            ok, message = self._conn.recv()
            self._ready = ok and message == READY
        self._warm.set()
        return self._conn

    def wait_ready(self, timeout: float | None = None) -> bool:
        """True once a warm child is waiting for work (after start, and again soon after a timeout)."""
        return self._warm.wait(timeout)

    # -- the queue -----------------------------------------------------------------------------
    def start(self) -> None:
        """Start the child (warming up in the background) and the dispatcher; returns at once, safe to repeat."""
        with self._changed:
            if self._dispatcher is not None:
                return
            self._spawn()
            self._dispatcher = threading.Thread(target=self._dispatch, name="foundations-report-queue", daemon=True)
            self._dispatcher.start()

    def _dispatch(self) -> None:
        while True:
            with contextlib.suppress(RenderFailed, EOFError, OSError):  # the next report tries again, and says so
                self._ready_conn()  # warm up now, before anyone asks: a report never waits for a cold start
            with self._changed:
                while not self._queue:
                    self._changed.wait()
                job = self._current = self._queue.popleft()
            try:
                job.pdf = self._render(job)
            except RenderFailed as exc:
                job.error = str(exc)
            except Exception as exc:  # never let one report stop the queue
                job.error = f"{type(exc).__name__}: {exc}"
            with self._changed:
                self._current = None
                job.done.set()
                self._changed.notify_all()

    def _render(self, job: Job) -> bytes:
        try:
            conn = self._ready_conn()
            conn.send(job.request)
            if not conn.poll(job.time_limit_s):
                self._kill()
                self._spawn()  # the replacement warms up now, so the next report (or a retry) is not cold
                raise RenderFailed(
                    f"the report took longer than {number_text(job.time_limit_s)} seconds and was stopped"
                )
            ok, payload = conn.recv()
        except (EOFError, OSError):
            self._kill()
            self._spawn()
            raise RenderFailed("the report renderer stopped unexpectedly") from None
        if not ok:
            raise RenderFailed(f"the report could not be made: {payload}")
        return bytes(payload)

    def submit(
        self,
        data: AssessmentData,
        time_limit_s: float = TIME_LIMIT_S,
        since: RoundComparison | None = None,
        team_dora: TeamDora | None = None,
        brand: Brand | None = None,
    ) -> Job:
        """Queue the PDF of `data` (with `since`: its "since the last round" section; with `team_dora`: the
        team's DORA data; with `brand`: the organisation's branding); the job is rendered within
        `time_limit_s` seconds once a warm worker takes it."""
        job = Job((data, since, team_dora, brand), time_limit_s)
        with self._changed:
            self._queue.append(job)
            self._changed.notify_all()
        return job

    def ahead(self, job: Job) -> int:
        """How many reports will be made before `job` (the one being made now included); 0 once it is being made."""
        with self._changed:
            if job is self._current or job.done.is_set():
                return 0
            waiting = list(self._queue)
            before = waiting.index(job) if job in waiting else 0
            return before + (self._current is not None)

    def render(
        self,
        data: AssessmentData,
        time_limit_s: float = TIME_LIMIT_S,
        since: RoundComparison | None = None,
        team_dora: TeamDora | None = None,
        brand: Brand | None = None,
    ) -> bytes:
        """The PDF of `data`, waiting for its turn; RenderFailed after its time limit or on a renderer error."""
        self.start()
        job = self.submit(data, time_limit_s, since, team_dora, brand)
        job.wait()
        return job.result()

    def stop(self) -> None:
        """Kill the child (the queue's thread stays, and starts a new child for the next report)."""
        self._kill()


_SHARED = ReportWorker()


def shared_worker() -> ReportWorker:
    """The app process's one worker, shared by every session (and not reset when Streamlit's caches are cleared)."""
    return _SHARED
