"""The canonical DORA file format: which columns each kind of file has, and what they hold.

This module is the single source for docs/DORA.md's format tables; a test checks
that every column listed here is documented there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """The three kinds of file a team can import."""

    DEPLOYMENTS = "deployments"
    CHANGES = "changes"
    INCIDENTS = "incidents"


class ColumnType(StrEnum):
    ID = "id"  # kept exactly as text: "007", "NA" and "None" are ids like any other
    TEXT = "text"
    TIMESTAMP = "timestamp"  # ISO 8601; an offset is needed unless a time zone is given
    ID_LIST = "id_list"  # ids separated by ";" (a JSON list is accepted too)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool
    help: str
    aliases: tuple[str, ...] = ()


MAX_TEXT = 200
ID_SEPARATOR = ";"
SUCCESS_STATUSES = frozenset({"success", "succeeded", "successful", "ok", "deployed", "completed", "done"})
PRODUCTION_ENVIRONMENTS = frozenset({"production", "prod", "prd", "live"})

_TEAM = Column(
    "team",
    ColumnType.TEXT,
    False,
    "Team name, for files that cover several teams; rows go to that team of the organisation.",
    ("team_name", "squad", "owner_team", "group"),
)

FORMATS: dict[Kind, tuple[Column, ...]] = {
    Kind.DEPLOYMENTS: (
        Column(
            "id",
            ColumnType.ID,
            True,
            "Unique id of the deployment within the team.",
            ("deployment_id", "deploy_id", "deployment", "release_id", "run_id", "iid"),
        ),
        Column(
            "service",
            ColumnType.TEXT,
            True,
            "The service (or application) that was deployed.",
            ("service_name", "application", "app", "component", "project", "repository", "repo"),
        ),
        Column(
            "deployed_at",
            ColumnType.TIMESTAMP,
            True,
            "When the deployment finished.",
            (
                "deployment_time",
                "deploy_time",
                "finished_at",
                "completed_at",
                "time_created",
                "created_at",
                "timestamp",
                "date",
            ),
        ),
        Column(
            "status",
            ColumnType.TEXT,
            False,
            "Outcome; rows whose status is not a success word are kept but not counted. Default: success.",
            ("state", "result", "outcome", "conclusion", "deployment_status", "deploy_status"),
        ),
        Column(
            "environment",
            ColumnType.TEXT,
            False,
            "Target environment; only production rows count. Default: production.",
            ("env", "environment_name", "target", "stage", "target_environment", "deploy_env", "environment_tier"),
        ),
        Column(
            "change_ids",
            ColumnType.ID_LIST,
            False,
            "Ids of the changes (commits, merge requests) this deployment shipped, separated by ';'.",
            (
                "changes",
                "commit_ids",
                "commits",
                "shas",
                "commit_shas",
                "change_id",
                "commit_sha",
                "sha",
                "merge_requests",
            ),
        ),
        Column(
            "first_commit_at",
            ColumnType.TIMESTAMP,
            False,
            "Commit time of the oldest change shipped, when the changes are not listed one by one.",
            ("first_commit_time", "oldest_commit_at", "commit_time", "committed_at"),
        ),
        _TEAM,
    ),
    Kind.CHANGES: (
        Column(
            "id",
            ColumnType.ID,
            True,
            "Unique id of the change (commit sha, merge request id).",
            ("change_id", "commit_id", "sha", "commit_sha", "hash", "merge_request_id"),
        ),
        Column(
            "committed_at",
            ColumnType.TIMESTAMP,
            True,
            "When the change was committed.",
            ("commit_time", "commit_date", "authored_at", "created_at", "time_created", "timestamp"),
        ),
        _TEAM,
    ),
    Kind.INCIDENTS: (
        Column(
            "id",
            ColumnType.ID,
            True,
            "Unique id of the incident within the team.",
            ("incident_id", "incident_number", "number", "key", "issue_key", "ticket"),
        ),
        Column(
            "service",
            ColumnType.TEXT,
            True,
            "The service that failed (used to attribute the incident).",
            ("service_name", "application", "app", "component", "affected_service"),
        ),
        Column(
            "started_at",
            ColumnType.TIMESTAMP,
            True,
            "When the failure started (or was detected).",
            ("start_time", "created_at", "opened_at", "triggered_at", "detected_at", "time_created"),
        ),
        Column(
            "resolved_at",
            ColumnType.TIMESTAMP,
            False,
            "When service was restored; empty while the incident is open.",
            (
                "resolve_time",
                "resolved",
                "resolved_on",
                "resolution_time",
                "closed_at",
                "closed_on",
                "ended_at",
                "end_time",
                "restored_at",
                "time_resolved",
            ),
        ),
        Column(
            "deployment_id",
            ColumnType.ID,
            False,
            "The deployment that caused it, when known.",
            ("deploy_id", "caused_by_deployment", "caused_by_deploy", "causing_deployment", "release_id"),
        ),
        Column(
            "change_id",
            ColumnType.ID,
            False,
            "The change that caused it, when known.",
            ("commit_id", "caused_by_change", "caused_by_commit", "sha", "commit_sha"),
        ),
        _TEAM,
    ),
}


def columns(kind: Kind) -> tuple[Column, ...]:
    return FORMATS[kind]


def required_names(kind: Kind) -> list[str]:
    return [c.name for c in FORMATS[kind] if c.required]


def parse_kind(text: str) -> Kind:
    """The Kind named by `text`, or ValueError listing the kinds."""
    try:
        return Kind(text.strip().lower())
    except ValueError:
        raise ValueError(
            f"unknown kind of DORA file {text!r}: expected one of {', '.join(k.value for k in Kind)}"
        ) from None
