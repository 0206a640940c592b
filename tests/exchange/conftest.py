"""Organisation export fixtures: the demo organisation with a workshop, typed figures, a saved mapping and
members, and a second empty database to import it into (a SQLite file, or a PostgreSQL schema)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from assessment.bank.answers import answered, dont_know
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import DEMO_ORG, load_demo
from assessment.dora.figures import Typed, save_figures
from assessment.dora.formats import Kind
from assessment.dora.ingest.saved import save_mapping
from assessment.organisations.directory import find_team
from assessment.organisations.members import grant
from assessment.workshops.admin import close_workshop, create_workshop, get_workshop
from assessment.workshops.facilitator import record_agreed_answer
from assessment.workshops.participants import join_view, join_workshop, save_participant_answer, set_finished
from tests.conftest import empty_database
from tests.portfolio.conftest import org_id


@dataclass(frozen=True)
class Secrets:
    """What the people of the demo workshop hold: the facilitator key and two participant tokens."""

    workshop_id: int
    key: str
    join_code: str
    tokens: dict[str, str]  # display name -> token


def rich_demo(engine: Engine, bank: Bank) -> Secrets:
    """The demo organisation plus one open and one closed workshop, typed figures, a mapping and members."""
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
        created = create_workshop(
            session,
            organisation=DEMO_ORG,
            teams=["Checkout", "Mobile API"],
            bank=bank,
            facilitator="Fran",
            title="Q4 review",
        )
        closed = create_workshop(
            session,
            organisation=DEMO_ORG,
            teams=["Payments"],
            bank=bank,
            facilitator="Fran",
            title="Payments deep dive",
        )
        close_workshop(get_workshop(session, workshop_id=closed.id))
    with db.read_session(engine) as session:
        seats = {name: wt for wt, name in join_view(session, code=created.join_code).teams}
    tokens: dict[str, str] = {}
    with db.write_session(engine) as session:
        for name, team in (("Ann", "Checkout"), ("Bob", "Checkout"), ("Cy", "Mobile API")):
            tokens[name] = join_workshop(
                session, code=created.join_code, display_name=name, workshop_team_id=seats[team]
            )
    with db.write_session(engine) as session:
        save_participant_answer(session, token=tokens["Ann"], question_key="rb_rollback_path", answer=answered(1))
        save_participant_answer(
            session,
            token=tokens["Bob"],
            question_key="rb_rollback_path",
            answer=answered(3, note="=we tested it in May"),
        )
        save_participant_answer(session, token=tokens["Bob"], question_key="io_tracing", answer=dont_know())
        save_participant_answer(session, token=tokens["Cy"], question_key="rb_rollback_path", answer=answered(2))
        set_finished(session, token=tokens["Bob"], finished=True)
    with db.write_session(engine) as session:
        record_agreed_answer(
            session,
            workshop_id=created.id,
            key=created.facilitator_key,
            workshop_team_id=seats["Checkout"],
            question_key="rb_rollback_path",
            answer=answered(2, note="the room settled on 2"),
            by="Fran",
            expected_version=0,
        )
        checkout = find_team(session, team="Checkout", organisation=DEMO_ORG)
        save_figures(
            session,
            team_id=checkout.id or 0,
            by="Ana",
            values={
                "deployment_frequency": Typed(range="daily_to_weekly"),
                "lead_time": Typed(number=30.5),
                "change_failure_rate": Typed(number=12.0),
            },
        )
        save_mapping(
            session,
            organisation_id=org_id(session, DEMO_ORG),
            name="GitLab export",
            mapping={Kind.DEPLOYMENTS: {"id": "iid", "deployed_at": "finished_at"}},
        )
    with db.read_session(engine) as session:
        organisation = org_id(session, DEMO_ORG)
    grant(engine, actor=None, organisation_id=organisation, email="ana@example.org", role="owner")
    grant(engine, actor=None, organisation_id=organisation, email="bo@example.org", role="viewer")
    return Secrets(created.id, created.facilitator_key, created.join_code, tokens)


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table of the whole database."""
    with engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in SQLModel.metadata.tables.items()
        }


@pytest.fixture
def other_url(tmp_path: Path) -> Iterator[str]:
    """A second empty database for the same test, on the same backend as `database_url`."""
    folder = tmp_path / "other"
    folder.mkdir()
    with empty_database(folder) as url:
        yield url


@pytest.fixture
def other_engine(other_url: str) -> Iterator[Engine]:
    eng = db.make_engine(other_url)
    db.upgrade(eng)
    yield eng
    eng.dispose()
