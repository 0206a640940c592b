"""Presets for common tools' exports: each fixture imports with the figures computed by hand.

Why (issue 14, item 10): an export from GitHub, GitLab, PagerDuty or Opsgenie needed a
hand-made mapping (and GitLab's nested fields could not be mapped at all). The fixtures in
fixtures/presets/ are made-up data in each tool's documented shape (SOURCES.md names the
field lists). Window 1-8 May 2024 (7 days), look-back 24 h.

Checkout (GitHub deployments and commits, PagerDuty incidents, service shop-web):
- deployments counted: 1001 (1 May 10:00, success), 1003 (2 May 09:30, inactive: a success
  a later one replaced), 1005 (3 May 16:00), 1006 (6 May 11:00); left out: 1002 (staging),
  1004 (failure), 1007 (error). 4 a week, on 4 days.
- lead time from each counted deployment's commit: 2 h, 12 h, 6 h, 24 h: median 9 h,
  p90 12 + 0.7 x 12 = 20.4 h.
- incidents (offsets -04:00 and Z): 4101 (1 May 11:00Z, after 1001), 4102 (3 May 18:00Z) and
  4103 (20:00Z) after 1005, 4104 on another service, 4105 (7 May 12:00Z, 25 h after 1006,
  open): 1001 and 1005 failed, 2 of 4 = 50 %; 3 linked by attribution, 2 not linked.
- recovery: 1.5 h, 4 h, 1 h, 2 h (4105 open): median 1.75 h, p90 2 + 0.7 x 2 = 3.4 h.

Payments (GitLab deployments, Opsgenie alerts, service payments-api):
- deployments counted: 41 (1 May 09:10), 44 (2 May 15:00), 45 (4 May 12:00); left out: 42
  (failed), 43 (staging). 3 a week, on 3 days.
- lead time from the deployed commit: 2 h (08:10+01:00), 4 h (13:00+02:00), 24 h: median 4 h,
  p90 4 + 0.8 x 20 = 20 h.
- alerts: 1791 (1 May 10:00, after 41), 1792 (2 May 11:00: 42 failed, 41 is 25 h 50 before),
  1793 (4 May 13:00, after 45), 1794 (open, 44 h after 45): 41 and 45 failed, 2 of 3.
- recovery from report.closeTime: 1.5 h, 0.5 h, 3 h: median 1.5 h, p90 1.5 + 0.8 x 1.5 = 2.7 h.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.dora import service
from assessment.dora.formats import Kind
from assessment.dora.ingest.mapping import mapping_to_json, parse_mapping
from assessment.dora.metrics.compute import DoraMetrics
from assessment.dora.service import DoraImportError, FileInput, ImportOptions, WriteOptions
from assessment.organisations.directory import ensure_organisation, ensure_team
from tests.support.cli import run
from tests.support.dora_data import WINDOW, team_id

FIXTURES = Path(__file__).parent / "fixtures" / "presets"
CHECKOUT = {
    Kind.DEPLOYMENTS: "github-deployments.json",
    Kind.CHANGES: "github-commits.json",
    Kind.INCIDENTS: "pagerduty-incidents.csv",
}


def _file(kind: Kind, name: str) -> FileInput:
    return FileInput(kind, name, (FIXTURES / name).read_bytes())


def _import(engine: Engine, team: str, files: list[FileInput], mapping: service.Mapping) -> None:
    parsed = service.parse_files(files, ImportOptions(mapping=mapping))
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Org")
        chosen = ensure_team(session, organisation_id=org.id or 0, name=team).id
        service.store_import(
            session, organisation_id=org.id or 0, team_id=chosen, parsed=parsed, by="test", options=WriteOptions()
        )


def _metrics(engine: Engine, team: str) -> DoraMetrics:
    with db.read_session(engine) as session:
        return service.team_summary(session, team_id=team_id(engine, team), window=WINDOW, lookback_hours=24).metrics


def _import_checkout(engine: Engine) -> None:
    github = service.with_service(service.preset_mapping("github"), "shop-web")
    _import(engine, "Checkout", [_file(k, CHECKOUT[k]) for k in (Kind.DEPLOYMENTS, Kind.CHANGES)], github)
    _import(engine, "Checkout", [_file(Kind.INCIDENTS, CHECKOUT[Kind.INCIDENTS])], service.preset_mapping("pagerduty"))


def _import_payments(engine: Engine) -> None:
    gitlab = service.with_service(service.preset_mapping("gitlab"), "payments-api")
    _import(engine, "Payments", [_file(Kind.DEPLOYMENTS, "gitlab-deployments.json")], gitlab)
    opsgenie = service.with_service(service.preset_mapping("opsgenie"), "payments-api")
    _import(engine, "Payments", [_file(Kind.INCIDENTS, "opsgenie-alerts.json")], opsgenie)


def _figures(m: DoraMetrics) -> tuple[object, ...]:
    return (
        m.deployments,
        m.deployments_per_week,
        m.days_with_deployments,
        m.lead_time_samples,
        m.lead_time_hours_median,
        m.lead_time_hours_p90,
        m.failed_deployments,
        m.change_failure_rate_pct,
        m.incidents,
        m.incidents_linked_by_attribution,
        m.incidents_unlinked,
        m.incidents_resolved,
        m.recovery_hours_median,
        m.recovery_hours_p90,
    )


def test_github_and_pagerduty_exports_give_the_figures_computed_by_hand(engine: Engine) -> None:
    _import_checkout(engine)
    assert _figures(_metrics(engine, "Checkout")) == pytest.approx(
        (4, 4.0, 4, 4, 9.0, 20.4, 2, 50.0, 5, 3, 2, 4, 1.75, 3.4)
    )


def test_gitlab_and_opsgenie_exports_give_the_figures_computed_by_hand(engine: Engine) -> None:
    _import_payments(engine)
    assert _figures(_metrics(engine, "Payments")) == pytest.approx(
        (3, 3.0, 3, 3, 4.0, 20.0, 2, 200 / 3, 4, 2, 2, 3, 1.5, 2.7)
    )


def test_the_stored_rows_keep_the_tools_ids_and_the_canonical_words(engine: Engine) -> None:
    _import_checkout(engine)
    _import_payments(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT external_id, service, status, environment FROM dora_deployment ORDER BY external_id")
        ).all()
        incidents = conn.execute(sa.text("SELECT external_id FROM dora_incident ORDER BY external_id")).all()
    assert [tuple(r) for r in rows] == [
        ("1001", "shop-web", "success", "production"),
        ("1002", "shop-web", "success", "staging"),
        ("1003", "shop-web", "success", "production"),  # GitHub's inactive: a success since replaced
        ("1004", "shop-web", "failure", "production"),
        ("1005", "shop-web", "success", "production"),
        ("1006", "shop-web", "success", "production"),
        ("1007", "shop-web", "error", "production"),
        ("41", "payments-api", "success", "production"),
        ("42", "payments-api", "failed", "production"),
        ("43", "payments-api", "success", "staging"),
        ("44", "payments-api", "success", "production"),
        ("45", "payments-api", "success", "production"),
    ]
    assert [r[0] for r in incidents] == ["1791", "1792", "1793", "1794", "4101", "4102", "4103", "4104", "4105"]


def test_each_export_is_detected_from_its_headers_and_the_canonical_files_are_not() -> None:
    found = {
        name: service.detect_preset(kind, service.file_headers(_file(kind, name)))
        for kind, name in [
            *CHECKOUT.items(),
            (Kind.DEPLOYMENTS, "gitlab-deployments.json"),
            (Kind.INCIDENTS, "opsgenie-alerts.json"),
        ]
    }
    assert found == {
        "github-deployments.json": "github",
        "github-commits.json": "github",
        "pagerduty-incidents.csv": "pagerduty",
        "gitlab-deployments.json": "gitlab",
        "opsgenie-alerts.json": "opsgenie",
    }
    assert service.detect_preset(Kind.DEPLOYMENTS, ["id", "service", "deployed_at", "sha", "environment"]) is None


def test_every_preset_is_a_mapping_file_that_reads_back_the_same() -> None:
    for name in service.PRESETS:
        mapping = service.preset_mapping(name)
        assert parse_mapping(mapping_to_json(mapping), name) == mapping


def test_an_unknown_preset_names_the_presets() -> None:
    with pytest.raises(
        FoundationsError, match=r"unknown preset 'jira': use one of github, gitlab, pagerduty, opsgenie"
    ):
        service.preset_mapping("jira")


def test_without_a_service_the_error_says_how_to_give_one() -> None:
    with pytest.raises(DoraImportError) as caught:
        service.parse_files(
            [_file(Kind.DEPLOYMENTS, "gitlab-deployments.json")],
            ImportOptions(mapping=service.preset_mapping("gitlab")),
        )
    assert str(caught.value.problems[0]).endswith(
        "the gitlab export names no service: give the one it came from "
        "(--service, or 'Service of every row' on the page)"
    )


def test_the_deployments_list_without_statuses_counts_every_production_row(engine: Engine) -> None:
    """The plain list endpoint has no state: the preset's status column is left out, not refused."""
    records = json.loads((FIXTURES / "github-deployments.json").read_text())
    for record in records:
        del record["latest_status"]
    plain = FileInput(Kind.DEPLOYMENTS, "deployments.json", json.dumps(records).encode())
    _import(engine, "Checkout", [plain], service.with_service(service.preset_mapping("github"), "shop-web"))
    assert _metrics(engine, "Checkout").deployments == 6  # 1002 is staging; failure and error unknown here


def test_a_bad_value_names_the_file_record_and_the_tools_field() -> None:
    records = json.loads((FIXTURES / "gitlab-deployments.json").read_text())
    records[2]["deployable"]["finished_at"] = "yesterday"
    bad = FileInput(Kind.DEPLOYMENTS, "deploys.json", json.dumps(records).encode())
    mapping = service.with_service(service.preset_mapping("gitlab"), "payments-api")
    with pytest.raises(DoraImportError) as caught:
        service.parse_files([bad], ImportOptions(mapping=mapping))
    assert [str(p) for p in caught.value.problems] == [
        "deploys.json, record 3, column 'deployable.finished_at' (deployed_at): "
        "is not a date and time in ISO 8601 form (such as 2024-05-31T14:03:00Z) (value 'yesterday')"
    ]


def test_a_close_time_that_is_not_milliseconds_is_refused() -> None:
    doc = json.loads((FIXTURES / "opsgenie-alerts.json").read_text())
    doc["data"][1]["report"]["closeTime"] = "soon"
    bad = FileInput(Kind.INCIDENTS, "alerts.json", json.dumps(doc).encode())
    mapping = service.with_service(service.preset_mapping("opsgenie"), "payments-api")
    with pytest.raises(DoraImportError) as caught:
        service.parse_files([bad], ImportOptions(mapping=mapping))
    assert [str(p) for p in caught.value.problems] == [
        "alerts.json, record 2, column 'report.closeTime' (resolved_after_ms): "
        "is not a whole number of milliseconds (0 or more) (value 'soon')"
    ]


def _cli_files(tmp_path: Path) -> list[str]:
    paths = []
    for kind, name in CHECKOUT.items():
        (tmp_path / name).write_bytes((FIXTURES / name).read_bytes())
        paths += [f"--{kind.value}", str(tmp_path / name)]
    return paths


def test_cli_imports_with_a_preset(env_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = db.get_engine()
    db.upgrade(engine)
    files = _cli_files(tmp_path)
    base = ("dora", "import", "--org", "Org", "--create-org", "--team", "Checkout", "--create-team")
    code, out, err = run(capsys, *base, "--preset", "GitHub", "--service", "shop-web", *files[:4])
    assert (code, err) == (0, "")
    assert out == "imported 7 deployments, 7 changes\n"
    code, out, err = run(capsys, *base, "--preset", "pagerduty", *files[4:])
    assert (code, err) == (0, "")
    assert _figures(_metrics(engine, "Checkout")) == pytest.approx(
        (4, 4.0, 4, 4, 9.0, 20.4, 2, 50.0, 5, 3, 2, 4, 1.75, 3.4)
    )


def test_cli_refuses_an_unknown_preset_and_a_missing_service(
    env_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db.upgrade(db.get_engine())
    files = _cli_files(tmp_path)
    base = ("dora", "import", "--org", "Org", "--create-org", "--team", "Checkout", "--create-team")
    code, _out, err = run(capsys, *base, "--preset", "jira", *files[4:])
    assert (code, err) == (1, "error: unknown preset 'jira': use one of github, gitlab, pagerduty, opsgenie\n")
    code, _out, err = run(capsys, *base, "--preset", "github", *files[:2])
    assert code == 1
    assert "the github export names no service: give the one it came from (--service" in err
    with db.get_engine().connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM dora_deployment")).scalar_one() == 0


def test_nested_objects_are_read_as_dotted_keys_three_levels_down() -> None:
    """GitLab's `environment.name`; an object deeper than three levels stays one nested value."""
    record = {"id": 1, "environment": {"name": "production", "tier": {"name": "prod", "deeper": {"x": 1}}}}
    headers = service.file_headers(FileInput(Kind.DEPLOYMENTS, "d.json", json.dumps([record]).encode()))
    assert headers == [
        "id",
        "environment",
        "environment.name",
        "environment.tier",
        "environment.tier.name",
        "environment.tier.deeper",
    ]


def test_dotted_keys_count_against_the_key_limit() -> None:
    """Flattening keeps the bound: 251 records each with a new object of one key are 502 keys, over 500."""
    records = [{f"k{n}": {"v": n}} for n in range(251)]
    with pytest.raises(DoraImportError) as caught:
        service.file_headers(FileInput(Kind.DEPLOYMENTS, "d.json", json.dumps(records).encode()))
    assert [str(p) for p in caught.value.problems] == [
        "d.json, record 251: the records use more than 500 different keys"
    ]
