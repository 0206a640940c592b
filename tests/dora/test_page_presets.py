"""The DORA page offers a tool's preset: recognised from the file's columns, or chosen in the select box.

Why (issue 14, item 10): a GitLab or Opsgenie export could not be imported from the page at
all (nested fields), and every other tool's export needed its columns picked by hand. The
figures these files give are computed by hand in test_presets.py.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from tests.support.app import open_page, texts
from tests.support.builders import new_round

DORA = "ui/pages/dora.py"
FIXTURES = Path(__file__).parent / "fixtures" / "presets"


def _stored(engine: Engine, table: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        query = f"SELECT external_id, service FROM {table} ORDER BY external_id"
        return [tuple(r) for r in conn.execute(sa.text(query))]


def _upload(at: AppTest, kind: str, name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    at.file_uploader(key=f"dora_upload_{kind}").set_value((name, data, "application/json")).run()


def test_a_gitlab_export_is_recognised_and_needs_its_service(app_engine: Engine) -> None:
    at = open_page(DORA, new_round(app_engine))
    _upload(at, "deployments", "gitlab-deployments.json")
    assert (
        "Preset: GitLab deployments (REST API JSON), recognised from the file's columns. Statuses counted as "
        "deployed: success. Environments counted as production: production, prod. The export names no service: "
        "give it in 'Service of every row'. Check each column below."
    ) in texts(at, "caption")
    assert at.selectbox(key="dora_map_deployments_deployed_at_gitlab").value == "deployable.finished_at"
    assert at.selectbox(key="dora_map_deployments_environment_gitlab").value == "environment.name"
    at.button(key="dora_import").click().run()
    assert "the gitlab export names no service" in " ".join(str(v) for v in at.dataframe[0].value["Problem"])
    assert _stored(app_engine, "dora_deployment") == []
    at.text_input(key="dora_service_deployments").set_value("payments-api").run()
    at.button(key="dora_import").click().run()
    assert "Imported 5 deployments" in texts(at, "success")
    assert _stored(app_engine, "dora_deployment") == [(str(n), "payments-api") for n in range(41, 46)]


def test_a_preset_chosen_in_the_select_box_maps_the_file(app_engine: Engine) -> None:
    """PagerDuty's CSV has `id` and `incident_number`: the headers' proposal takes `id`, the preset the number."""
    at = open_page(DORA, new_round(app_engine))
    data = (FIXTURES / "pagerduty-incidents.csv").read_bytes()
    header, rest = data.split(b"\n", 1)
    renamed = header.replace(b"escalation_policy_name", b"policy") + b"\n" + rest  # no longer recognised
    at.file_uploader(key="dora_upload_incidents").set_value(("incidents.csv", renamed, "text/csv")).run()
    assert at.selectbox(key="dora_map_incidents_id").value == "id"
    at.selectbox(key="dora_saved_choice").set_value("Preset: PagerDuty incidents (CSV export)").run()
    assert at.selectbox(key="dora_map_incidents_id_pagerduty").value == "incident_number"
    at.button(key="dora_import").click().run()
    assert "Imported 5 incidents" in texts(at, "success")
    assert [r[0] for r in _stored(app_engine, "dora_incident")] == ["4101", "4102", "4103", "4104", "4105"]
