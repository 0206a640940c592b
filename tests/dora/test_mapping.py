"""Mapping proposals from real-looking export headers, and mapping files read back with precise errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment.dora.formats import Kind
from assessment.dora.ingest.mapping import (
    load_mapping_file,
    mapping_to_json,
    normalise_header,
    parse_mapping,
    propose_mapping,
)
from assessment.dora.ingest.parsing import parse_file
from assessment.dora.ingest.problems import DoraImportError


def test_normalise_header() -> None:
    assert normalise_header(" Deployed At ") == normalise_header("deployedAt") == "deployed_at"


def test_proposal_from_an_incident_tool_export() -> None:
    headers = ["Incident Number", "Service Name", "createdAt", "Resolved At", "Urgency"]
    assert propose_mapping(Kind.INCIDENTS, headers) == {
        "id": "Incident Number",
        "service": "Service Name",
        "started_at": "createdAt",
        "resolved_at": "Resolved At",
    }


def test_proposal_uses_each_header_once_and_prefers_exact_names() -> None:
    headers = ["sha", "created_at", "commit_time"]
    proposal = propose_mapping(Kind.CHANGES, headers)
    assert proposal == {"id": "sha", "committed_at": "commit_time"}


def test_proposal_finds_close_spellings_for_required_columns() -> None:
    assert propose_mapping(Kind.DEPLOYMENTS, ["deploy_ident", "servce", "deployed_att"])["service"] == "servce"


def test_mapping_file_round_trip_and_use(tmp_path: Path) -> None:
    mapping = {
        Kind.INCIDENTS: {
            "id": "Incident Number",
            "service": "Service Name",
            "started_at": "createdAt",
            "resolved_at": "Resolved At",
        }
    }
    path = tmp_path / "mapping.json"
    path.write_text(mapping_to_json(mapping), encoding="utf-8")
    loaded = load_mapping_file(str(path))
    assert loaded == mapping
    data = b"Incident Number,Service Name,createdAt,Resolved At\n17,a,2024-05-01T10:00:00Z,\n"
    parsed = parse_file(data, source="pd.csv", kind=Kind.INCIDENTS, mapping=loaded[Kind.INCIDENTS])
    assert parsed.table.column("id").to_pylist() == ["17"]


def test_mapping_naming_a_column_the_file_lacks() -> None:
    data = b"id,service,opened\n1,a,2024-05-01T10:00:00Z\n"
    with pytest.raises(DoraImportError) as caught:
        parse_file(data, source="i.csv", kind=Kind.INCIDENTS, mapping={"started_at": "opened_at"})
    assert "'opened_at'" in str(caught.value)
    assert "i.csv" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{", "not valid JSON"),
        ('{"deployments": {}}', "not a mapping file"),
        ('{"foundations_dora_mapping": 1, "builds": {}}', "column 'builds'"),
        ('{"foundations_dora_mapping": 1, "deployments": {"when": "x"}}', "column 'deployments.when'"),
        ('{"foundations_dora_mapping": 1, "deployments": {"id": 3}}', "expected a column name"),
    ],
)
def test_bad_mapping_files(text: str, expected: str) -> None:
    with pytest.raises(DoraImportError) as caught:
        parse_mapping(text, "m.json")
    assert expected in str(caught.value)
    assert str(caught.value).startswith("m.json")


def test_missing_mapping_file() -> None:
    with pytest.raises(DoraImportError, match=r"nope\.json: file not found"):
        load_mapping_file("nope.json")


def test_proposal_covers_the_optional_columns_through_aliases_and_close_spellings() -> None:
    incidents = ["Incident Number", "Service Name", "Created", "Resolved On", "Caused By Deploy", "Caused By Commit"]
    assert propose_mapping(Kind.INCIDENTS, incidents) == {
        "id": "Incident Number",
        "service": "Service Name",
        "started_at": "Created",
        "resolved_at": "Resolved On",
        "deployment_id": "Caused By Deploy",
        "change_id": "Caused By Commit",
    }
    deployments = ["Deployment ID", "App", "Finished At", "Commit SHAs", "Target Environment", "Deploy Status"]
    assert propose_mapping(Kind.DEPLOYMENTS, deployments) == {
        "id": "Deployment ID",
        "service": "App",
        "deployed_at": "Finished At",
        "change_ids": "Commit SHAs",
        "environment": "Target Environment",
        "status": "Deploy Status",
    }
    # an optional column never takes a header a required one matches exactly
    assert propose_mapping(Kind.INCIDENTS, ["id", "service", "started_at", "resolved"])["resolved_at"] == "resolved"


def test_mapping_headers_match_without_regard_to_case() -> None:
    data = b"Incident Number,Service Name,Created\n17,a,2024-05-01T10:00:00Z\n"
    mapping = {"id": "incident number", "service": "SERVICE NAME", "started_at": " created "}
    parsed = parse_file(data, source="pd.csv", kind=Kind.INCIDENTS, mapping=mapping)
    assert parsed.table.column("id").to_pylist() == ["17"]
    assert parsed.table.column("service").to_pylist() == ["a"]
