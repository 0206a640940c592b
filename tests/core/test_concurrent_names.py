"""Two writers creating the same new organisation or team at once get the same row, not an error."""

from __future__ import annotations

import threading
import time

from sqlalchemy.engine import Engine
from sqlmodel import select

from assessment import db
from assessment.models import Organisation, Team
from assessment.repository import ensure_organisation, ensure_team


def test_a_name_created_by_a_concurrent_writer_is_found_not_duplicated(engine: Engine) -> None:
    results: dict[str, tuple[int, int]] = {}
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            with db.write_session(engine) as session:  # blocks on the first writer's insert (or lock)
                org = ensure_organisation(session, name="Acme")
                team = ensure_team(session, organisation_id=org.id or 0, name="Payments")
                results["second"] = (org.id or 0, team.id or 0)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
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
