"""Presets: the column mappings of common tools' exports, shipped with the product.

A preset is an ordinary mapping (`mapping.py`: column names and settings per kind of
file) with a name, so `--preset gitlab` and the page's choice go through the same
resolve and parse as a mapping file. Each one follows the tool's documented export
fields (the `sources`); tests/dora/fixtures/presets/ holds a made-up export of each in
that shape. `detect` names the preset whose signature headers a file has, when only one
does.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessment.dora.formats import Kind
from assessment.dora.ingest.mapping import (
    DURATION_KEY,
    PRESET_KEY,
    PRODUCTION_KEY,
    SUCCESS_KEY,
    KindMapping,
    Mapping,
    normalise_header,
)


@dataclass(frozen=True)
class Preset:
    """One tool's exports: the mapping per kind of file, the headers that identify each, and where they come from."""

    name: str
    title: str
    columns: dict[Kind, KindMapping]
    signatures: dict[Kind, frozenset[str]]
    sources: tuple[str, ...]
    needs_service: bool  # the export names no service: the importer gives it (--service)

    def mapping(self) -> Mapping:
        """The preset as a mapping, each kind marked with the preset's name."""
        return {kind: {**columns, PRESET_KEY: self.name} for kind, columns in self.columns.items()}


GITHUB = Preset(
    "github",
    "GitHub deployments and commits (REST API JSON)",
    {
        Kind.DEPLOYMENTS: {
            "id": "id",
            "deployed_at": "created_at",
            "status": "latest_status.state",  # the list holds no state: add each one's latest status (docs/DORA.md)
            "environment": "environment",
            "change_ids": "sha",
            SUCCESS_KEY: "success, inactive",  # inactive: a successful deployment a later one replaced
            PRODUCTION_KEY: "production, prod",
        },
        Kind.CHANGES: {"id": "sha", "committed_at": "commit.committer.date"},
    },
    {
        Kind.DEPLOYMENTS: frozenset({"id", "sha", "environment", "created_at", "statuses_url"}),
        Kind.CHANGES: frozenset({"sha", "commit.committer.date"}),
    },
    (
        "https://docs.github.com/en/rest/deployments/deployments#list-deployments",
        "https://docs.github.com/en/rest/deployments/statuses#list-deployment-statuses",
        "https://docs.github.com/en/rest/commits/commits#list-commits",
    ),
    needs_service=True,
)

GITLAB = Preset(
    "gitlab",
    "GitLab deployments (REST API JSON)",
    {
        Kind.DEPLOYMENTS: {
            "id": "iid",
            "deployed_at": "deployable.finished_at",
            "status": "status",
            "environment": "environment.name",
            "first_commit_at": "deployable.commit.created_at",  # the deployed commit: the export names no older one
            SUCCESS_KEY: "success",
            PRODUCTION_KEY: "production, prod",
        },
    },
    {Kind.DEPLOYMENTS: frozenset({"iid", "sha", "status", "environment.name", "deployable.finished_at"})},
    ("https://docs.gitlab.com/api/deployments/#list-project-deployments",),
    needs_service=True,
)

PAGERDUTY = Preset(
    "pagerduty",
    "PagerDuty incidents (CSV export)",
    {
        Kind.INCIDENTS: {
            "id": "incident_number",
            "service": "service_name",
            "started_at": "created_at",
            "resolved_at": "resolved_at",
        },
    },
    {Kind.INCIDENTS: frozenset({"incident_number", "service_name", "created_at", "escalation_policy_name"})},
    ("https://developer.pagerduty.com/api-reference/c2d493e995071-get-raw-data-multiple-incidents",),
    needs_service=False,
)

OPSGENIE = Preset(
    "opsgenie",
    "Opsgenie alerts (REST API JSON)",
    {
        Kind.INCIDENTS: {"id": "tinyId", "started_at": "createdAt", DURATION_KEY: "report.closeTime"},
    },
    {Kind.INCIDENTS: frozenset({"tinyId", "createdAt", "status", "report.closeTime"})},
    ("https://docs.opsgenie.com/docs/alert-api#list-alerts",),
    needs_service=True,
)

PRESETS: dict[str, Preset] = {p.name: p for p in (GITHUB, GITLAB, PAGERDUTY, OPSGENIE)}


def preset(name: str) -> Preset:
    """The preset of this name (any case), or ValueError listing the presets."""
    found = PRESETS.get(name.strip().lower())
    if found is None:
        raise ValueError(f"unknown preset {name!r}: use one of {', '.join(PRESETS)}")
    return found


def detect(kind: Kind, headers: list[str]) -> str | None:
    """The one preset whose signature headers this file has (compared as mapping headers are), else None."""
    have = {normalise_header(h) for h in headers}
    found = [
        p.name
        for p in PRESETS.values()
        if kind in p.signatures and {normalise_header(h) for h in p.signatures[kind]} <= have
    ]
    return found[0] if len(found) == 1 else None
