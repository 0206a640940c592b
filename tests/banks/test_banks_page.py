"""The Question banks page and the banks of new rounds, through the real app (AppTest) on a real database.

An owner uploads a bank: every problem is shown with its line and YAML path and
nothing is stored; a sound bank is shown against the shipped one and published;
the Rounds page then starts a round on it. A carried answer whose evidence is
stale is marked on the Assess page with its date.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select

from assessment.access.policy import COMMAND_LINE
from assessment.assessments.banks import publish_bank
from assessment.assessments.lookup import get_assessment, get_bank_version
from assessment.assessments.repository import list_assessments, save_answer
from assessment.bank.answers import answered
from assessment.bank.loader import parse_bank_text
from assessment.core import db
from assessment.demo import DEMO_ORG
from assessment.models.banks import PublishedBank
from assessment.organisations.directory import find_organisation, find_team
from tests.support.app import ASSESS, START, open_page, texts
from tests.support.banks import adapted_bank_text
from tests.support.database import row_counts

BANKS = "ui/pages/banks.py"
ROUNDS = "ui/pages/rounds.py"


def _broken() -> bytes:
    text = adapted_bank_text().replace("  gate_pass_score: 75\n", "  gate_pass_score: 175\n")
    return text.replace("  short: Rollback time\n", "  short: ''\n").encode()


def _team_id(engine: Engine, team: str) -> int:
    with db.read_session(engine) as session:
        return find_team(session, team=team, organisation=DEMO_ORG).id or 0


def _latest(engine: Engine, team: str) -> int:
    with db.read_session(engine) as session:
        return [s.id for s in list_assessments(session) if s.team == team][-1]


def test_a_broken_bank_uploaded_shows_every_problem_with_line_and_path_and_stores_nothing(
    demo_app_engine: Engine,
) -> None:
    before = row_counts(demo_app_engine)
    at = open_page(BANKS)
    assert not at.exception
    at.file_uploader(key="banks_upload").set_value(("acme.yaml", _broken(), "application/yaml")).run()
    assert not at.exception
    errors = texts(at, "error")
    assert "acme.yaml has 2 problem(s); nothing is stored until every one is fixed" in errors
    assert "- line 49 · bank.gate_pass_score: Input should be less than or equal to 100" in errors
    assert "- line 727 · questions[" in errors
    assert "].short: String should have at least 1 character" in errors
    assert not [b for b in at.button if b.key == "banks_publish"]  # nothing to publish
    assert row_counts(demo_app_engine) == before


def test_an_owner_publishes_a_bank_and_the_next_round_is_asked_from_it(demo_app_engine: Engine) -> None:
    at = open_page(BANKS)
    at.file_uploader(key="banks_upload").set_value(("acme.yaml", adapted_bank_text().encode(), "text/yaml")).run()
    assert not at.exception
    assert "Acme adapted bank (acme 1.0.0): 5 foundations" in texts(at, "success")
    thresholds = at.dataframe[-1].value
    assert list(thresholds.iloc[0]) == ["Deployment rollback speed · Rollback time", "at most 5", "at most 2"]
    with db.read_session(demo_app_engine) as session:
        assert session.exec(select(PublishedBank)).first() is None  # shown, not stored
    at.button(key="banks_publish").click().run()
    assert f"Acme 1.0.0 (Acme adapted bank) is published for {DEMO_ORG}" in texts(at, "success")
    at.button(key="banks_publish").click().run()
    assert "already published" in texts(at, "info")  # the same content again: nothing changed
    with db.read_session(demo_app_engine) as session:
        published = session.exec(select(PublishedBank)).all()
    assert len(published) == 1
    rounds = open_page(ROUNDS)
    rounds.selectbox(key="rounds_team").set_value(_team_id(demo_app_engine, "Platform")).run()
    picker = rounds.selectbox(key="rounds_bank")
    assert picker.value == 0  # the shipped bank unless another is picked
    picker.set_value(published[0].bank_version_id).run()
    rounds.button(key="rounds_start").click().run()
    assert not rounds.exception
    with db.read_session(demo_app_engine) as session:
        started = get_assessment(session, assessment_id=_latest(demo_app_engine, "Platform"))
        stored = get_bank_version(session, bank_version_id=started.bank_version_id)
    assert (started.round_number, stored.bank_id, stored.version) == (3, "acme", "1.0.0")


def test_a_stale_carried_answer_is_marked_to_reconfirm_with_its_date(demo_app_engine: Engine) -> None:
    old = date.today() - timedelta(days=200)
    with db.write_session(demo_app_engine) as session:
        save_answer(
            session,
            assessment_id=_latest(demo_app_engine, "Payments"),
            question_key="rb_last_rollback_minutes",
            answer=answered(7, evidence_date=old),
            by="ana",
        )
    rounds = open_page(ROUNDS)
    rounds.selectbox(key="rounds_team").set_value(_team_id(demo_app_engine, "Payments")).run()
    rounds.button(key="rounds_start").click().run()
    assert not rounds.exception
    warning = texts(rounds, "warning")
    assert "1 carried answer(s) rest on stale evidence, re-confirm them with new evidence" in warning
    assert f"Rollback time: evidence dated {old:%-d %B %Y}, 200 days old; it stays current 90 days" in warning
    at = open_page(ASSESS, _latest(demo_app_engine, "Payments"), foundation="rollback_speed")
    assert not at.exception
    badges = [str(m.value) for m in at.markdown if "is stale" in str(m.value)]
    assert len(badges) == 1
    assert f"Carried over from round 2: evidence dated {old:%-d %b %Y} is stale — re-confirm" in badges[0]


def test_the_start_page_offers_a_published_bank_for_the_next_round(demo_app_engine: Engine) -> None:
    at = open_page(START)
    at.selectbox(key="start_team").set_value(_team_id(demo_app_engine, "Catalogue")).run()
    assert not [s for s in at.selectbox if s.key == "start_bank"]  # only the shipped bank: nothing to pick
    with db.read_session(demo_app_engine) as session:
        org = find_organisation(session, name=DEMO_ORG)
    assert org is not None
    bank = parse_bank_text(adapted_bank_text(), "acme.yaml")
    published = publish_bank(demo_app_engine, actor=COMMAND_LINE, organisation_id=org.id or 0, bank=bank)
    at.run()
    picker = at.selectbox(key="start_bank")
    assert picker.value == 0  # the shipped bank unless another is picked
    picker.set_value(published.choice.bank_version_id).run()
    at.button(key="start_round").click().run()
    assert not at.exception
    with db.read_session(demo_app_engine) as session:
        started = get_assessment(session, assessment_id=_latest(demo_app_engine, "Catalogue"))
        stored = get_bank_version(session, bank_version_id=started.bank_version_id)
    assert (started.round_number, stored.bank_id) == (2, "acme")
