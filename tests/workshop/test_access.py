"""Every link, code, key or token that does not open what it is used for fails the same way.

The message is one constant and the exception carries nothing else, so a probe
cannot tell an unknown workshop from a closed one, or a wrong key from a missing id.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from assessment.access.policy import bind
from assessment.bank.answers import answered
from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.types import utcnow
from assessment.models.workshops import Workshop
from assessment.workshops import tokens
from assessment.workshops.access import INVALID_LINK, InvalidLinkError, session_ticket
from assessment.workshops.admin import close_workshop, get_workshop, reset_facilitator_key
from assessment.workshops.dashboard import team_dashboard
from assessment.workshops.facilitator import overview, record_agreed_answer, set_open
from assessment.workshops.participants import (
    join_view,
    join_workshop,
    participant_view,
    save_participant_answer,
    set_finished,
)
from tests.support.workshops import Room, open_room


def refused(engine: Engine, action: Callable[[Session], Any]) -> str:
    """Run `action` in a write session; it must raise InvalidLinkError. Returns the message."""
    with pytest.raises(InvalidLinkError) as caught, db.write_session(engine) as session:
        action(session)
    assert caught.value.args == (INVALID_LINK,)
    return str(caught.value)


def expire(room: Room) -> None:
    with db.write_session(room.engine) as session:
        workshop = get_workshop(session, workshop_id=room.id)
        workshop.expires_at = utcnow() - timedelta(seconds=1)
        session.add(workshop)


def close(room: Room) -> None:
    with db.write_session(room.engine) as session:
        workshop = get_workshop(session, workshop_id=room.id)
        close_workshop(workshop)
        session.add(workshop)


def participant_actions(token: str | None, code: str | None) -> list[Callable[[Session], Any]]:
    return [
        lambda s: join_view(s, code=code),
        lambda s: participant_view(s, token=token),
        lambda s: save_participant_answer(s, token=token, question_key="rb_last_rollback_minutes", answer=answered(4)),
        lambda s: set_finished(s, token=token, finished=True),
    ]


@pytest.mark.parametrize("code", ["", None, "ZZZZZZZZ", "abc", "x" * 500, "'; DROP TABLE workshop;--"])
def test_unknown_join_codes_are_not_valid(room: Room, code: str | None) -> None:
    refused(room.engine, lambda s: join_view(s, code=code))
    refused(
        room.engine,
        lambda s: join_workshop(s, code=code, display_name="Ann", workshop_team_id=room.team_ids["Payments"]),
    )


@pytest.mark.parametrize("token", ["", None, "not-a-token", "A" * 43])
def test_unknown_participant_tokens_are_not_valid(room: Room, token: str | None) -> None:
    room.join("Ann", "Payments")
    for action in participant_actions(token, "nope")[1:]:
        refused(room.engine, action)


def test_a_truncated_or_altered_token_is_not_valid(room: Room) -> None:
    token = room.join("Ann", "Payments")
    for bad in (token[:-1], token + "x", token.upper(), token[::-1]):
        refused(room.engine, partial(participant_view, token=bad))


@pytest.mark.parametrize("how", [expire, close], ids=["expired", "closed"])
def test_expired_or_closed_workshops_stop_every_participant_link(room: Room, how: Callable[[Room], None]) -> None:
    token = room.join("Ann", "Payments")
    room.answer(token, "rb_last_rollback_minutes", answered(4))
    how(room)
    for action in participant_actions(token, room.created.join_code):
        refused(room.engine, action)
    refused(
        room.engine,
        lambda s: join_workshop(
            s, code=room.created.join_code, display_name="Bob", workshop_team_id=room.team_ids["Payments"]
        ),
    )


def test_reopening_is_explicit_and_brings_the_same_links_back(room: Room) -> None:
    token = room.join("Ann", "Payments")
    close(room)
    refused(room.engine, lambda s: participant_view(s, token=token))
    with db.write_session(room.engine) as session:
        set_open(session, workshop_id=room.id, key=room.key, is_open=True)
    with db.read_session(room.engine) as session:
        assert participant_view(session, token=token).display_name == "Ann"
        assert join_view(session, code=room.created.join_code).title


def test_the_facilitator_keeps_access_while_closed_but_not_with_a_wrong_key(room: Room) -> None:
    close(room)
    with db.read_session(room.engine) as session:
        assert overview(session, workshop_id=room.id, key=room.key).status == "closed"
    for key in ("", "wrong", room.key[:-1], room.key + "a"):
        refused(room.engine, partial(overview, workshop_id=room.id, key=key))


def test_without_a_key_only_someone_who_may_run_workshops_gets_in(room: Room) -> None:
    """No key: the local user (who may do everything) opens it; a guest of the workshop (bound to nobody) does not."""
    with db.read_session(room.engine) as session:
        assert overview(session, workshop_id=room.id, key=None).id == room.id
    refused(bind(room.engine, None), partial(overview, workshop_id=room.id, key=None))
    with db.read_session(bind(room.engine, None)) as session:  # a guest holding the key: the key decides
        assert overview(session, workshop_id=room.id, key=room.key).id == room.id


def test_a_session_ticket_opens_the_dashboard_until_it_expires_or_the_key_changes(room: Room) -> None:
    with db.read_session(room.engine) as session:
        ticket = session_ticket(session, workshop_id=room.id, key=room.key)
        workshop = get_workshop(session, workshop_id=room.id)
        assert overview(session, workshop_id=room.id, key=ticket).id == room.id
        expired = tokens.ticket(room.id, workshop.facilitator_key_hash, int(utcnow().timestamp()) - 1)
        forged = tokens.ticket(room.id, "0" * 64, int(utcnow().timestamp()) + 3600)
    assert ticket.startswith("t1.")
    assert room.key not in ticket
    altered = ticket[:-1] + ("1" if ticket.endswith("0") else "0")
    for bad in (expired, forged, altered, ticket.replace("t1.", "t2."), "t1.x.y"):
        refused(room.engine, partial(overview, workshop_id=room.id, key=bad))
    refused(room.engine, partial(session_ticket, workshop_id=room.id, key=forged))  # no ticket for a bad key
    with db.write_session(room.engine) as session:
        reset_facilitator_key(get_workshop(session, workshop_id=room.id))
    refused(room.engine, partial(overview, workshop_id=room.id, key=ticket))  # a new key ends every ticket


def test_one_workshops_key_or_token_opens_nothing_of_another(engine: Engine, bank: Bank) -> None:
    a = open_room(engine, bank, org="Acme", teams=("Payments",))
    b = open_room(engine, bank, org="Globex", teams=("Search",))
    token_a = a.join("Ann", "Payments")
    messages = {
        refused(engine, lambda s: overview(s, workshop_id=b.id, key=a.key)),
        refused(engine, lambda s: overview(s, workshop_id=a.id, key=token_a)),  # a token is no key
        refused(engine, lambda s: overview(s, workshop_id=999_999, key=a.key)),
        refused(engine, lambda s: participant_view(s, token=a.key)),  # a key is no token
        refused(engine, lambda s: participant_view(s, token=token_a, code=b.created.join_code)),
        refused(engine, lambda s: set_open(s, workshop_id=b.id, key=a.key, is_open=False)),
    }
    assert messages == {INVALID_LINK}
    with db.read_session(engine) as session:
        assert session.get(Workshop, b.id).status == "open"  # type: ignore[union-attr]


def test_a_team_id_from_another_workshop_shows_nothing_of_it(engine: Engine, bank: Bank) -> None:
    a = open_room(engine, bank, org="Acme", teams=("Payments",))
    b = open_room(engine, bank, org="Globex", teams=("Search",))
    foreign = b.team_ids["Search"]
    refused(engine, lambda s: team_dashboard(s, workshop_id=a.id, key=a.key, workshop_team_id=foreign))
    refused(
        engine,
        lambda s: record_agreed_answer(
            s,
            workshop_id=a.id,
            key=a.key,
            workshop_team_id=foreign,
            question_key="rb_last_rollback_minutes",
            answer=answered(4),
            by="Fran",
            expected_version=0,
        ),
    )
    refused(
        engine,
        lambda s: join_workshop(s, code=a.created.join_code, display_name="Eve", workshop_team_id=foreign),
    )
    refused(engine, lambda s: team_dashboard(s, workshop_id=a.id, key=a.key, workshop_team_id=None))


def test_a_reset_key_replaces_the_old_one(room: Room) -> None:
    with db.write_session(room.engine) as session:
        new_key = reset_facilitator_key(get_workshop(session, workshop_id=room.id))
    refused(room.engine, lambda s: overview(s, workshop_id=room.id, key=room.key))
    with db.read_session(room.engine) as session:
        assert overview(session, workshop_id=room.id, key=new_key).id == room.id
