"""Assess page, driven by widget key: each change is in the database straight after, nothing typed is lost."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine

from assessment.assessments.lookup import get_assessment
from assessment.assessments.repository import load_assessment
from assessment.bank.answers import AnswerStatus, answered, dont_know, not_applicable
from assessment.bank.loader import default_bank
from assessment.bank.model import ChoiceOption
from assessment.core import db
from assessment.scoring.engine import score_assessment
from tests.support.app import ASSESS, open_details, open_page, texts
from tests.support.builders import demo_round, new_round, save, stored
from ui.components.assess.answer_fields import DONT_KNOW, NOT_APPLICABLE
from ui.text import plain


def test_level_answer_is_saved_at_once_with_a_visible_confirmation(app_engine: Engine) -> None:
    aid = new_round(app_engine)
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    options = default_bank().question("fi_instance_kill").options
    assert options is not None
    level_three = options[3].text
    assert plain(level_three) in at.radio(key="answer:fi_instance_kill").options[3]  # full behavioural text
    at.radio(key="answer:fi_instance_kill").set_value("3").run()
    assert not at.exception
    assert stored(app_engine, aid)["fi_instance_kill"] == answered(3)
    assert [t.value for t in at.toast] == ["Saved: Instance loss test"]
    assert "Saved " in texts(at, "caption")
    assert "by local user" in texts(at, "caption")
    assert f"1 of {len(default_bank().questions)} questions answered" in at.sidebar.get("progress")[0].proto.text


def test_every_answer_type_and_dont_know_are_saved(app_engine: Engine) -> None:
    aid = new_round(app_engine)
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    at.radio(key="answer:fi_circuit_breakers").set_value("yes").run()
    at.radio(key="answer:fi_bulkheads").set_value(DONT_KNOW).run()
    at.number_input(key="answer:fi_cascading_incidents").set_value(2).run()
    third_option = (default_bank().question("fi_fallbacks").options or [])[2]
    assert isinstance(third_option, ChoiceOption)
    assert at.radio(key="answer:fi_fallbacks").options[2] == plain(third_option.text)  # readable descriptions
    at.radio(key="answer:fi_fallbacks").set_value(third_option.key).run()
    answers = stored(app_engine, aid)
    assert answers["fi_circuit_breakers"] == answered(True)
    assert answers["fi_bulkheads"].status is AnswerStatus.DONT_KNOW
    assert answers["fi_cascading_incidents"] == answered(2)
    assert answers["fi_fallbacks"] == answered(third_option.key)


def test_number_and_dont_know_exclude_each_other(app_engine: Engine) -> None:
    aid = new_round(app_engine)
    at = open_page(ASSESS, aid, foundation="rollback_speed")
    at.number_input(key="answer:rb_last_rollback_minutes").set_value(12).run()
    assert stored(app_engine, aid)["rb_last_rollback_minutes"] == answered(12)
    at.button_group(key="flag:rb_last_rollback_minutes").set_value(DONT_KNOW).run()
    assert stored(app_engine, aid)["rb_last_rollback_minutes"] == dont_know()
    assert at.number_input(key="answer:rb_last_rollback_minutes").value is None
    at.number_input(key="answer:rb_last_rollback_minutes").set_value(7).run()
    assert stored(app_engine, aid)["rb_last_rollback_minutes"] == answered(7)
    assert at.button_group(key="flag:rb_last_rollback_minutes").value is None
    at.number_input(key="answer:rb_last_rollback_minutes").set_value(None).run()
    assert "rb_last_rollback_minutes" not in stored(app_engine, aid)  # emptied: no answer any more


def test_not_applicable_waits_for_its_reason_then_saves_it(app_engine: Engine) -> None:
    aid = new_round(app_engine)
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    at.radio(key="answer:fi_circuit_breakers").set_value("no").run()
    at.radio(key="answer:fi_circuit_breakers").set_value(NOT_APPLICABLE).run()
    assert "Say why this does not apply" not in texts(at, "error")  # asked calmly: choosing it is no mistake
    assert "Say why this does not apply" in texts(at, "caption")
    assert stored(app_engine, aid)["fi_circuit_breakers"] == answered(False)  # the earlier answer stands
    at.text_input(key="reason:fi_circuit_breakers").set_value("one service, no outbound calls").run()
    assert stored(app_engine, aid)["fi_circuit_breakers"] == not_applicable("one service, no outbound calls")
    assert "Say why" not in texts(at, "error") + texts(at, "caption")


def test_note_evidence_link_and_date_are_saved_with_the_answer(app_engine: Engine) -> None:
    aid = new_round(app_engine)
    at = open_details(open_page(ASSESS, aid, foundation="failure_isolation"), "fi_timeouts")
    at.text_area(key="note:fi_timeouts").set_value("Client library sets 2 s").run()
    assert "Choose an answer first" in texts(at, "error")
    assert stored(app_engine, aid) == {}
    at.radio(key="answer:fi_timeouts").set_value("3").run()
    at.text_input(key="url:fi_timeouts").set_value("https://wiki.example.com/timeouts").run()
    at.date_input(key="date:fi_timeouts").set_value(date(2026, 10, 1)).run()
    assert stored(app_engine, aid)["fi_timeouts"] == answered(
        3,
        note="Client library sets 2 s",
        evidence_url="https://wiki.example.com/timeouts",
        evidence_date=date(2026, 10, 1),
    )
    assert "Choose an answer first" not in texts(at, "error")


def test_bad_evidence_link_is_refused_next_to_the_field_and_nothing_is_lost(app_engine: Engine) -> None:
    aid = new_round(app_engine)
    at = open_details(open_page(ASSESS, aid, foundation="failure_isolation"), "fi_timeouts")
    at.radio(key="answer:fi_timeouts").set_value("2").run()
    at.text_input(key="url:fi_timeouts").set_value("https://ok.example.com/a").run()
    at.text_input(key="url:fi_timeouts").set_value("javascript:alert(1)").run()
    assert not at.exception
    assert "The evidence link must be a web address starting with http" in texts(at, "error")
    assert "got" not in texts(at, "error")  # a sentence: "..., got 'javascript:alert(1)'" read like code
    assert at.text_input(key="url:fi_timeouts").value == "javascript:alert(1)"  # what was typed stays
    assert stored(app_engine, aid)["fi_timeouts"].evidence_url == "https://ok.example.com/a"
    at.radio(key="answer:fi_timeouts").set_value("4").run()  # other changes still save
    assert stored(app_engine, aid)["fi_timeouts"] == answered(4, evidence_url="https://ok.example.com/a")
    assert "The evidence link must be" in texts(at, "error")
    at.text_input(key="url:fi_timeouts").set_value("https://ok.example.com/b").run()
    assert stored(app_engine, aid)["fi_timeouts"].evidence_url == "https://ok.example.com/b"
    assert "The evidence link must be" not in texts(at, "error")


def test_a_resumed_assessment_shows_every_saved_answer(app_engine: Engine) -> None:
    aid = new_round(app_engine)
    save(app_engine, aid, "fi_instance_kill", answered(2, note="Killed pods in staging"))
    save(app_engine, aid, "fi_circuit_breakers", not_applicable("single service"))
    save(app_engine, aid, "fi_bulkheads", dont_know(evidence_url="https://x.example.com"))
    save(app_engine, aid, "oc_owned_services_share", answered(62.5, evidence_date=date(2026, 9, 30)))
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    assert at.radio(key="answer:fi_instance_kill").value == "2"
    assert at.text_area(key="note:fi_instance_kill").value == "Killed pods in staging"
    assert at.radio(key="answer:fi_circuit_breakers").value == NOT_APPLICABLE
    assert at.text_input(key="reason:fi_circuit_breakers").value == "single service"
    assert at.radio(key="answer:fi_bulkheads").value == DONT_KNOW
    assert at.text_input(key="url:fi_bulkheads").value == "https://x.example.com"  # panels with details open
    assert "with evidence link" in texts(at, "caption")
    assert at.radio(key="answer:fi_timeouts").value is None
    at.radio(key="foundation").set_value("oncall_runbooks").run()
    assert at.number_input(key="answer:oc_owned_services_share").value == 62.5
    assert at.date_input(key="date:oc_owned_services_share").value == date(2026, 9, 30)
    assert at.query_params["foundation"] == "oncall_runbooks"


def test_a_change_made_meanwhile_elsewhere_is_never_overwritten(app_engine: Engine) -> None:
    aid = new_round(app_engine)
    save(app_engine, aid, "fi_timeouts", answered(1))
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    save(app_engine, aid, "fi_timeouts", answered(3), by="second tab")  # another tab or person
    at.radio(key="answer:fi_timeouts").set_value("0").run()
    assert not at.exception
    assert stored(app_engine, aid)["fi_timeouts"] == answered(3)
    assert "Someone else changed this answer" in texts(at, "error")
    assert at.radio(key="answer:fi_timeouts").value == "3"  # their answer is shown now
    at.radio(key="answer:fi_timeouts").set_value("0").run()  # a deliberate second try goes through
    assert stored(app_engine, aid)["fi_timeouts"] == answered(0)


def test_clear_answer_removes_it(app_engine: Engine) -> None:
    aid = new_round(app_engine)
    save(app_engine, aid, "fi_timeouts", answered(1, note="n"))
    at = open_page(
        ASSESS, aid, foundation="failure_isolation"
    )  # a stored note opens the panel, where the clear button is
    at.button(key="clear:fi_timeouts").click().run()
    assert "fi_timeouts" not in stored(app_engine, aid)
    assert at.radio(key="answer:fi_timeouts").value is None
    assert open_details(at, "fi_timeouts").text_area(key="note:fi_timeouts").value == ""


def test_go_to_first_unanswered_and_between_foundations(demo_app_engine: Engine) -> None:
    aid = demo_round(demo_app_engine, "Mobile API")  # half answered
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    given = stored(demo_app_engine, aid)
    first = next(q for q in default_bank().questions if q.key not in given)
    at.button(key="first_unanswered").click().run()
    assert at.radio(key="foundation").value == first.foundation
    assert "First unanswered question" in texts(at, "info")
    scripts = [h.proto.body for h in at.get("html")]
    assert any(f'"st-key-question-{first.key}"' in body for body in scripts)  # scrolled to and focused
    groups = ["context"] + [f.key for f in default_bank().foundations]
    following = groups[groups.index(first.foundation) + 1]
    at.button(key="next_foundation").click().run()
    assert at.radio(key="foundation").value == following
    assert at.query_params["foundation"] == following
    at.button(key="previous_foundation").click().run()
    assert at.radio(key="foundation").value == "rollback_speed"


def test_mark_round_complete_then_see_results(app_engine: Engine) -> None:
    aid = new_round(app_engine)
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    at.radio(key="answer:fi_instance_kill").set_value("1").run()
    at.button(key="complete_round").click().run()
    assert not at.exception
    with db.read_session(app_engine) as session:
        assert get_assessment(session, assessment_id=aid).status == "completed"
    assert at.title[0].value == "Results: Core, round 1"
    assert at.query_params["assessment"] == str(aid)
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    at.button(key="reopen_round").click().run()
    with db.read_session(app_engine) as session:
        assert get_assessment(session, assessment_id=aid).status == "in_progress"


def test_moving_between_pages_keeps_the_assessment(app_engine: Engine) -> None:
    aid = new_round(app_engine)
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    at.query_params.clear()  # top navigation clears the URL's parameters
    at.switch_page("ui/pages/results.py").run()
    assert at.title[0].value == "Results: Core, round 1"
    assert at.query_params["assessment"] == str(aid)


def test_a_closed_note_panel_never_loses_the_stored_note(app_engine: Engine) -> None:
    aid = new_round(app_engine)
    save(app_engine, aid, "fi_timeouts", answered(1, note="kept", evidence_url="https://e.example.com"))
    at = open_page(ASSESS, aid, foundation="failure_isolation")
    at.session_state["details:fi_timeouts"] = False  # the user closes the panel
    at.run()
    at.run()
    assert "note:fi_timeouts" not in [w.key for w in at.text_area]
    at.radio(key="answer:fi_timeouts").set_value("4").run()
    assert stored(app_engine, aid)["fi_timeouts"] == answered(4, note="kept", evidence_url="https://e.example.com")
    at = open_details(at, "fi_timeouts")
    assert at.text_area(key="note:fi_timeouts").value == "kept"


def test_the_context_questions_come_first_and_are_not_scored(app_engine: Engine) -> None:
    """Bank 2 asks how the team ships today before the foundations; the answers are saved but never scored."""
    aid = new_round(app_engine)
    at = open_page(ASSESS, aid)
    assert at.radio(key="foundation").value == "context"
    assert at.header[0].value == "How you ship today"
    assert any("are not scored" in m.value for m in at.markdown)
    at.number_input(key="answer:ctx_deploys_per_week").set_value(35).run()
    assert not at.exception
    with db.read_session(app_engine) as session:
        data = load_assessment(session, assessment_id=aid)
    assert data.answers["ctx_deploys_per_week"].value == 35
    score = score_assessment(data.bank, data.answers)
    assert "ctx_deploys_per_week" not in score.questions  # never scored
    assert score.exposures == ("frequent_deploys",)
    at.button(key="next_foundation").click().run()
    assert at.radio(key="foundation").value == "failure_isolation"
