"""Organisation and team names: two writers creating the same new one get one row; letter case alone is no new name.

The two writers are synchronised through SQLAlchemy's statement events, never by
sleeping: on PostgreSQL both have looked the name up and found nothing before either
inserts, so the second insert really fails and the savepoint path really runs; on
SQLite the write lock makes the second writer wait for the first, and the test checks
that it did.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.models.assessments import Organisation, Team
from assessment.organisations.directory import ensure_organisation, ensure_team, find_team

WAIT = 30  # seconds: only reached when a writer never arrives, which fails the test

Ids = tuple[int, int]


def create_acme_payments(engine: Engine) -> Ids:
    """What every writer here does: get or create organisation Acme and its team Payments, in one transaction."""
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Acme")
        team = ensure_team(session, organisation_id=org.id or 0, name="Payments")
        return org.id or 0, team.id or 0


@contextmanager
def listening(engine: Engine, event: str, listener: Callable[..., None]) -> Iterator[None]:
    sa.event.listen(engine, event, listener)
    try:
        yield
    finally:
        sa.event.remove(engine, event, listener)


def started(writer: Callable[[], Ids], name: str) -> Callable[[], Ids]:
    """Start `writer` in a thread called `name`; the function returned waits for it and returns its result."""
    outcome: list[Ids | BaseException] = []

    def run() -> None:
        try:
            outcome.append(writer())
        except BaseException as exc:  # raised again in the test's thread
            outcome.append(exc)

    thread = threading.Thread(target=run, name=name)
    thread.start()

    def result() -> Ids:
        thread.join(WAIT * 2)
        assert outcome, f"{name} is stuck"
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    return result


def assert_one_row_each(engine: Engine) -> None:
    with db.read_session(engine) as session:
        assert len(session.exec(select(Organisation)).all()) == 1
        assert len(session.exec(select(Team)).all()) == 1


@pytest.mark.parametrize("table", ["organisation", "team"])
def test_two_writers_that_both_found_no_row_get_one_row_on_postgresql(engine: Engine, table: str) -> None:
    """Both writers look the name up, find nothing, and only then insert: the second insert hits the unique
    constraint, its savepoint is rolled back and the row the first writer committed is read back."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time look names up: see the SQLite test")
    if table == "team":
        with db.write_session(engine) as session:
            ensure_organisation(session, name="Acme")  # the team alone is new
    both_looked = threading.Barrier(2, timeout=WAIT)
    inserts: list[str] = []
    undone: list[str] = []

    def before_insert(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith(f"INSERT INTO {table} "):
            inserts.append(threading.current_thread().name)
            both_looked.wait()  # each writer found no row: neither inserts before the other has looked

    def savepoint_undone(_conn: Any, name: str, _context: Any) -> None:
        undone.append(threading.current_thread().name)

    with (
        listening(engine, "before_cursor_execute", before_insert),
        listening(engine, "rollback_savepoint", savepoint_undone),
    ):
        one, other = (
            started(lambda: create_acme_payments(engine), "one"),
            started(lambda: create_acme_payments(engine), "other"),
        )
        first, second = one(), other()
    assert first == second
    assert sorted(inserts) == ["one", "other"]  # both inserted: the race happened
    assert len(undone) == 1  # one insert lost, and only its savepoint was undone, not the transaction
    assert_one_row_each(engine)


def test_a_second_writer_waits_for_the_first_and_finds_its_row_on_sqlite(engine: Engine) -> None:
    """SQLite's write transactions begin IMMEDIATE: a second writer cannot even look the name up until the
    first has committed, so it finds the row and never inserts (the savepoint path is not needed)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL lets both writers look names up at once: see the PostgreSQL test")
    order: list[tuple[str, str]] = []  # (thread, statement or event), as they happened
    second_is_beginning = threading.Event()

    def before(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        who = threading.current_thread().name
        if who == "second" and statement.startswith("BEGIN"):
            second_is_beginning.set()
        order.append((who, statement.split()[0]))

    def after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("BEGIN"):
            order.append((threading.current_thread().name, "BEGUN"))

    def committing(_conn: Any) -> None:
        order.append((threading.current_thread().name, "COMMIT"))

    with (
        listening(engine, "before_cursor_execute", before),
        listening(engine, "after_cursor_execute", after),
        listening(engine, "commit", committing),
    ):
        with db.write_session(engine) as session:  # the first writer, in this thread
            org = ensure_organisation(session, name="Acme")
            team = ensure_team(session, organisation_id=org.id or 0, name="Payments")
            second = started(lambda: create_acme_payments(engine), "second")
            assert second_is_beginning.wait(WAIT), "the second writer never began"
        first = (org.id or 0, team.id or 0)  # committed: only now may the second writer begin
        assert second() == first
    me = threading.current_thread().name
    assert order.index(("second", "BEGIN")) < order.index((me, "COMMIT")) < order.index(("second", "BEGUN"))
    by_second = [what for who, what in order if who == "second"]
    assert "SELECT" in by_second  # it looked the names up, after the commit
    assert "INSERT" not in by_second  # and found both rows
    assert_one_row_each(engine)


def test_names_differing_only_in_letter_case_are_the_same_organisation_and_team(engine: Engine) -> None:
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Northwind")
        team = ensure_team(session, organisation_id=org.id or 0, name="Payments")
    with db.write_session(engine) as session:
        assert ensure_organisation(session, name="northwind ").id == org.id
        assert ensure_team(session, organisation_id=org.id or 0, name="PAYMENTS").id == team.id
        assert find_team(session, team="payments", organisation="NORTHWIND").id == team.id
    with db.read_session(engine) as session:
        assert len(session.exec(select(Team)).all()) == 1


def test_an_exact_spelling_wins_where_old_data_has_both(engine: Engine) -> None:
    with db.write_session(engine) as session:  # rows written before lookups ignored case
        org = Organisation(name="Acme")
        session.add(org)
        session.flush()
        session.add_all(
            [Team(organisation_id=org.id or 0, name="Core"), Team(organisation_id=org.id or 0, name="core")]
        )
    with db.write_session(engine) as session:
        assert ensure_team(session, organisation_id=org.id or 0, name="core").name == "core"
        assert find_team(session, team="Core").name == "Core"
        with pytest.raises(FoundationsError):
            ensure_team(session, organisation_id=org.id or 0, name="CORE")  # ambiguous: two others
