"""Workshops for tests: one opened as its facilitator would, and people joining and answering in it, through the
real domain calls on the test database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from assessment.bank.answers import AnswerValue
from assessment.bank.model import Bank
from assessment.core import db
from assessment.workshops.admin import CreatedWorkshop, create_workshop
from assessment.workshops.participants import join_view, join_workshop, save_participant_answer


@dataclass(frozen=True)
class Room:
    """A workshop as its facilitator knows it."""

    engine: Engine
    created: CreatedWorkshop
    team_ids: dict[str, int]  # team name -> workshop team id

    @property
    def id(self) -> int:
        return self.created.id

    @property
    def key(self) -> str:
        return self.created.facilitator_key

    def join(self, name: str, team: str) -> str:
        with db.write_session(self.engine) as session:
            return join_workshop(
                session, code=self.created.join_code, display_name=name, workshop_team_id=self.team_ids[team]
            )

    def answer(self, token: str, key: str, answer: AnswerValue) -> int:
        with db.write_session(self.engine) as session:
            return save_participant_answer(session, token=token, question_key=key, answer=answer)


def open_room(
    engine: Engine,
    bank: Bank,
    *,
    org: str = "Acme",
    teams: tuple[str, ...] = ("Payments", "Checkout"),
    title: str | None = None,
) -> Room:
    with db.write_session(engine) as session:
        created = create_workshop(
            session, organisation=org, teams=list(teams), bank=bank, facilitator="Fran", title=title
        )
    with db.read_session(engine) as session:
        view = join_view(session, code=created.join_code)
    return Room(engine, created, {name: wt_id for wt_id, name in view.teams})
