"""The organisation document (format version 2) as pydantic models, and the tables that travel as rows.

The one place that says what a document may hold: export writes it, check and load read it.
A DORA table's model is built from its table definition, so a column added by a migration
travels without a change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    create_model,
)

from assessment.core.db import table_of
from assessment.core.emails import MAX_EMAIL
from assessment.core.names import MAX_NAME, ImportedName, valid_name
from assessment.core.types import UTCDateTime
from assessment.interchange.assessment_json import ExportedAnswer, ExportedBank, ExportedEvent
from assessment.models.dora import (
    DoraChange,
    DoraDeployment,
    DoraFigures,
    DoraFinding,
    DoraImport,
    DoraIncident,
    DoraSavedMapping,
)
from assessment.workshops.participants import MAX_DISPLAY_NAME

ORG_FORMAT = "foundations.organisation"
BUNDLE_VERSION = 2

# --- tables that travel as columns and rows ----------------------------------------------------------------


@dataclass(frozen=True)
class RowsSpec:
    """One table as columns and rows: `parent` is implied by where the rows sit in the document, and each
    `links` column (a foreign key) is written as a position in another list of the document."""

    table: sa.Table
    parent: str
    links: tuple[tuple[str, str], ...] = ()  # (column, name in the document)

    @property
    def data_columns(self) -> list[sa.Column[Any]]:
        skip = {"id", self.parent, *(c for c, _ in self.links)}
        return [c for c in self.table.columns if c.name not in skip]

    @property
    def names(self) -> tuple[str, ...]:
        return (*(name for _, name in self.links), *(c.name for c in self.data_columns))


DORA_IMPORTS = RowsSpec(table_of(DoraImport), "organisation_id")
DORA_MAPPINGS = RowsSpec(table_of(DoraSavedMapping), "organisation_id")
DORA_FINDINGS = RowsSpec(table_of(DoraFinding), "assessment_id")
_IMPORT_LINK = (("import_id", "import"),)
TEAM_DORA: dict[str, RowsSpec] = {
    "deployments": RowsSpec(table_of(DoraDeployment), "team_id", _IMPORT_LINK),
    "changes": RowsSpec(table_of(DoraChange), "team_id", _IMPORT_LINK),
    "incidents": RowsSpec(table_of(DoraIncident), "team_id", _IMPORT_LINK),
    "figures": RowsSpec(table_of(DoraFigures), "team_id"),
}

EXPORTED_TABLES = frozenset(
    {
        "organisation",
        "team",
        "bank_version",
        "assessment",
        "answer",
        "answer_event",
        "membership",
        "workshop",
        "workshop_team",
        "participant",
        "participant_answer",
        "workshop_decision",
        DORA_IMPORTS.table.name,
        DORA_MAPPINGS.table.name,
        DORA_FINDINGS.table.name,
        *(spec.table.name for spec in TEAM_DORA.values()),
    }
)
DERIVED_TABLES = frozenset({"assessment_score", "foundation_score", "end_state_readiness"})
LEFT_OUT_TABLES = frozenset({"audit_event", "sign_in_identity", "organisation_brand", "published_bank"})
"""Every table is in exactly one of these three sets; a test fails when a new table is in none. The audit log and
the sign-in bindings belong to the install, not to an organisation: an import binds nobody to an account. The
report branding stays with the install that set it: it is how one consultancy presents its work. So do the banks an
owner published (the bank of every exported round travels with it, in `bank_version`): publish them again to offer
them for new rounds on the other install."""


NAME_COLUMNS = frozenset({"name", "created_by", "entered_by"})
"""Columns of the tables that travel as rows which hold a name or an author: checked as the app checks them."""


def _cell_type(column: sa.Column[Any]) -> Any:
    """The pydantic type of one stored cell, from the column's SQL type (strict: "5" is not 5)."""
    kind = column.type
    if isinstance(kind, sa.types.TypeDecorator) and not isinstance(kind, UTCDateTime):
        kind = kind.impl_instance  # SQLModel's AutoString is a String underneath
    base: Any
    if isinstance(kind, UTCDateTime):
        base = AwareDatetime
    elif isinstance(kind, sa.Boolean):
        base = StrictBool
    elif isinstance(kind, sa.Integer):
        base = StrictInt
    elif isinstance(kind, sa.Float):
        base = float
    elif isinstance(kind, sa.String) and column.name in NAME_COLUMNS:
        base = Annotated[StrictStr, valid_name(kind.length or MAX_NAME)]
    elif isinstance(kind, sa.String):
        base = Annotated[StrictStr, StringConstraints(max_length=kind.length)] if kind.length else StrictStr
    elif isinstance(kind, sa.Date):
        base = date
    else:  # a type added by a later migration: its Python type, so the module still loads and validates
        try:
            base = kind.python_type
        except NotImplementedError:
            base = Any
    return base | None if column.nullable else base


def _rows_model(spec: RowsSpec) -> type[BaseModel]:
    """`{"columns": [...exact names...], "rows": [[...], ...]}` for one table, typed cell by cell."""
    cells = (
        *(Annotated[StrictInt, Field(ge=0)] for _ in spec.links),
        *(_cell_type(c) for c in spec.data_columns),
    )
    row: Any = tuple.__class_getitem__(cells)
    columns: Any = tuple.__class_getitem__(tuple(Literal[name] for name in spec.names))
    model: type[BaseModel] = create_model(
        f"Rows_{spec.table.name}",
        __config__=ConfigDict(extra="forbid"),
        columns=(columns, ...),
        rows=(list[row], ...),
    )
    return model


ImportRows = _rows_model(DORA_IMPORTS)
MappingRows = _rows_model(DORA_MAPPINGS)
FindingRows = _rows_model(DORA_FINDINGS)
TeamDora = create_model(  # type: ignore[call-overload]  # fields given as a dict, typed only at run time
    "TeamDora",
    __config__=ConfigDict(extra="forbid"),
    **{key: (_rows_model(spec) | None, None) for key, spec in TEAM_DORA.items()},
)


# --- the document -----------------------------------------------------------------------------------------

Name = Annotated[ImportedName, StringConstraints(min_length=1)]
DisplayName = Annotated[StrictStr, StringConstraints(min_length=1), valid_name(MAX_DISPLAY_NAME)]
Short = ImportedName
Digest = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Key = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Given = Literal["answered", "dont_know", "not_applicable"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BankRef(_Model):
    id: str
    version: str


class BundleRound(_Model):
    round_number: int = Field(ge=1)
    label: Short | None = None
    status: Literal["in_progress", "completed"]
    created_by: Short = ""
    created_at: AwareDatetime
    completed_at: AwareDatetime | None = None
    bank: BankRef
    answers: list[ExportedAnswer]
    history: list[ExportedEvent]
    dora_findings: FindingRows | None = None  # type: ignore[valid-type]  # a model create_model() made at import time


class BundleTeam(_Model):
    name: Name
    created_at: AwareDatetime
    rounds: list[BundleRound]
    dora: TeamDora = Field(default_factory=TeamDora)  # type: ignore[valid-type]  # a model create_model() made at import time


class OrganisationDora(_Model):
    imports: ImportRows | None = None  # type: ignore[valid-type]  # a model create_model() made at import time
    saved_mappings: MappingRows | None = None  # type: ignore[valid-type]  # a model create_model() made at import time


class BundleMember(_Model):
    email: Annotated[str, StringConstraints(min_length=3, max_length=MAX_EMAIL)]
    role: Literal["owner", "facilitator", "member", "viewer"]
    granted_by: Annotated[StrictStr, valid_name(MAX_EMAIL)] = ""
    granted_at: AwareDatetime


class BundleParticipantAnswer(_Model):
    question_key: Key
    status: Given
    value: int | float | bool | str | None = None
    reason: str | None = None
    note: str | None = None
    answered_at: AwareDatetime
    version: int = Field(ge=1)


class BundleParticipant(_Model):
    display_name: DisplayName
    token_sha256: Digest
    joined_at: AwareDatetime
    finished_at: AwareDatetime | None = None
    answers: list[BundleParticipantAnswer]


class BundleDecision(_Model):
    question_key: Key
    status: Given
    value: int | float | bool | str | None = None
    reason: str | None = None
    note: str | None = None
    answer_version: int = Field(ge=1)
    decided_by: Short = ""
    decided_at: AwareDatetime
    participants_answered: int = Field(ge=0)
    distribution: list[tuple[str, int]]


class BundleWorkshopTeam(_Model):
    team: Name
    round_number: int = Field(ge=1)
    participants: list[BundleParticipant]
    decisions: list[BundleDecision]


class BundleWorkshop(_Model):
    title: Name
    join_code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{4,16}$")]
    facilitator_key_sha256: Digest
    facilitator: Short = ""
    status: Literal["open", "closed"]
    created_at: AwareDatetime
    expires_at: AwareDatetime
    closed_at: AwareDatetime | None = None
    teams: list[BundleWorkshopTeam]


class Bundle(_Model):
    format: Literal["foundations.organisation"]
    format_version: Literal[2]
    organisation: Name
    created_at: AwareDatetime
    exported_at: AwareDatetime
    banks: list[ExportedBank]
    teams: list[BundleTeam]
    dora: OrganisationDora
    memberships: list[BundleMember] | None = Field(
        description="None when the exporter may not see the members (only owners manage them)."
    )
    workshops: list[BundleWorkshop] | None = Field(
        description="None when the exporter is not an owner: participants' individual answers are shown only "
        "to the holder of a workshop's facilitator key, so only owners take them out of the install."
    )
