"""The DORA page in AppTest on a real database: figures and charts, the mapping step, bad files, typed figures."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import select

from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.demo import DEMO_ORG
from assessment.dora.bounds import range_text
from assessment.dora.lookback import set_organisation_lookback
from assessment.models.assessments import Organisation
from assessment.models.dora import DoraFigures, DoraSavedMapping
from tests.support.app import RESULTS, open_page, texts
from tests.support.builders import demo_round, new_round

DORA = "ui/pages/dora.py"
EXPORT = (
    b"Incident Number,Service Name,Paged,Resolved At,Urgency\n"
    b"17,api,2024-05-01T10:00:00Z,2024-05-01T11:00:00Z,high\n"
    b"18,api,2024-05-02T10:00:00Z,,low\n"
)


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_demo_team_figures_charts_and_findings(demo_app_engine: Engine) -> None:
    at = open_page(DORA, demo_round(demo_app_engine, "Checkout"))
    assert not at.exception
    assert at.metric[0].value in {"elite", "high", "medium", "low"}
    table = at.dataframe[0].value
    assert list(table["Metric"]) == [
        "Deployment frequency",
        "Lead time for changes",
        "Change failure rate",
        "Failed deployment recovery time",
    ]
    based_on = table.set_index("Metric")["Based on"]
    assert based_on["Change failure rate"].endswith(" deployments")  # short enough to be read whole in its cell
    links = next(c for c in texts(at, "caption").splitlines() if c.startswith("Change failure rate: incidents linked "))
    assert ", by attribution " in links
    assert ", not linked " in links  # the detail, under the table
    assert len(at.get("vega_lite_chart")) == 3  # deployments per week, lead time, recovery time
    assert "Claimed diagnosis time against recovery time" in texts(at, "text")
    results = open_page(RESULTS, demo_round(demo_app_engine, "Checkout"))
    assert not results.exception
    assert "Claimed postmortem coverage against the number of incidents" in texts(results, "text")


def test_mapping_step_proposes_user_corrects_then_imports_and_saves(app_engine: Engine) -> None:
    at = open_page(DORA, new_round(app_engine))
    assert "No deployments or incidents imported yet" in texts(at, "info")
    at.file_uploader(key="dora_upload_incidents").set_value(("pagerduty.csv", EXPORT, "text/csv")).run()
    assert at.selectbox(key="dora_map_incidents_id").value == "Incident Number"
    assert at.selectbox(key="dora_map_incidents_service").value == "Service Name"
    assert (
        at.selectbox(key="dora_map_incidents_started_at").value == "(not in the file)"
    )  # nothing names "Paged" a start time
    at.selectbox(key="dora_map_incidents_started_at").set_value("Paged").run()
    at.text_input(key="dora_mapping_name").set_value("PagerDuty")
    at.button(key="dora_save_mapping").click().run()
    with db.read_session(app_engine) as session:
        saved = session.exec(select(DoraSavedMapping)).one()
    assert saved.name == "PagerDuty"
    assert '"started_at": "Paged"' in saved.content
    at.button(key="dora_import").click().run()
    assert not at.exception
    assert "Imported 2 incidents" in texts(at, "success")
    assert _count(app_engine, "dora_incident") == 2
    assert at.selectbox(key="dora_saved_choice").options == [
        "(propose from the headers)",
        "Preset: GitHub deployments and commits (REST API JSON)",
        "Preset: GitLab deployments (REST API JSON)",
        "Preset: PagerDuty incidents (CSV export)",
        "Preset: Opsgenie alerts (REST API JSON)",
        "PagerDuty",
    ]


def test_bad_file_lists_line_column_value_and_saves_nothing(app_engine: Engine) -> None:
    at = open_page(DORA, new_round(app_engine))
    bad = b"id,service,started_at,resolved_at\n1,api,2024-05-01T10:00:00Z,\n2,api,tomorrow,\n"
    at.file_uploader(key="dora_upload_incidents").set_value(("incidents.csv", bad, "text/csv")).run()
    at.button(key="dora_import").click().run()
    assert "Nothing was imported" in texts(at, "error")
    problems = at.dataframe[-1].value
    assert problems.iloc[0][["File", "Line", "Column", "Reads as", "Value"]].tolist() == [
        "incidents.csv",
        "3",
        "started_at",
        "",
        "tomorrow",
    ]
    assert _count(app_engine, "dora_incident") == 0
    assert _count(app_engine, "dora_import") == 0


def test_typed_figures_are_saved_and_banded(app_engine: Engine) -> None:
    at = open_page(DORA, new_round(app_engine))
    at.selectbox(key="dora_typed_lead_time_range").set_value("between one day and one week")
    at.selectbox(key="dora_typed_recovery_time_range").set_value("an exact number")
    at.number_input(key="dora_typed_recovery_time_number").set_value(0.5)
    at.button[-1].click().run()  # the form's submit button
    assert not at.exception
    with db.read_session(app_engine) as session:
        row = session.exec(select(DoraFigures)).one()
    assert (row.lead_time_range, row.recovery_hours, row.recovery_range) == ("one_day_to_one_week", 0.5, None)
    assert "Typed figures saved." in texts(at, "info")
    assert "typed: between one day and one week" in at.dataframe[0].value["Value"].tolist()
    assert "No deployments or incidents imported yet" not in texts(at, "info")  # the typed figures are shown


def test_the_exact_numbers_are_empty_until_typed_and_an_empty_one_is_not_a_zero(app_engine: Engine) -> None:
    at = open_page(DORA, new_round(app_engine))
    numbers = [n for n in at.number_input if (n.key or "").startswith("dora_typed_")]
    assert len(numbers) == 4
    assert [n.value for n in numbers] == [None] * 4  # they read 0.00, a figure nobody typed
    at.selectbox(key="dora_typed_recovery_time_range").set_value("an exact number")
    at.button[-1].click().run()
    assert not at.exception
    assert "type the exact number, or choose a range" in texts(at, "info")
    assert _count(app_engine, "dora_figures") == 0


def test_the_attribution_look_back_is_set_per_organisation_and_named_next_to_the_figure(
    demo_app_engine: Engine,
) -> None:
    aid = demo_round(demo_app_engine, "Checkout")
    at = open_page(DORA, aid)
    table = at.dataframe[0].value.set_index("Metric")
    assert "(attribution look-back 24 h)" in str(table.loc["Change failure rate"].to_dict())
    at.number_input(key="dora_lookback_hours").set_value(2.0)
    next(b for b in at.button if b.label == "Save look-back").click().run()
    assert not at.exception
    assert "Attribution look-back set to 2 hours" in texts(at, "success")
    table = at.dataframe[0].value.set_index("Metric")
    assert "(attribution look-back 2 h)" in str(table.loc["Change failure rate"].to_dict())
    with db.read_session(demo_app_engine) as session:
        assert session.exec(select(Organisation.dora_lookback_hours).where(Organisation.name == DEMO_ORG)).one() == 2.0
    at.number_input(key="dora_lookback_hours").set_value(0.5)
    with db.write_session(demo_app_engine) as session:  # out of range from elsewhere: refused with the limits named
        org_id = session.exec(select(Organisation.id).where(Organisation.name == DEMO_ORG)).one()
        with pytest.raises(FoundationsError, match="at most 720 hours"):
            set_organisation_lookback(session, organisation_id=org_id or 0, hours=10_000)


def test_problems_name_the_files_header_and_leave_no_none_cells(app_engine: Engine) -> None:
    at = open_page(DORA, new_round(app_engine))
    deployments = b"Deploy ID,App,Finished At\nd1,api,9999-12-31T23:59:59Z\n"
    at.file_uploader(key="dora_upload_deployments").set_value(("export.csv", deployments, "text/csv")).run()
    at.file_uploader(key="dora_upload_incidents").set_value(("incidents.csv", b"id,service\n1,a\n", "text/csv"))
    at.run()
    at.button(key="dora_import").click().run()
    assert not at.exception
    problems = at.dataframe[-1].value
    assert problems.to_dict("records") == [
        {
            "File": "export.csv",
            "Line": "2",
            "Column": "Finished At",
            "Reads as": "deployed_at",
            "Value": "9999-12-31T23:59:59Z",
            "Problem": f"is outside the accepted range, {range_text()}",
        },
        {
            "File": "incidents.csv",
            "Line": "",
            "Column": "",
            "Reads as": "",
            "Value": "",
            "Problem": "required column missing: started_at (the file has: id, service); "
            "rename the columns or give a mapping",
        },
    ]
    assert "None" not in problems.to_string()
    assert _count(app_engine, "dora_deployment") == 0


def test_the_separator_is_detected_and_a_contradicting_cell_is_warned_before_import(app_engine: Engine) -> None:
    at = open_page(DORA, new_round(app_engine))
    data = b"id,service,deployed_at,Commits\nd1,api,2024-05-01T10:00:00Z,c1 c2\nd2,api,2024-05-01T11:00:00Z,c3\n"
    at.file_uploader(key="dora_upload_deployments").set_value(("deploys.csv", data, "text/csv")).run()
    assert at.selectbox(key="dora_map_deployments_change_ids").value == "Commits"
    assert at.selectbox(key="dora_separator_deploys.csv").value == "whitespace"  # as in most cells
    assert not at.warning
    at.selectbox(key="dora_separator_deploys.csv").set_value("semicolon").run()
    assert "deploys.csv: check this before importing (nothing is saved yet)." in texts(at, "warning")
    warned = at.dataframe[-1].value.iloc[0]
    assert (warned["Line"], warned["Column"], warned["Reads as"], warned["Value"]) == (
        "2",
        "Commits",
        "change_ids",
        "c1 c2",
    )
    assert warned["Problem"].startswith("1 cell looks like a list with another separator than ';';")
    assert _count(app_engine, "dora_deployment") == 0
    at.selectbox(key="dora_separator_deploys.csv").set_value("whitespace").run()
    at.button(key="dora_import").click().run()
    assert "Imported 2 deployments" in texts(at, "success")
    with app_engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT change_ids FROM dora_deployment ORDER BY external_id")).scalars()
        assert list(stored) == ["c1;c2", "c3"]


def test_opened_from_the_menu_it_offers_the_teams_and_opens_the_chosen_ones_latest_round(
    demo_app_engine: Engine,
) -> None:
    at = open_page(DORA)  # no assessment in the address or this tab: the menu's link
    assert "No assessment is open yet" in texts(at, "info")
    picker = at.selectbox(key="current_team_pick")
    payments = demo_round(demo_app_engine, "Payments", 2)
    assert picker.format_func(payments) == f"{DEMO_ORG} · Payments, round 2"
    picker.set_value(payments).run()
    assert not at.exception
    assert at.query_params["assessment"] == str(payments)
    assert at.title[0].value == "DORA: Payments, round 2"
