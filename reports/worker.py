"""Render reports in a separate, warm process with a time limit, so the app's script threads stay free.

WeasyPrint is CPU-bound Python: run in the app process it would hold the GIL and
slow every other user's page. The worker is a spawned child (never forked from a
threaded server) that keeps its imports and fonts loaded between reports. A render
that overruns the limit, or a worker that dies, is killed and replaced; the caller
gets RenderFailed with a plain message. The worker only reads the data it is sent.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from assessment.assessments.comparison import RoundComparison
from assessment.assessments.repository import AssessmentData
from assessment.core.errors import FoundationsError
from assessment.core.numbers import number_text
from assessment.dora.team import TeamDora

TIME_LIMIT_S = 60.0


class RenderFailed(FoundationsError):
    """The PDF could not be made in time, or the renderer failed; nothing was changed."""


def _serve(conn: Connection) -> None:
    """Child process loop: receive assessment data, send back (True, pdf) or (False, message)."""
    from reports.build import pdf_for  # imported in the child, which then stays warm

    while True:
        try:
            data, since, dora = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        try:
            conn.send((True, pdf_for(data, since=since, team_dora=dora)))
        except Exception as exc:
            conn.send((False, f"{type(exc).__name__}: {exc}"))


class ReportWorker:
    """One warm child process; one render at a time, each within a time limit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        if self._process is None or not self._process.is_alive() or self._conn is None:
            context = mp.get_context("spawn")
            parent, child = context.Pipe()
            self._process = context.Process(target=_serve, args=(child,), name="foundations-report", daemon=True)
            self._process.start()
            child.close()
            self._conn = parent
        return self._conn

    def stop(self) -> None:
        """Kill the child (after a timeout, or when the app shuts down)."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process, self._conn = None, None

    def render(
        self,
        data: AssessmentData,
        time_limit_s: float = TIME_LIMIT_S,
        since: RoundComparison | None = None,
        team_dora: TeamDora | None = None,
    ) -> bytes:
        """The PDF of `data` (with `since`: its "since the last round" section; with `team_dora`: the team's
        DORA data), or RenderFailed after `time_limit_s` seconds or on any renderer error."""
        with self._lock:
            conn = self._start()
            try:
                conn.send((data, since, team_dora))
                if not conn.poll(time_limit_s):
                    self.stop()
                    raise RenderFailed(
                        f"the report took longer than {number_text(time_limit_s)} seconds and was stopped"
                    )
                ok, payload = conn.recv()
            except (EOFError, OSError):
                self.stop()
                raise RenderFailed("the report renderer stopped unexpectedly") from None
        if not ok:
            raise RenderFailed(f"the report could not be made: {payload}")
        return bytes(payload)
