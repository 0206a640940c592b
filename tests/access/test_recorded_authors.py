"""Shared mode in AppTest: what a page writes names the signed-in person, and a viewer's write is refused.

Covers the writes that once recorded local mode's default user (DORA figures and
imports) and the confirmation of carried-over answers on the Assess page.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from assessment.access.policy import COMMAND_LINE, acting_as
from assessment.assessments.repository import store_bank
from assessment.assessments.rounds import carried_over_keys, start_round
from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.models.assessments import Answer, Assessment
from assessment.models.dora import DoraFigures, DoraImport
from tests.support.access_world import OWNER, VIEWER, Install
from tests.support.app import open_as
from ui.text import plain

DORA, ASSESS = "ui/pages/dora.py", "ui/pages/assess.py"
INCIDENTS = b"id,service,started_at,resolved_at\n1,api,2024-05-01T10:00:00Z,2024-05-01T11:00:00Z\n"


def test_dora_figures_and_imports_record_the_signed_in_author(install: Install) -> None:
    at = open_as(OWNER, DORA, assessment=str(install.northwind_round))
    at.selectbox(key="dora_typed_lead_time_range").set_value("between one day and one week")
    at.button(key="FormSubmitter:dora_typed_form-Save figures").click().run()
    assert not at.exception, at.exception
    at.file_uploader(key="dora_upload_incidents").set_value(("incidents.csv", INCIDENTS, "text/csv")).run()
    at.button(key="dora_import").click().run()
    assert not at.exception, at.exception
    assert "Imported 1 incident" in "\n".join(str(e.value) for e in at.success)
    with db.read_session(install.engine) as session:
        typed = session.exec(select(DoraFigures).order_by(col(DoraFigures.id).desc())).first()
        imported = session.exec(select(DoraImport).order_by(col(DoraImport.id).desc())).first()
    assert typed is not None
    assert typed.entered_by == OWNER
    assert imported is not None
    assert imported.created_by == OWNER


def _prefilled_round(install: Install) -> int:
    with acting_as(COMMAND_LINE), db.write_session(install.engine) as session:
        team_id = session.get(Assessment, install.northwind_round).team_id  # type: ignore[union-attr]
        stored = store_bank(session, bank=default_bank())
        return start_round(
            session, team_id=team_id, bank_version_id=stored.id or 0, by="cli", prefill=True
        ).assessment_id


def _row(engine: Engine, assessment_id: int, key: str) -> Answer:
    with db.read_session(engine) as session:
        return session.exec(
            select(Answer).where(Answer.assessment_id == assessment_id, Answer.question_key == key)
        ).one()


def test_confirming_carried_answers_records_the_owner_and_refuses_a_viewer(install: Install) -> None:
    aid = _prefilled_round(install)
    with db.read_session(install.engine) as session:
        carried = carried_over_keys(session, assessment_id=aid)
    assert len(carried) == len(default_bank().questions)  # the demo round answers every question
    viewer = open_as(VIEWER, ASSESS, assessment=str(aid), foundation="failure_isolation")
    viewer.button(key="confirm:fi_instance_kill").click().run()
    assert not viewer.exception, viewer.exception
    assert "a viewer cannot answer questions" in "\n".join(str(e.value) for e in viewer.error)
    viewer.sidebar.button(key="confirm_round").click().run()
    assert "Nothing was confirmed" in "\n".join(str(e.value) for e in viewer.error)
    with db.read_session(install.engine) as session:
        assert carried_over_keys(session, assessment_id=aid) == carried  # nothing changed

    owner = open_as(OWNER, ASSESS, assessment=str(aid), foundation="failure_isolation")
    owner.button(key="confirm:fi_instance_kill").click().run()
    assert [t.value for t in owner.toast] == ["Confirmed: Instance loss test"]
    confirmed = _row(install.engine, aid, "fi_instance_kill")
    assert (confirmed.carried_over, confirmed.answered_by) == (False, OWNER)
    assert f"by {plain(OWNER)}" in "\n".join(str(c.value) for c in owner.caption)
