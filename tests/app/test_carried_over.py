"""Carried-over answers on the Assess page: marked until confirmed or changed, each step in the database at once.

The round is started the way a team starts it, on the Rounds page with "pre-fill"
ticked; the Assess page then shows every copied answer as carried over, counts it
as still to confirm, and clears the mark the moment it is confirmed or changed.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from streamlit.testing.v1 import AppTest

from assessment.assessments.repository import list_assessments
from assessment.assessments.rounds import carried_over_keys
from assessment.bank.answers import answered
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.models.assessments import Answer, AnswerEvent
from assessment.organisations.directory import find_team
from tests.support.app import ASSESS, RESULTS, open_details, open_page, texts
from tests.support.builders import save, stored

ROUNDS = "ui/pages/rounds.py"
MARKER = "Carried over from round 1 — confirm or change"
BANK = default_bank()
ALL_KEYS = [q.key for q in BANK.questions]

N = len(default_bank().questions)  # every question of the shipped bank is answered in the demo rounds


def start_prefilled_round(engine: Engine, team: str = "Checkout") -> tuple[AppTest, int]:
    """Start the team's next round on the Rounds page with pre-fill ticked; the app moves on to Assess."""
    with db.read_session(engine) as session:
        team_id = find_team(session, team=team, organisation=DEMO_ORG).id
    at = open_page(ROUNDS)
    at.selectbox(key="rounds_team").set_value(team_id).run()
    assert at.checkbox(key="rounds_prefill").value is True
    at.button(key="rounds_start").click().run()
    assert not at.exception, at.exception
    with db.read_session(engine) as session:
        latest = [s for s in list_assessments(session) if s.team == team][-1]
    return at, latest.id


def carried(engine: Engine, assessment_id: int) -> set[str]:
    with db.read_session(engine) as session:
        return set(carried_over_keys(session, assessment_id=assessment_id))


def row(engine: Engine, assessment_id: int, key: str) -> Answer:
    with db.read_session(engine) as session:
        return session.exec(
            select(Answer).where(Answer.assessment_id == assessment_id, Answer.question_key == key)
        ).one()


def last_event(engine: Engine, assessment_id: int, key: str) -> AnswerEvent:
    with db.read_session(engine) as session:
        return session.exec(
            select(AnswerEvent)
            .where(AnswerEvent.assessment_id == assessment_id, AnswerEvent.question_key == key)
            .order_by(col(AnswerEvent.id).desc())
        ).first()  # type: ignore[return-value]


def markers(at: AppTest) -> int:
    return sum(1 for m in at.markdown if MARKER in str(m.value))


def progress(at: AppTest) -> str:
    return str(at.sidebar.get("progress")[0].proto.text)


def confirm_buttons(at: AppTest) -> set[str]:
    return {b.key.removeprefix("confirm:") for b in at.button if b.key and b.key.startswith("confirm:")}


def test_carried_answers_are_marked_confirmed_one_by_one_all_at_once_or_by_changing(
    demo_app_engine: Engine,
) -> None:
    at, aid = start_prefilled_round(demo_app_engine)
    assert "Assess: Checkout, round 2" in texts(at, "title")  # the Rounds page opened the new round
    assert f"{N} answer(s) carried over" in texts(at, "success")
    assert carried(demo_app_engine, aid) == set(ALL_KEYS)

    at = open_page(ASSESS, aid, foundation="failure_isolation")  # a fresh visit, as from a bookmark
    isolation = [q.key for q in BANK.questions_for("failure_isolation")]
    assert markers(at) == len(isolation)
    assert confirm_buttons(at) == set(isolation)
    assert progress(at) == f"0 of {N} questions answered · {N} to confirm"
    assert (
        at.sidebar.radio(key="foundation").proto.captions[1] == f"0 of {len(isolation)} answered · "
        f"{len(isolation)} to confirm"
    )
    assert "Answered in round 1" in texts(at, "caption")
    before = row(demo_app_engine, aid, "fi_instance_kill")

    at.button(key="confirm:fi_instance_kill").click().run()  # one answer
    assert not at.exception, at.exception
    confirmed = row(demo_app_engine, aid, "fi_instance_kill")
    assert not confirmed.carried_over
    assert confirmed.answered_by == "local user"
    assert confirmed.version == before.version + 1
    assert stored(demo_app_engine, aid)["fi_instance_kill"] is not None
    assert last_event(demo_app_engine, aid, "fi_instance_kill").answered_by == "local user"
    assert carried(demo_app_engine, aid) == set(ALL_KEYS) - {"fi_instance_kill"}
    assert [t.value for t in at.toast] == ["Confirmed: Instance loss test"]
    assert markers(at) == len(isolation) - 1
    assert "fi_instance_kill" not in confirm_buttons(at)
    assert progress(at) == f"1 of {N} questions answered · {N - 1} to confirm"

    at.button(key="confirm_foundation").click().run()  # the rest of this foundation
    assert carried(demo_app_engine, aid) == set(ALL_KEYS) - set(isolation)
    assert markers(at) == 0
    assert not [b for b in at.button if b.key == "confirm_foundation"]
    assert [t.value for t in at.toast] == [f"Confirmed {len(isolation) - 1} carried-over answers"]
    assert progress(at) == f"{len(isolation)} of {N} questions answered · {N - len(isolation)} to confirm"

    at.sidebar.radio(key="foundation").set_value("rollback_speed").run()  # change one: its mark goes at once
    assert markers(at) == len(BANK.questions_for("rollback_speed"))
    at.number_input(key="answer:rb_last_rollback_minutes").set_value(1_000_000).run()
    changed = row(demo_app_engine, aid, "rb_last_rollback_minutes")
    assert not changed.carried_over
    assert stored(demo_app_engine, aid)["rb_last_rollback_minutes"] == answered(1_000_000)
    assert "rb_last_rollback_minutes" not in confirm_buttons(at)
    assert markers(at) == len(BANK.questions_for("rollback_speed")) - 1
    assert [t.value for t in at.toast] == ["Saved: Rollback time"]

    left = N - len(isolation) - 1
    at.button(key="confirm_round").click().run()  # everything still carried, in every foundation
    assert carried(demo_app_engine, aid) == set()
    assert [t.value for t in at.toast] == [f"Confirmed {left} carried-over answers"]
    assert markers(at) == 0
    assert progress(at) == f"{N} of {N} questions answered"
    assert not [b for b in at.button if b.key in ("confirm_round", "confirm_foundation")]
    assert stored(demo_app_engine, aid)["rb_last_rollback_minutes"] == answered(1_000_000)  # confirming kept it


def test_confirming_an_answer_someone_changed_meanwhile_keeps_their_answer(demo_app_engine: Engine) -> None:
    _, aid = start_prefilled_round(demo_app_engine)
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    save(demo_app_engine, aid, "fi_instance_kill", answered(4), by="someone else")  # another tab, meanwhile
    at.button(key="confirm:fi_instance_kill").click().run()
    assert not at.exception, at.exception
    assert "Someone else changed or confirmed this answer meanwhile" in texts(at, "error")
    kept = row(demo_app_engine, aid, "fi_instance_kill")
    assert (kept.answered_by, kept.carried_over) == ("someone else", False)
    assert at.radio(key="answer:fi_instance_kill").value == "4"  # the widgets show what it holds now
    assert markers(at) == len(BANK.questions_for("failure_isolation")) - 1


def test_results_and_rounds_say_how_many_answers_are_still_carried_over(demo_app_engine: Engine) -> None:
    _, aid = start_prefilled_round(demo_app_engine)
    at = open_page(RESULTS, aid)
    assert not at.exception, at.exception
    assert f"{N} answers still carried over from round 1" in texts(at, "caption")
    assessed = open_page(ASSESS, aid, foundation="failure_isolation")
    assessed.button(key="confirm_round").click().run()
    assert "still carried over" not in texts(open_page(RESULTS, aid), "caption")


def test_a_round_without_carried_answers_shows_no_marker(demo_app_engine: Engine) -> None:
    with db.read_session(demo_app_engine) as session:
        aid = next(s.id for s in list_assessments(session) if s.team == "Checkout")
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    assert markers(at) == 0
    assert not confirm_buttons(at)
    assert "to confirm" not in progress(at)


def test_confirming_keeps_what_was_typed_but_not_saved(demo_app_engine: Engine) -> None:
    """A link refused as invalid stays in its field for correction; confirming the answer does not wipe it."""
    _, aid = start_prefilled_round(demo_app_engine)
    at = open_details(open_page(ASSESS, aid, foundation="failure_isolation"), "fi_instance_kill")
    at.text_input(key="url:fi_instance_kill").set_value("ftp://wiki.example/runbook").run()
    assert "http" in texts(at, "error")
    assert row(demo_app_engine, aid, "fi_instance_kill").carried_over
    at.button(key="confirm:fi_instance_kill").click().run()
    assert not row(demo_app_engine, aid, "fi_instance_kill").carried_over
    assert at.text_input(key="url:fi_instance_kill").value == "ftp://wiki.example/runbook"
