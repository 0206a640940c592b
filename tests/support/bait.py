"""A loopback HTTP server that records every request, and an install whose every free-text field points at it.

A Markdown image (`![x](http://HOST/x)`) that a page renders makes the browser
fetch HOST: that is how a name or a note would leak the room's addresses and
timing to whoever typed it. The browser tests seed each field people type with
such an image, a Markdown link, an autolink and a bare address on the canary, open
every page, and then ask the canary what it received: nothing, when every piece of
text was shown as text.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy.engine import Engine

from assessment.access.policy import COMMAND_LINE, acting_as
from assessment.assessments.banks import store_published
from assessment.assessments.repository import create_assessment, save_answer, set_status, store_bank
from assessment.bank.answers import answered, not_applicable
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.dora.figures import Typed, save_figures
from assessment.dora.formats import Kind
from assessment.dora.ingest.saved import save_mapping
from assessment.organisations.directory import ensure_organisation, ensure_team
from assessment.workshops.admin import create_workshop
from assessment.workshops.facilitator import record_agreed_answer
from assessment.workshops.participants import join_view, join_workshop, save_participant_answer


@dataclass
class Canary:
    """The server's address and every path it was asked for."""

    base: str
    hits: list[str] = field(default_factory=list)

    def bait(self, tag: str, *, short: bool = False) -> str:
        """Markdown that fetches or links the canary wherever it is rendered (`short`: fits 80 characters)."""
        image = f"![{tag}]({self.base}/i/{tag})"
        if short:
            return f"{image} {self.base}/b"
        return f"{image} [{tag}]({self.base}/a/{tag}) <{self.base}/auto/{tag}> {self.base}/bare"


@contextmanager
def canary_server() -> Iterator[Canary]:
    """The canary on a free loopback port, answering `ok` to everything; stopped afterwards."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Canary(f"http://127.0.0.1:{server.server_address[1]}", hits)
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Baited:
    """Where the baited install's records are, for the crawl."""

    organisation_id: int
    rounds: tuple[int, int]  # a completed round and the in-progress one after it
    workshop_id: int
    key: str
    join_code: str
    token: str


QUESTIONS = ("rb_rollback_path", "io_tracing", "rb_schema_rollback")


def bait_everything(engine: Engine, canary: Canary) -> Baited:
    """An organisation whose names, labels, notes, reasons, mapping, workshop and participant all carry bait."""
    bank = default_bank()
    with acting_as(COMMAND_LINE), db.write_session(engine) as session:
        org = ensure_organisation(session, name=f"Org {canary.bait('org')}"[:200])
        team = ensure_team(session, organisation_id=org.id or 0, name=f"Team {canary.bait('team')}"[:200])
        version = store_bank(session, bank=bank).id or 0
        rounds = []
        for number in (1, 2):
            assessment = create_assessment(
                session, team_id=team.id or 0, bank_version_id=version, created_by=canary.bait("creator"),
                label=canary.bait(f"label{number}"),
            )  # fmt: skip
            rounds.append(assessment.id or 0)
            for level, key in enumerate(QUESTIONS, start=number):
                question = bank.questions_by_key()[key]
                answer = (
                    (not_applicable(canary.bait(f"reason{number}")) if number == 2 else answered(True))
                    if question.allow_not_applicable
                    else answered(min(level, 4), note=canary.bait(f"note{number}{key}"))
                )
                save_answer(
                    session, assessment_id=assessment.id or 0, question_key=key, answer=answer, by=canary.bait("by")
                )
        set_status(session, assessment_id=rounds[0], completed=True)
        save_figures(session, team_id=team.id or 0, by=canary.bait("figures"), values={"lead_time": Typed(number=3)})
        save_mapping(
            session,
            organisation_id=org.id or 0,
            name=canary.bait("mapping")[:200],
            mapping={Kind.DEPLOYMENTS: {"id": "iid", "deployed_at": "finished_at"}},
        )
        created = create_workshop(
            session,
            organisation=org.name,
            teams=[team.name, f"Other {canary.bait('team2')}"[:200]],
            bank=bank,
            facilitator=canary.bait("facilitator"),
            title=f"Workshop {canary.bait('title')}"[:200],
        )
        info = bank.bank.model_copy(update={"title": f"Bank {canary.bait('bank')}"[:200], "version": "99.0"})
        store_published(
            session, organisation_id=org.id or 0, bank=bank.model_copy(update={"bank": info}), by=canary.bait("pub")
        )
    with db.read_session(engine) as session:
        seats = dict(join_view(session, code=created.join_code).teams)
    seat = next(wt for wt, name in seats.items() if name == team.name)
    with db.write_session(engine) as session:
        token = join_workshop(
            session, code=created.join_code, display_name=canary.bait("person", short=True), workshop_team_id=seat
        )
    with db.write_session(engine) as session:
        save_participant_answer(
            session, token=token, question_key=QUESTIONS[0], answer=answered(2, note=canary.bait("pnote"))
        )
    with acting_as(COMMAND_LINE), db.write_session(engine) as session:
        record_agreed_answer(
            session,
            workshop_id=created.id,
            key=created.facilitator_key,
            workshop_team_id=seat,
            question_key=QUESTIONS[0],
            answer=answered(2, note=canary.bait("agreed")),
            by=canary.bait("recorder")[:200],
            expected_version=0,
        )
    return Baited(org.id or 0, (rounds[0], rounds[1]), created.id, created.facilitator_key, created.join_code, token)
