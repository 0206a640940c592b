"""The DORA page's import: what a re-import or a team column would change is shown first, and needs a confirmation.

Why (issue 14): re-importing with the page's proposed mapping nulled stored resolution
times unannounced, and a team column created teams nobody had asked for.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.dora.formats import Kind
from tests.support.app import open_page, texts
from tests.support.builders import new_round
from tests.support.dora_data import csv_bytes, dora_fingerprint

DORA = "ui/pages/dora.py"
FULL = (
    b"Number,Service Name,Created,Resolved On\n"
    b"17,api,2024-05-01T10:00:00Z,2024-05-01T11:00:00Z\n"
    b"18,api,2024-05-02T10:00:00Z,2024-05-02T10:30:00Z\n"
)
TEAMS = csv_bytes(
    Kind.DEPLOYMENTS,
    [
        {"team": "Core", "id": "d1", "service": "api", "deployed_at": "2024-05-01T10:00:00Z"},
        {"team": "Coer", "id": "d2", "service": "api", "deployed_at": "2024-05-01T11:00:00Z"},
    ],
    with_team=True,
)


def _resolved(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text("SELECT resolved_epoch_s FROM dora_incident ORDER BY external_id"))]


def _teams(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text("SELECT name FROM team ORDER BY name"))]


def test_a_re_import_shows_what_it_would_change_and_waits_for_confirmation(app_engine: Engine) -> None:
    at = open_page(DORA, new_round(app_engine))
    at.file_uploader(key="dora_upload_incidents").set_value(("incidents.csv", FULL, "text/csv")).run()
    at.selectbox(key="dora_map_incidents_id").set_value("Number")
    at.selectbox(key="dora_map_incidents_started_at").set_value("Created")
    at.selectbox(key="dora_map_incidents_resolved_at").set_value("Resolved On").run()
    at.button(key="dora_import").click().run()
    assert "Imported 2 incidents" in texts(at, "success")  # nothing stored changes: no question asked
    stored = _resolved(app_engine)
    at.selectbox(key="dora_map_incidents_resolved_at").set_value("(not in the file)").run()
    at.radio(key="dora_replace").set_value(True).run()
    at.button(key="dora_import").click().run()
    assert not at.exception
    assert "2 incidents would lose their resolution time" in texts(at, "text")
    before = dora_fingerprint(app_engine)
    at.button(key="dora_cancel").click().run()
    assert "Nothing was imported." in texts(at, "info")
    assert dora_fingerprint(app_engine) == before
    at.radio(key="dora_replace").set_value(False).run()
    at.button(key="dora_import").click().run()
    assert "2 incidents keep their stored resolution time (the file has none)" in texts(at, "text")
    assert dora_fingerprint(app_engine) == before  # checked, not written
    at.button(key="dora_confirm").click().run()
    assert "Imported 2 incidents (2 already stored: merged)" in texts(at, "success")
    assert _resolved(app_engine) == stored


def test_new_teams_are_listed_and_created_only_when_confirmed(app_engine: Engine) -> None:
    at = open_page(DORA, new_round(app_engine))
    at.file_uploader(key="dora_upload_deployments").set_value(("deployments.csv", TEAMS, "text/csv")).run()
    before = dora_fingerprint(app_engine)
    at.button(key="dora_import").click().run()
    assert "new teams: 'Coer'" in texts(at, "text")
    assert dora_fingerprint(app_engine) == before
    at.button(key="dora_confirm").click().run()
    assert "Imported 2 deployments; created the teams 'Coer'" in texts(at, "success")
    assert _teams(app_engine) == ["Coer", "Core"]


def test_a_plan_that_changed_since_the_check_is_not_written(app_engine: Engine) -> None:
    aid = new_round(app_engine)
    at = open_page(DORA, aid)
    at.file_uploader(key="dora_upload_deployments").set_value(("deployments.csv", TEAMS, "text/csv")).run()
    at.button(key="dora_import").click().run()
    assert "new teams: 'Coer'" in texts(at, "text")
    other = open_page(DORA, aid)  # someone else imports the same file and confirms first
    other.file_uploader(key="dora_upload_deployments").set_value(("deployments.csv", TEAMS, "text/csv")).run()
    other.button(key="dora_import").click().run()
    other.button(key="dora_confirm").click().run()
    before = dora_fingerprint(app_engine)
    at.button(key="dora_confirm").click().run()
    assert "The stored data changed since the check, so nothing was imported" in texts(at, "error")
    assert dora_fingerprint(app_engine) == before
