"""The two workshop pages in AppTest, driven through the real app.py against a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from assessment.assessments.repository import load_assessment
from assessment.bank.answers import answered, not_applicable
from assessment.bank.loader import default_bank
from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.types import utcnow
from assessment.models.access import AuditEvent
from assessment.models.workshops import Participant
from assessment.workshops.access import INVALID_LINK
from assessment.workshops.admin import close_workshop, get_workshop
from assessment.workshops.participants import participant_view
from tests.support.app import FACILITATE, JOIN, all_text, open_page, shown, unescaped
from tests.support.workshops import Room, open_room
from ui.components.assess.answer_fields import NOT_APPLICABLE
from ui.components.workshop import throttle

QUESTION = "rb_rollback_path"


@pytest.fixture
def rooms(app_engine: Engine, bank: Bank) -> tuple[Room, Room]:
    return (
        open_room(app_engine, bank, org="Acme", teams=("Payments", "Checkout"), title="Acme offsite"),
        open_room(app_engine, bank, org="Globex", teams=("Search",), title="Globex secret review"),
    )


# --- participant page ------------------------------------------------------------------------


def test_join_by_code_answer_and_resume_after_a_refresh(rooms: tuple[Room, Room]) -> None:
    room = rooms[0]
    at = open_page(JOIN)
    at.text_input(key="wj_code").input(room.created.join_code.lower()[:4] + "-" + room.created.join_code[4:])
    at.button[0].click().run()
    assert dict(at.query_params) == {"join": room.created.join_code}
    at.text_input(key="wj_name").input("Ann")
    at.radio(key="wj_team").set_value(room.team_ids["Payments"])
    at.button[0].click().run()
    token = at.query_params["p"]
    assert not at.exception
    assert "join" not in at.query_params
    at.segmented_control(key="wj_foundation").set_value("rollback_speed").run()
    at.radio(key=f"wj:answer:{QUESTION}").set_value("3").run()
    with db.read_session(room.engine) as session:
        view = participant_view(session, token=token)
    assert (view.display_name, view.team, view.answers) == ("Ann", "Payments", {QUESTION: answered(3)})
    again = open_page(JOIN, p=token)  # a refresh: a new session with the same address
    again.segmented_control(key="wj_foundation").set_value("rollback_speed").run()
    assert again.radio(key=f"wj:answer:{QUESTION}").value == "3"
    assert again.get("progress")[0].proto.text == f"1 of {len(default_bank().questions)} questions answered"


def test_joining_without_a_name_explains_and_saves_nothing(rooms: tuple[Room, Room]) -> None:
    at = open_page(JOIN, join=rooms[0].created.join_code)
    at.radio(key="wj_team").set_value(rooms[0].team_ids["Payments"])
    at.button[0].click().run()
    assert "Please give a display name." in [unescaped(e.value) for e in at.error]
    with db.read_session(rooms[0].engine) as session:
        assert session.get(Participant, 1) is None


def test_a_participant_sees_only_their_own_answers(rooms: tuple[Room, Room]) -> None:
    room = rooms[0]
    ann, bob = room.join("Ann", "Payments"), room.join("Bob Secretname", "Payments")
    room.answer(bob, QUESTION, answered(0))
    at = open_page(JOIN, p=ann)
    at.segmented_control(key="wj_foundation").set_value("rollback_speed").run()
    assert at.radio(key=f"wj:answer:{QUESTION}").value is None
    assert "Secretname" not in all_text(at)


def expire(room: Room) -> None:
    with db.write_session(room.engine) as session:
        get_workshop(session, workshop_id=room.id).expires_at = utcnow() - timedelta(minutes=1)


def close(room: Room) -> None:
    with db.write_session(room.engine) as session:
        close_workshop(get_workshop(session, workshop_id=room.id))


JOIN_CASES = [
    "unknown code",
    "unknown token",
    "closed code",
    "closed token",
    "expired code",
    "expired token",
    "token with another workshop's code",
    "facilitator key as token",
]


def bad_join_params(case: str, rooms: tuple[Room, Room]) -> dict[str, str]:
    mine, other = rooms
    token = mine.join("Ann", "Payments")
    if case.startswith("closed"):
        close(mine)
    if case.startswith("expired"):
        expire(mine)
    return {
        "unknown code": {"join": "ZZZZ-ZZZZ"},
        "unknown token": {"p": "x" * 43},
        "closed code": {"join": mine.created.join_code},
        "closed token": {"p": token},
        "expired code": {"join": mine.created.join_code},
        "expired token": {"p": token},
        "token with another workshop's code": {"p": token, "join": other.created.join_code},
        "facilitator key as token": {"p": mine.key},
    }[case]


@pytest.mark.parametrize("case", JOIN_CASES)
def test_every_bad_participant_link_shows_the_same_plain_page(rooms: tuple[Room, Room], case: str) -> None:
    at = open_page(JOIN, **bad_join_params(case, rooms))
    assert [e.value for e in at.error] == [INVALID_LINK]
    assert shown(at) == shown(open_page(JOIN, join="NOPE"))
    for secret in ("Acme", "Globex", "Payments", "Search", "offsite"):
        assert secret not in all_text(at)


# --- facilitator page ------------------------------------------------------------------------


def with_key(workshop_id: str, key: str) -> AppTest:
    """The facilitator page, opened by typing the workshop number and the key into its form."""
    at = open_page(FACILITATE)
    at.text_input(key="wf_form_id").input(workshop_id)
    at.text_input(key="wf_form_key").input(key)
    at.button[0].click()
    return at.run()


def facilitator(room: Room) -> AppTest:
    return with_key(str(room.id), room.key)


def test_the_key_opens_the_dashboard_and_stays_out_of_the_address(rooms: tuple[Room, Room]) -> None:
    room = rooms[0]
    ann = room.join("Ann", "Payments")
    room.answer(ann, QUESTION, answered(1))
    at = facilitator(room)
    assert not at.exception
    assert dict(at.query_params) == {"w": str(room.id)}  # the key is kept in the tab, not the URL
    assert at.metric[0].value == f"{room.created.join_code[:4]}-{room.created.join_code[4:]}"
    at.segmented_control(key="wf_team").set_value(room.team_ids["Payments"]).run()
    people, questions = at.table[0].value, at.dataframe[0].value
    assert people.reset_index().to_dict("records") == [
        {"Participant": "Ann", "Answered": f"1/{len(default_bank().questions)}", "Finished": ""}
    ]
    row = questions[questions["Question"].str.endswith("Rollback path")].iloc[0]
    assert row["Answers"] == 1
    assert row["Given"] == "1 ad hoc ×1"
    assert room.key not in all_text(at)


def test_the_key_form_unlocks_and_a_wrong_key_gets_the_plain_message(rooms: tuple[Room, Room]) -> None:
    room = rooms[0]
    at = open_page(FACILITATE)
    at.text_input(key="wf_form_id").input(str(room.id))
    at.text_input(key="wf_form_key").input("wrong")
    at.button[0].click().run()
    assert [e.value for e in at.error] == [INVALID_LINK]
    at.text_input(key="wf_form_key").input(room.key)
    at.button[0].click().run()
    assert not at.error
    assert "Acme offsite" in all_text(at)


FACILITATOR_CASES = [
    "wrong key",
    "key of another workshop",
    "no such workshop",
    "not a number",
    "participant token as key",
]


@pytest.mark.parametrize("case", FACILITATOR_CASES)
def test_every_bad_facilitator_key_shows_the_same_plain_page(rooms: tuple[Room, Room], case: str) -> None:
    mine, other = rooms
    workshop, key = {
        "wrong key": (str(mine.id), mine.key[:-2] + "xx"),
        "key of another workshop": (str(other.id), mine.key),
        "no such workshop": ("9999", mine.key),
        "not a number": ("1 OR 1=1", mine.key),
        "participant token as key": (str(mine.id), mine.join("Ann", "Payments")),
    }[case]
    at = with_key(workshop, key)
    assert [e.value for e in at.error] == [INVALID_LINK]
    baseline = with_key("1", "nope")
    assert [k for k, _ in shown(at)] == [k for k, _ in shown(baseline)]
    for secret in ("Acme", "Globex", "Payments", "Search", "offsite", "secret review"):
        assert secret not in all_text(at)


def test_a_key_in_a_link_is_dropped_unread(rooms: tuple[Room, Room]) -> None:
    """Links never carry keys: one that does is not used, and it leaves the address at once."""
    room = rooms[0]
    at = open_page(FACILITATE, w="9999", key=room.key)
    assert dict(at.query_params) == {"w": "9999"}
    assert "A facilitator key is never read from a link: type it below." in [i.value for i in at.info]
    assert "Acme offsite" not in all_text(at)


def test_the_local_user_opens_any_dashboard_by_its_number_and_issues_a_new_key(rooms: tuple[Room, Room]) -> None:
    """At this machine in local mode, whoever may run workshops: a refresh (a new session) keeps the dashboard."""
    room = rooms[0]
    at = open_page(FACILITATE, w=str(room.id))
    assert "Acme offsite" in all_text(at)
    next(b for b in at.button if b.label == "New key").click()
    at.run()
    new_key = at.code[-1].value
    assert new_key != room.key
    assert "A new facilitator key: shown only this once." in at.warning[0].value.replace("\\", "")
    assert [e.value for e in with_key(str(room.id), room.key).error] == [INVALID_LINK]  # the old one is void
    assert "Acme offsite" in all_text(with_key(str(room.id), new_key))
    at.run()  # the tab that issued it carries on with the new key
    assert not at.error


def test_changing_the_workshop_id_after_unlocking_shows_nothing_of_the_other(
    rooms: tuple[Room, Room],
) -> None:
    mine, other = rooms
    at = facilitator(mine)
    assert "Acme offsite" in all_text(at)
    at.query_params["w"] = str(other.id)
    at.run()
    assert [e.value for e in at.error] == [INVALID_LINK]
    assert "Globex" not in all_text(at)
    assert "Search" not in all_text(at)


def record(at: AppTest, level: str, note: str) -> AppTest:
    """Fill and submit the agreed-answer form as it stands (no rerun before the click, as in a browser)."""
    at.radio(key=f"wf:answer:{QUESTION}").set_value(level)
    at.text_area(key=f"wf:note:{QUESTION}").input(note)
    next(b for b in at.button if b.label == "Record agreed answer").click()
    return at.run()


def test_recording_the_agreed_answer_writes_the_teams_assessment(rooms: tuple[Room, Room]) -> None:
    room = rooms[0]
    for name, level in (("Ann", 1), ("Bob", 3)):
        room.answer(room.join(name, "Payments"), QUESTION, answered(level))
    at = facilitator(room)
    at.segmented_control(key="wf_team").set_value(room.team_ids["Payments"]).run()
    assert at.selectbox(key="wf_question").value == QUESTION  # the widest disagreement comes up first
    record(at, "2", "rollback works for half the services")
    assert "Recorded: Rollback path." in [e.value for e in at.success]  # no "(version 1)": it meant nothing here
    assert "version" not in " ".join(c.value for c in at.caption)
    with db.read_session(room.engine) as session:
        data = load_assessment(session, assessment_id=room.created.assessment_ids["Payments"])
    assert data.answers[QUESTION] == answered(2, note="rollback works for half the services")
    assert data.answer_meta[QUESTION][0] == "Fran"


def test_two_tabs_the_stale_save_is_refused_with_the_current_value(rooms: tuple[Room, Room]) -> None:
    room = rooms[0]
    first, second = facilitator(room), facilitator(room)
    for tab in (first, second):
        tab.segmented_control(key="wf_team").set_value(room.team_ids["Payments"]).run()
        tab.selectbox(key="wf_question").set_value(QUESTION).run()
    record(first, "2", "first tab")
    second.text_input(key="wf_by").input("Sam")
    record(second, "4", "second tab")  # its form was drawn before the first tab saved
    errors = [unescaped(e.value) for e in second.error]
    assert len(errors) == 1, errors
    assert "Fran recorded \u201clevel 2 (partial)\u201d" in errors[0], errors
    with db.read_session(room.engine) as session:
        data = load_assessment(session, assessment_id=room.created.assessment_ids["Payments"])
    assert data.answers[QUESTION].value == 2
    assert data.answer_meta[QUESTION][0] == "Fran"
    assert "Agreed so far:** level 2 (partial)" in all_text(second)


def test_closing_from_the_dashboard_stops_participant_links(rooms: tuple[Room, Room]) -> None:
    room = rooms[0]
    token = room.join("Ann", "Payments")
    at = facilitator(room)
    next(b for b in at.button if b.label == "Close").click().run()
    assert any(b.label == "Reopen" for b in at.button)
    assert [e.value for e in open_page(JOIN, p=token).error] == [INVALID_LINK]
    next(b for b in at.button if b.label == "Reopen").click().run()
    assert not open_page(JOIN, p=token).error


def test_a_mistyped_code_can_be_typed_again_on_the_not_valid_page(rooms: tuple[Room, Room]) -> None:
    at = open_page(JOIN, join="ZZZZ-ZZZZ")
    assert [e.value for e in at.error] == [INVALID_LINK]
    at.text_input(key="wj_code").set_value(rooms[0].created.join_code)
    at.button[0].click().run()
    assert not at.error
    assert at.title[0].value.startswith("Join: ")


def test_a_participant_is_led_to_the_next_foundation_and_asked_before_done(rooms: tuple[Room, Room]) -> None:
    """Issue 16, item 2: only "I am done" was offered, and it was accepted at 7 of 47 without a word."""
    room = rooms[0]
    ann = room.join("Ann", "Payments")
    room.answer(ann, QUESTION, answered(3))
    at = open_page(JOIN, p=ann)
    sections = default_bank().sections()
    assert at.button(key="wj_next").label == f"Next: {default_bank().section_title(sections[1])}"
    at.button(key="wj_next").click().run()
    assert at.segmented_control(key="wj_foundation").value == sections[1]
    at.button(key="wj_done").click().run()
    total = len(default_bank().questions)
    assert f"{total - 1} of {total} questions are still unanswered" in unescaped(at.warning[0].value)
    with db.read_session(room.engine) as session:
        assert not participant_view(session, token=ann).finished  # not done until they say so twice
    at.button(key="wj_answer_first").click().run()
    assert at.segmented_control(key="wj_foundation").value == sections[0]
    assert not at.warning
    at.button(key="wj_done").click().run()
    at.button(key="wj_done_anyway").click().run()
    with db.read_session(room.engine) as session:
        assert participant_view(session, token=ann).finished


def test_failed_join_codes_are_throttled_per_client_and_audited(rooms: tuple[Room, Room]) -> None:
    """Finding 8: 200 guesses at 2 a second went through, none audited. Now LIMIT a minute, then the page waits."""
    room = rooms[0]
    for guess in range(throttle.LIMIT):
        at = open_page(JOIN, join=f"NOPE{guess:04d}")
        assert [e.value for e in at.error] == [INVALID_LINK]
    at = open_page(JOIN, join=room.created.join_code)  # even the right code waits now
    assert [e.value for e in at.error] == [throttle.TOO_MANY]
    assert "Acme" not in all_text(at)
    with db.read_session(room.engine) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "join_workshop")).all()
    assert len(events) == throttle.LIMIT
    assert {(e.outcome, e.detail) for e in events} == {("denied", "a join code that opens nothing, from this machine")}


def test_not_applicable_asks_for_its_reason_calmly_then_saves_it(rooms: tuple[Room, Room]) -> None:
    room = rooms[0]
    ann = room.join("Ann", "Payments")
    at = open_page(JOIN, p=ann)
    at.segmented_control(key="wj_foundation").set_value("failure_isolation").run()
    at.radio(key="wj:answer:fi_circuit_breakers").set_value(NOT_APPLICABLE).run()
    assert not at.error  # choosing it is no mistake: no red box before the reason could be typed
    assert any("Say why this does not apply" in c.value for c in at.caption)
    at.text_input(key="wj:reason:fi_circuit_breakers").input("one service").run()
    with db.read_session(room.engine) as session:
        assert participant_view(session, token=ann).answers == {"fi_circuit_breakers": not_applicable("one service")}


def test_the_agree_form_asks_why_only_once_not_applicable_is_chosen(rooms: tuple[Room, Room]) -> None:
    room = rooms[0]
    room.answer(room.join("Ann", "Payments"), QUESTION, answered(1))
    at = facilitator(room)
    at.segmented_control(key="wf_team").set_value(room.team_ids["Payments"]).run()
    at.selectbox(key="wf_question").set_value("fi_circuit_breakers").run()
    reasons = [t for t in at.text_input if t.key == "wf:reason:fi_circuit_breakers"]
    assert not reasons  # it was always there, asking why for an answer nobody had called not applicable
    at.radio(key="wf:answer:fi_circuit_breakers").set_value(NOT_APPLICABLE).run()
    assert at.text_input(key="wf:reason:fi_circuit_breakers").label == "Why does this not apply?"


def test_the_agreed_answer_is_the_column_after_the_question(rooms: tuple[Room, Room]) -> None:
    room = rooms[0]
    room.answer(room.join("Ann", "Payments"), QUESTION, answered(1))
    at = facilitator(room)
    at.segmented_control(key="wf_team").set_value(room.team_ids["Payments"]).run()
    table = next(d.value for d in at.dataframe if "Distribution" in d.value.columns)
    assert table.columns.tolist()[:2] == ["Question", "Agreed"]  # it was last, off-screen on a laptop
