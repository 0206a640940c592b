"""Organisation and team names: two writers creating the same new one get one row; letter case alone is no new name."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.models.assessments import Organisation, Team
from assessment.organisations.directory import ensure_organisation, ensure_team, find_team


def test_a_name_created_by_a_concurrent_writer_is_found_not_duplicated(engine: Engine) -> None:
    results: dict[str, tuple[int, int]] = {}
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            with db.write_session(engine) as session:  # blocks on the first writer's insert (or lock)
                org = ensure_organisation(session, name="Acme")
                team = ensure_team(session, organisation_id=org.id or 0, name="Payments")
                results["second"] = (org.id or 0, team.id or 0)
        except BaseException as exc:
            errors.append(exc)

    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Acme")
        team = ensure_team(session, organisation_id=org.id or 0, name="Payments")
        results["first"] = (org.id or 0, team.id or 0)
        other = threading.Thread(target=second_writer)
        other.start()
        time.sleep(0.5)  # the second writer is now inside its transaction, waiting on ours
    other.join(30)
    assert not errors, errors
    assert results["second"] == results["first"]
    with db.read_session(engine) as session:
        assert len(session.exec(select(Organisation)).all()) == 1
        assert len(session.exec(select(Team)).all()) == 1


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
