"""An organisation as one JSON document, and its import into another database (format version 2).

`foundations export --org NAME --format json` writes everything the organisation
owns: its teams, every round (answers, history, carried-over flags, the bank
snapshots they were answered against), the DORA data (imports, deployments,
changes, incidents, typed figures, saved column mappings, stored cross-check
findings), and, when an owner exports, the workshops (teams, participants, their
individual answers, the agreed-answer decisions) and the memberships; for anyone
else both are null, since individual answers are otherwise seen only with a
workshop's facilitator key. `foundations import FILE` puts it
into a database that does not have the organisation yet, in one transaction:
export -> import -> export gives the same document but for `exported_at`.

Database ids never appear: a round is found by its team's name and round
number, a DORA row's import by its position in `dora.imports`. Every list is
written in the source's id order and imported in document order, so the order
survives the trip.

Left out on purpose:
- stored scores (`assessment_score`, `foundation_score`, `end_state_readiness`):
  derived from the answers, recomputed by the import;
- the audit log: it is this install's record of who did what here; an import
  that could write it would let a file invent history. The import adds one
  audit row of its own.

Workshop secrets: keys and tokens are never stored, only their SHA-256 digests,
and the document carries those digests, nothing more. A digest of 256 random
bits cannot be turned back into a key or token, so a leaked document opens no
workshop; a moved install keeps working links for people who hold them. The
join code is stored in clear (people read it off a slide) and travels as it is:
the document is as sensitive as the database it came from. An import whose join
code or token digest is already in use is refused: one secret must never open
two workshops.

DORA tables travel as `{"columns": [...], "rows": [[...], ...]}`, their columns
read from the table definitions, so a column added by a migration is exported
without a change here; they are read with one Core query per table and written
with one executemany (SQLite) or COPY (PostgreSQL) per table, never row by row
through the ORM.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
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
    ValidationError,
    create_model,
)
from pydantic_core import to_jsonable_python
from sqlmodel import Session, col, select

from assessment.access import policy as access
from assessment.access.policy import DONE, NOBODY, Action, authorize_in, may
from assessment.assessments.bulk import organisation_named
from assessment.assessments.lookup import bank_of
from assessment.assessments.repository import store_bank
from assessment.assessments.scores import write_scores
from assessment.bank.answers import AnswerStatus, AnswerValue, check_answer
from assessment.bank.loader import bank_content_hash, format_path
from assessment.bank.model import Bank
from assessment.core.emails import MAX_EMAIL, clean_email
from assessment.core.errors import FoundationsError, InvalidAnswerError
from assessment.dora.ingest.mapping import parse_mapping
from assessment.dora.ingest.problems import DoraImportError
from assessment.interchange.assessment_json import (
    ExportedAnswer,
    ExportedBank,
    ExportedEvent,
    answer_rows,
    checked_answers,
    event_rows,
    validation_problems,
)
from assessment.models.access import AuditEvent, Membership
from assessment.models.assessments import (
    Answer,
    AnswerEvent,
    Assessment,
    BankVersion,
    Organisation,
    Team,
    UTCDateTime,
    utcnow,
)
from assessment.models.dora import (
    DoraChange,
    DoraDeployment,
    DoraFigures,
    DoraFinding,
    DoraImport,
    DoraIncident,
    DoraSavedMapping,
)
from assessment.models.workshops import (
    Participant,
    ParticipantAnswer,
    Workshop,
    WorkshopDecision,
    WorkshopTeam,
)
from assessment.organisations.directory import clean_name, find_organisation
from assessment.scoring.engine import score_assessment

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


def _table(model: Any) -> sa.Table:
    table: sa.Table = model.__table__
    return table


DORA_IMPORTS = RowsSpec(_table(DoraImport), "organisation_id")
DORA_MAPPINGS = RowsSpec(_table(DoraSavedMapping), "organisation_id")
DORA_FINDINGS = RowsSpec(_table(DoraFinding), "assessment_id")
_IMPORT_LINK = (("import_id", "import"),)
TEAM_DORA: dict[str, RowsSpec] = {
    "deployments": RowsSpec(_table(DoraDeployment), "team_id", _IMPORT_LINK),
    "changes": RowsSpec(_table(DoraChange), "team_id", _IMPORT_LINK),
    "incidents": RowsSpec(_table(DoraIncident), "team_id", _IMPORT_LINK),
    "figures": RowsSpec(_table(DoraFigures), "team_id"),
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
LEFT_OUT_TABLES = frozenset({"audit_event"})
"""Every table is in exactly one of these three sets; a test fails when a new table is in none."""


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
    model: type[BaseModel] = create_model(  # type: ignore[call-overload]
        f"Rows_{spec.table.name}",
        __config__=ConfigDict(extra="forbid"),
        columns=(columns, ...),
        rows=(list[row], ...),
    )
    return model


ImportRows = _rows_model(DORA_IMPORTS)
MappingRows = _rows_model(DORA_MAPPINGS)
FindingRows = _rows_model(DORA_FINDINGS)
TeamDora = create_model(  # type: ignore[call-overload]
    "TeamDora",
    __config__=ConfigDict(extra="forbid"),
    **{key: (_rows_model(spec) | None, None) for key, spec in TEAM_DORA.items()},
)


# --- the document -----------------------------------------------------------------------------------------

Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Short = Annotated[str, StringConstraints(max_length=200)]
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
    dora_findings: FindingRows | None = None  # type: ignore[valid-type]


class BundleTeam(_Model):
    name: Name
    created_at: AwareDatetime
    rounds: list[BundleRound]
    dora: TeamDora = Field(default_factory=TeamDora)  # type: ignore[valid-type]


class OrganisationDora(_Model):
    imports: ImportRows | None = None  # type: ignore[valid-type]
    saved_mappings: MappingRows | None = None  # type: ignore[valid-type]


class BundleMember(_Model):
    email: Annotated[str, StringConstraints(min_length=3, max_length=MAX_EMAIL)]
    role: Literal["owner", "facilitator", "member", "viewer"]
    granted_by: Annotated[str, StringConstraints(max_length=MAX_EMAIL)] = ""
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
    display_name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
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


# --- export -------------------------------------------------------------------------------------------------


def organisation_json(session: Session, *, organisation: str) -> dict[str, Any]:
    """Everything of the organisation as JSON-ready data (see the module docstring)."""
    org = organisation_named(session, organisation)
    org_id = org.id or 0
    authorize_in(session, None, Action.EXPORT, access.organisation(org_id))
    teams = list(session.exec(select(Team).where(Team.organisation_id == org_id).order_by(col(Team.id))))
    team_names = {t.id: t.name for t in teams}
    rounds = list(
        session.exec(
            select(Assessment, BankVersion)
            .join(BankVersion, col(BankVersion.id) == Assessment.bank_version_id)
            .join(Team, col(Team.id) == Assessment.team_id)
            .where(Team.organisation_id == org_id)
            .order_by(col(Assessment.team_id), col(Assessment.round_number))
        )
    )
    round_keys = {a.id: (team_names[a.team_id], a.round_number) for a, _ in rounds}
    imports = _read_rows(session, DORA_IMPORTS, DORA_IMPORTS.table.c.organisation_id == org_id)
    import_position = {row_id: n for n, (row_id, _parent, _cells) in enumerate(imports)}
    round_data = _rounds_of(session, org_id, rounds)
    team_dora = _team_dora(session, org_id, import_position)
    owner = may(session, None, Action.MANAGE_MEMBERS, org_id)  # members and individual answers: owners only
    doc = {
        "format": ORG_FORMAT,
        "format_version": BUNDLE_VERSION,
        "organisation": org.name,
        "created_at": org.created_at,
        "exported_at": utcnow(),
        "banks": _banks(rounds),
        "teams": [
            {
                "name": t.name,
                "created_at": t.created_at,
                "rounds": round_data.get(t.id or 0, []),
                "dora": team_dora.get(t.id or 0, {}),
            }
            for t in sorted(teams, key=lambda t: t.name)
        ],
        "dora": _some(
            {
                "imports": _block(DORA_IMPORTS, imports),
                "saved_mappings": _block(
                    DORA_MAPPINGS,
                    _read_rows(session, DORA_MAPPINGS, DORA_MAPPINGS.table.c.organisation_id == org_id),
                ),
            }
        ),
        "memberships": _memberships(session, org_id) if owner else None,
        "workshops": _workshops(session, org_id, round_keys) if owner else None,
    }
    jsonable: dict[str, Any] = to_jsonable_python(doc)
    return jsonable


def _some(blocks: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in blocks.items() if v is not None}


def _banks(rounds: Sequence[tuple[Assessment, BankVersion]]) -> list[dict[str, Any]]:
    versions = {v.id: v for _, v in rounds}
    return [
        {
            "id": v.bank_id,
            "version": v.version,
            "content_hash": v.content_hash,
            "content": bank_of(v).model_dump(mode="json"),
        }
        for v in sorted(versions.values(), key=lambda v: (v.bank_id, v.version))
    ]


def _value(value_json: str | None) -> Any:
    return json.loads(value_json) if value_json is not None else None


def _org_rows(model: Any, org_id: int) -> Any:
    """The table's rows of the organisation's rounds as plain rows (no ORM objects: thousands of them), by id."""
    table = _table(model)
    return (
        sa.select(*table.c)
        .join(Assessment, col(Assessment.id) == table.c.assessment_id)
        .join(Team, col(Team.id) == Assessment.team_id)
        .where(col(Team.organisation_id) == org_id)
        .order_by(table.c.id)
    )


def _rounds_of(
    session: Session, org_id: int, rounds: Sequence[tuple[Assessment, BankVersion]]
) -> dict[int, list[dict[str, Any]]]:
    """Per team id, its rounds with answers, history and stored findings (four queries in all)."""
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in session.execute(_org_rows(Answer, org_id)):
        answers[a.assessment_id].append(
            {
                "question_key": a.question_key,
                "status": a.status,
                "value": _value(a.value_json),
                "reason": a.reason,
                "note": a.note,
                "evidence_url": a.evidence_url,
                "evidence_date": a.evidence_date,
                "answered_by": a.answered_by,
                "answered_at": a.answered_at,
                "version": a.version,
                "carried_over": a.carried_over,
            }
        )
    history: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in session.execute(_org_rows(AnswerEvent, org_id)):
        history[e.assessment_id].append(
            {
                "question_key": e.question_key,
                "status": e.status,
                "value": _value(e.value_json),
                "reason": e.reason,
                "note": e.note,
                "evidence_url": e.evidence_url,
                "evidence_date": e.evidence_date,
                "answered_by": e.answered_by,
                "recorded_at": e.recorded_at,
            }
        )
    findings: dict[int, list[tuple[int, int, list[Any]]]] = defaultdict(list)
    finding_table = DORA_FINDINGS.table
    for row in _read_rows(
        session,
        DORA_FINDINGS,
        finding_table.c.assessment_id.in_(
            sa.select(Assessment.id)
            .join(Team, col(Team.id) == Assessment.team_id)  # type: ignore[call-overload]
            .where(Team.organisation_id == org_id)
        ),
    ):
        findings[row[1]].append(row)
    by_team: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r, version in rounds:
        by_team[r.team_id].append(
            {
                "round_number": r.round_number,
                "label": r.label,
                "status": r.status,
                "created_by": r.created_by,
                "created_at": r.created_at,
                "completed_at": r.completed_at,
                "bank": {"id": version.bank_id, "version": version.version},
                "answers": answers[r.id or 0],
                "history": history[r.id or 0],
                **_some({"dora_findings": _block(DORA_FINDINGS, findings[r.id or 0])}),
            }
        )
    return by_team


def _read_rows(session: Session, spec: RowsSpec, where: Any) -> list[tuple[int, int, list[Any]]]:
    """(id, parent id, cells in document order) of the table's rows matching `where`, in id order."""
    t = spec.table
    query = sa.select(t.c.id, t.c[spec.parent], *(t.c[c] for c, _ in spec.links), *spec.data_columns)
    return [(row[0], row[1], list(row[2:])) for row in session.execute(query.where(where).order_by(t.c.id))]


def _block(spec: RowsSpec, rows: Iterable[tuple[int, int, list[Any]]]) -> dict[str, Any] | None:
    cells = [r[2] for r in rows]
    return {"columns": list(spec.names), "rows": cells} if cells else None


def _team_dora(session: Session, org_id: int, import_position: dict[int, int]) -> dict[int, dict[str, Any]]:
    """Per team id, its DORA tables; an import id becomes its position in `dora.imports`."""
    result: dict[int, dict[str, Any]] = defaultdict(dict)
    teams = sa.select(Team.id).where(Team.organisation_id == org_id)  # type: ignore[call-overload]
    for key, spec in TEAM_DORA.items():
        per_team: dict[int, list[tuple[int, int, list[Any]]]] = defaultdict(list)
        for row_id, team_id, cells in _read_rows(session, spec, spec.table.c.team_id.in_(teams)):
            for n, _ in enumerate(spec.links):
                cells[n] = import_position[cells[n]]
            per_team[team_id].append((row_id, team_id, cells))
        for team_id, rows in per_team.items():
            result[team_id][key] = _block(spec, rows)
    return result


def _memberships(session: Session, org_id: int) -> list[dict[str, Any]]:
    rows = session.exec(select(Membership).where(Membership.organisation_id == org_id).order_by(col(Membership.id)))
    return [{"email": m.email, "role": m.role, "granted_by": m.granted_by, "granted_at": m.granted_at} for m in rows]


def _workshops(session: Session, org_id: int, round_keys: dict[int | None, tuple[str, int]]) -> list[dict[str, Any]]:
    """Workshops with their teams, participants (digests only), individual answers and decisions."""
    workshops = list(
        session.exec(select(Workshop).where(Workshop.organisation_id == org_id).order_by(col(Workshop.id)))
    )
    ids = [w.id for w in workshops]
    teams = list(
        session.exec(select(WorkshopTeam).where(col(WorkshopTeam.workshop_id).in_(ids)).order_by(col(WorkshopTeam.id)))
    )
    team_ids = [t.id for t in teams]
    participants = list(
        session.exec(
            select(Participant).where(col(Participant.workshop_team_id).in_(team_ids)).order_by(col(Participant.id))
        )
    )
    given: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in session.exec(
        select(ParticipantAnswer)
        .where(col(ParticipantAnswer.participant_id).in_([p.id for p in participants]))
        .order_by(col(ParticipantAnswer.id))
    ):
        given[a.participant_id].append(
            {
                "question_key": a.question_key,
                "status": a.status,
                "value": _value(a.value_json),
                "reason": a.reason,
                "note": a.note,
                "answered_at": a.answered_at,
                "version": a.version,
            }
        )
    people: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for p in participants:
        people[p.workshop_team_id].append(
            {
                "display_name": p.display_name,
                "token_sha256": p.token_hash,
                "joined_at": p.joined_at,
                "finished_at": p.finished_at,
                "answers": given[p.id or 0],
            }
        )
    decided: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for d in session.exec(
        select(WorkshopDecision)
        .where(col(WorkshopDecision.workshop_team_id).in_(team_ids))
        .order_by(col(WorkshopDecision.id))
    ):
        decided[d.workshop_team_id].append(
            {
                "question_key": d.question_key,
                "status": d.status,
                "value": _value(d.value_json),
                "reason": d.reason,
                "note": d.note,
                "answer_version": d.answer_version,
                "decided_by": d.decided_by,
                "decided_at": d.decided_at,
                "participants_answered": d.participants_answered,
                "distribution": json.loads(d.distribution_json),
            }
        )
    by_workshop: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for t in teams:
        team, round_number = round_keys[t.assessment_id]
        by_workshop[t.workshop_id].append(
            {
                "team": team,
                "round_number": round_number,
                "participants": people[t.id or 0],
                "decisions": decided[t.id or 0],
            }
        )
    return [
        {
            "title": w.title,
            "join_code": w.join_code,
            "facilitator_key_sha256": w.facilitator_key_hash,
            "facilitator": w.facilitator,
            "status": w.status,
            "created_at": w.created_at,
            "expires_at": w.expires_at,
            "closed_at": w.closed_at,
            "teams": by_workshop[w.id or 0],
        }
        for w in workshops
    ]


def bundle_text(doc: dict[str, Any]) -> str:
    """The document as indented JSON, but a table's columns and each of its rows on one line.

    100,000 DORA rows stay 100,000 lines, instead of a million lines of one value each.
    """
    tables: list[dict[str, Any]] = []
    nonce = secrets.token_hex(8)  # so no text in the document can pass for a placeholder

    def mark(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"columns", "rows"}:
                tables.append(node)
                return f"\0{nonce}:{len(tables) - 1}\0"
            return {k: mark(v) for k, v in node.items()}
        if isinstance(node, list):
            return [mark(v) for v in node]
        return node

    text = json.dumps(mark(doc), indent=2, ensure_ascii=False)
    parts = text.split(f'"\\u0000{nonce}:')
    out = [parts[0]]
    for part in parts[1:]:
        number, rest = part.split('\\u0000"', 1)
        line = out[-1][out[-1].rfind("\n") + 1 :]
        pad = " " * (len(line) - len(line.lstrip()) + 2)
        table = tables[int(number)]
        rows = (",\n" + pad + "  ").join(json.dumps(r, ensure_ascii=False) for r in table["rows"])
        out.append(
            "{\n"
            + pad
            + '"columns": '
            + json.dumps(table["columns"], ensure_ascii=False)
            + ",\n"
            + pad
            + '"rows": '
            + (f"[\n{pad}  {rows}\n{pad}]" if rows else "[]")
            + "\n"
            + pad[:-2]
            + "}"
        )
        out.append(rest)
    return "".join(out) + "\n"


# --- reading a document -----------------------------------------------------------------------------------


def parse_bundle(data: Any, source: str) -> Bundle:
    """Validate a version-2 document, naming the JSON path of the first problems; checks what pydantic cannot."""
    try:
        doc = Bundle.model_validate(data)
    except ValidationError as exc:
        raise FoundationsError(
            f"{source}: not a Foundations organisation export: {validation_problems(exc, 5)}"
        ) from None
    return doc


@dataclass
class Checked:
    """What checking a document yields besides its validity: banks and the checked answer values."""

    banks: dict[tuple[str, str], Bank]
    answers: dict[tuple[int, int], list[AnswerValue]]  # (team index, round index)
    given: dict[tuple[int, int, int], list[AnswerValue]]  # (workshop, team, participant) -> answers


def check_bundle(doc: Bundle, source: str) -> Checked:
    """Everything about the document that needs no database: references, duplicates, answers against banks."""

    def fail(path: str, message: str) -> FoundationsError:
        return FoundationsError(f"{source}: {path}: {message}")

    banks = _checked_banks(doc, fail)
    answers: dict[tuple[int, int], list[AnswerValue]] = {}
    rounds: dict[tuple[str, int], Bank] = {}
    imports = len(doc.dora.imports.rows) if doc.dora.imports else 0
    seen_teams: set[str] = set()
    for i, team in enumerate(doc.teams):
        if clean_name("team", team.name) != team.name:
            raise fail(f"teams[{i}].name", "a team name has no leading or trailing spaces")
        if team.name in seen_teams:
            raise fail(f"teams[{i}].name", f"team {team.name!r} is listed twice")
        seen_teams.add(team.name)
        for j, r in enumerate(team.rounds):
            where = f"teams[{i}].rounds[{j}]"
            if (team.name, r.round_number) in rounds:
                raise fail(f"{where}.round_number", f"{team.name!r} has round {r.round_number} twice")
            bank = banks.get((r.bank.id, r.bank.version))
            if bank is None:
                raise fail(f"{where}.bank", f"bank {r.bank.id} {r.bank.version} is not in banks")
            rounds[(team.name, r.round_number)] = bank
            answers[(i, j)] = checked_answers(bank, r.answers, f"{source}: {where}")
            if r.dora_findings is not None:
                _unique(r.dora_findings.rows, DORA_FINDINGS, "rule", f"{where}.dora_findings", fail)
        for key, spec in TEAM_DORA.items():
            block = getattr(team.dora, key)
            if block is None:
                continue
            where = f"teams[{i}].dora.{key}"
            for n, row in enumerate(block.rows):
                if spec.links and row[0] >= imports:
                    raise fail(
                        f"{where}.rows[{n}][0]",
                        f"import {row[0]} is not in dora.imports ({imports} import(s))",
                    )
            if "external_id" in spec.names:
                _unique(block.rows, spec, "external_id", where, fail)
    if doc.dora.saved_mappings is not None:
        _check_mappings(doc.dora.saved_mappings, fail)
    _check_members(doc.memberships or [], fail)
    given = _check_workshops(doc, rounds, fail)
    return Checked(banks, answers, given)


def _checked_banks(doc: Bundle, fail: Any) -> dict[tuple[str, str], Bank]:
    banks: dict[tuple[str, str], Bank] = {}
    for i, exported in enumerate(doc.banks):
        try:
            bank = Bank.model_validate(exported.content)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise fail(f"banks[{i}].content.{format_path(first['loc'])}", first["msg"]) from None
        if (bank.id, bank.version) != (exported.id, exported.version) or bank_content_hash(
            bank
        ) != exported.content_hash:
            raise fail(f"banks[{i}]", "the bank snapshot does not match its id, version or hash")
        if (bank.id, bank.version) in banks:
            raise fail(f"banks[{i}]", f"bank {bank.id} {bank.version} is listed twice")
        banks[(bank.id, bank.version)] = bank
    return banks


def _unique(rows: list[Any], spec: RowsSpec, column: str, where: str, fail: Any) -> None:
    """The table's unique key within its parent: a repeated value is refused with its row."""
    index = spec.names.index(column)
    seen: set[Any] = set()
    for n, row in enumerate(rows):
        if row[index] in seen:
            raise fail(f"{where}.rows[{n}][{index}]", f"{column} {row[index]!r} appears twice")
        seen.add(row[index])


def _check_mappings(block: Any, fail: Any) -> None:
    _unique(block.rows, DORA_MAPPINGS, "name", "dora.saved_mappings", fail)
    content = DORA_MAPPINGS.names.index("content")
    for n, row in enumerate(block.rows):
        try:
            parse_mapping(row[content], "mapping")
        except DoraImportError as exc:
            raise fail(
                f"dora.saved_mappings.rows[{n}][{content}]",
                "; ".join((f"{p.column}: " if p.column else "") + p.message for p in exc.problems[:3]),
            ) from None


def _check_members(members: list[BundleMember], fail: Any) -> None:
    seen: set[str] = set()
    for i, m in enumerate(members):
        try:
            cleaned = clean_email(m.email)
        except FoundationsError as exc:
            raise fail(f"memberships[{i}].email", str(exc)) from None
        if cleaned != m.email:
            raise fail(f"memberships[{i}].email", f"expected the address in lower case without spaces: {cleaned!r}")
        if m.email in seen:
            raise fail(f"memberships[{i}].email", f"{m.email} is listed twice")
        seen.add(m.email)


def _check_workshops(
    doc: Bundle, rounds: dict[tuple[str, int], Bank], fail: Any
) -> dict[tuple[int, int, int], list[AnswerValue]]:
    codes: set[str] = set()
    tokens: set[str] = set()
    given: dict[tuple[int, int, int], list[AnswerValue]] = {}
    for w, workshop in enumerate(doc.workshops or []):
        if workshop.join_code in codes:
            raise fail(f"workshops[{w}].join_code", "two workshops have this join code")
        codes.add(workshop.join_code)
        teams: set[str] = set()
        for t, team in enumerate(workshop.teams):
            where = f"workshops[{w}].teams[{t}]"
            bank = rounds.get((team.team, team.round_number))
            if bank is None:
                raise fail(where, f"{team.team!r} has no round {team.round_number} in teams")
            if team.team in teams:
                raise fail(f"{where}.team", f"{team.team!r} takes part twice")
            teams.add(team.team)
            questions = bank.questions_by_key()
            for p, person in enumerate(team.participants):
                if person.token_sha256 in tokens:
                    raise fail(f"{where}.participants[{p}].token_sha256", "two participants have this token")
                tokens.add(person.token_sha256)
                given[(w, t, p)] = _checked_given(person.answers, questions, f"{where}.participants[{p}]", fail)
    return given


def _checked_given(
    answers: list[BundleParticipantAnswer], questions: dict[str, Any], where: str, fail: Any
) -> list[AnswerValue]:
    values: list[AnswerValue] = []
    seen: set[str] = set()
    for n, a in enumerate(answers):
        if a.question_key not in questions:
            raise fail(f"{where}.answers[{n}]", f"unknown question key {a.question_key!r}")
        if a.question_key in seen:
            raise fail(f"{where}.answers[{n}]", f"{a.question_key} is answered twice")
        seen.add(a.question_key)
        try:
            values.append(
                check_answer(questions[a.question_key], AnswerValue(AnswerStatus(a.status), a.value, a.reason, a.note))
            )
        except InvalidAnswerError as exc:
            raise fail(f"{where}.answers[{n}]", str(exc)) from None
    return values


# --- import ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    organisation: str
    teams: int
    rounds: int
    dora_rows: int
    workshops: int
    members: int | None

    def sentence(self, source: str) -> str:
        members = "" if self.members is None else f", {self.members} member(s)"
        return (
            f"imported {self.organisation!r} from {source}: {self.teams} team(s), {self.rounds} round(s), "
            f"{self.dora_rows:,} DORA row(s), {self.workshops} workshop(s){members}"
        )


def store_bundle(session: Session, *, doc: Bundle, source: str) -> Imported:
    """Create the organisation with everything in the document, in the caller's transaction; all or nothing.

    The organisation must not exist yet: merging two histories of one organisation
    has no single right answer, so the import refuses instead of guessing.
    """
    authorize_in(session, None, Action.CREATE_ORGANISATION, access.INSTALL)
    checked = check_bundle(doc, source)
    if find_organisation(session, name=doc.organisation) is not None:
        raise FoundationsError(
            f"{source}: an organisation named {doc.organisation!r} already exists in this "
            "database; nothing was imported (rename or remove it first)"
        )
    _refuse_taken_secrets(session, doc, source)
    try:
        return _store(session, doc, checked, source)
    except sa.exc.SQLAlchemyError as exc:  # a constraint the checks did not foresee: one line, nothing saved
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise FoundationsError(f"{source}: the database refused the import ({reason}); nothing was imported") from None


def _refuse_taken_secrets(session: Session, doc: Bundle, source: str) -> None:
    """A join code or token digest already in use here would let one secret open two workshops."""
    codes = {w.join_code: i for i, w in enumerate(doc.workshops or [])}
    taken = session.exec(select(Workshop.join_code).where(col(Workshop.join_code).in_(list(codes)))).first()
    if taken is not None:
        raise FoundationsError(
            f"{source}: workshops[{codes[taken]}].join_code: a workshop in this database "
            "already has this join code; nothing was imported"
        )
    digests = {
        p.token_sha256: f"workshops[{w}].teams[{t}].participants[{n}]"
        for w, workshop in enumerate(doc.workshops or [])
        for t, team in enumerate(workshop.teams)
        for n, p in enumerate(team.participants)
    }
    found = session.exec(select(Participant.token_hash).where(col(Participant.token_hash).in_(list(digests)))).first()
    if found is not None:
        raise FoundationsError(
            f"{source}: {digests[found]}.token_sha256: a participant in this database already "
            "has this token; nothing was imported"
        )


def _store(session: Session, doc: Bundle, checked: Checked, source: str) -> Imported:
    org = Organisation(name=doc.organisation, created_at=doc.created_at)
    session.add(org)
    session.flush()
    org_id = org.id or 0
    bank_ids: dict[tuple[str, str], int] = {}
    for i, (ref, bank) in enumerate(checked.banks.items()):
        try:
            bank_ids[ref] = store_bank(session, bank=bank).id or 0
        except FoundationsError as exc:
            raise FoundationsError(f"{source}: banks[{i}]: {exc}") from None
    teams = [Team(organisation_id=org_id, name=t.name, created_at=t.created_at) for t in doc.teams]
    session.add_all(teams)
    session.flush()
    team_ids = {t.name: t.id or 0 for t in teams}
    rounds = _store_rounds(session, doc, checked, team_ids, bank_ids)
    import_ids = _insert_imports(session, doc, org_id)
    if doc.dora.saved_mappings is not None:
        _insert_rows(session, DORA_MAPPINGS, [(org_id, cells) for cells in doc.dora.saved_mappings.rows])
    dora_rows = 0
    for key, spec in TEAM_DORA.items():
        rows = [
            (team_ids[t.name], _linked(cells, spec, import_ids))
            for t in doc.teams
            if (block := getattr(t.dora, key)) is not None
            for cells in block.rows
        ]
        _insert_rows(session, spec, rows)
        dora_rows += len(rows) if key != "figures" else 0
    if doc.memberships:
        session.execute(
            sa.insert(Membership),
            [
                {
                    "organisation_id": org_id,
                    "email": m.email,
                    "role": m.role,
                    "granted_by": m.granted_by,
                    "granted_at": m.granted_at,
                }
                for m in doc.memberships
            ],
        )
    _store_workshops(session, doc, checked, org_id, team_ids, rounds)
    actor = access.acting(None, session.get_bind())
    session.add(
        AuditEvent(
            actor=str(actor) if actor else NOBODY,
            action="import_organisation",
            outcome=DONE,
            organisation_id=org_id,
            target=f"organisation {org_id}",
            detail=f"imported {doc.organisation} from {source}",
        )
    )
    session.flush()
    return Imported(
        doc.organisation,
        len(doc.teams),
        len(rounds),
        dora_rows,
        len(doc.workshops or []),
        None if doc.memberships is None else len(doc.memberships),
    )


def _store_rounds(
    session: Session,
    doc: Bundle,
    checked: Checked,
    team_ids: dict[str, int],
    bank_ids: dict[tuple[str, str], int],
) -> dict[tuple[str, int], int]:
    """Every round, then every answer, event and finding of all of them: a few statements, not a few per round."""
    listed = [(i, j, team, r) for i, team in enumerate(doc.teams) for j, r in enumerate(team.rounds)]
    if not listed:
        return {}
    table = _table(Assessment)
    ids = (
        session.execute(
            sa.insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [
                {
                    "team_id": team_ids[team.name],
                    "bank_version_id": bank_ids[(r.bank.id, r.bank.version)],
                    "round_number": r.round_number,
                    "label": r.label,
                    "status": r.status,
                    "created_by": r.created_by,
                    "created_at": r.created_at,
                    "completed_at": r.completed_at,
                }
                for _i, _j, team, r in listed
            ],
        )
        .scalars()
        .all()
    )
    answers: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    findings: list[tuple[int, Sequence[Any]]] = []
    for (i, j, _team, r), assessment_id in zip(listed, ids, strict=True):
        answers += answer_rows(assessment_id, r.answers, checked.answers[(i, j)])
        events += event_rows(assessment_id, r.history)
        if r.dora_findings is not None:
            findings += [(assessment_id, cells) for cells in r.dora_findings.rows]
    _bulk_insert(session, _table(Answer), answers)
    _bulk_insert(session, _table(AnswerEvent), events)
    _insert_rows(session, DORA_FINDINGS, findings)
    # the stored scores, from the very values just written (reading 100,000 answers back costs seconds)
    write_scores(
        session,
        {
            assessment_id: (
                score_assessment(
                    checked.banks[(r.bank.id, r.bank.version)],
                    {a.question_key: v for a, v in zip(r.answers, checked.answers[(i, j)], strict=True)},
                ),
                sum(a.carried_over for a in r.answers),
            )
            for (i, j, _team, r), assessment_id in zip(listed, ids, strict=True)
        },
    )
    return {(team.name, r.round_number): assessment_id for (_i, _j, team, r), assessment_id in zip(listed, ids)}


def _linked(cells: Sequence[Any], spec: RowsSpec, import_ids: list[int]) -> list[Any]:
    """A row's cells with each link (a position in `dora.imports`) turned into the new import's id."""
    out = list(cells)
    for n, _ in enumerate(spec.links):
        out[n] = import_ids[out[n]]
    return out


def _insert_imports(session: Session, doc: Bundle, org_id: int) -> list[int]:
    """Insert `dora.imports` in order; return the new ids by position."""
    if doc.dora.imports is None or not doc.dora.imports.rows:
        return []
    table = DORA_IMPORTS.table
    ids: list[int] = []
    for cells in doc.dora.imports.rows:  # a handful per organisation; each id is needed
        values = dict(zip([c.name for c in DORA_IMPORTS.data_columns], cells, strict=True))
        ids.append(
            session.execute(
                sa.insert(table).values(organisation_id=org_id, **values).returning(table.c.id)
            ).scalar_one()
        )
    return ids


COPY_FROM_ROWS = 1000  # PostgreSQL: below this, an executemany is as quick as a COPY


def _insert_rows(session: Session, spec: RowsSpec, rows: Sequence[tuple[int, Sequence[Any]]]) -> None:
    """Insert (parent id, cells) rows of a column table, in order."""
    names = [spec.parent, *(c for c, _ in spec.links), *(c.name for c in spec.data_columns)]
    _bulk_insert(session, spec.table, [dict(zip(names, (parent, *cells), strict=True)) for parent, cells in rows])


def _bulk_insert(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows in order: COPY on PostgreSQL for large sets, else one executemany.

    COPY takes the values as they are (psycopg sends aware datetimes as timestamptz),
    so it is used only for rows built from validated documents.
    """
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql" and len(rows) >= COPY_FROM_ROWS:
        names = list(rows[0])
        cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[n] for n in names])
        finally:
            cursor.close()
        return
    session.execute(sa.insert(table), rows)


def _store_workshops(
    session: Session,
    doc: Bundle,
    checked: Checked,
    org_id: int,
    team_ids: dict[str, int],
    rounds: dict[tuple[str, int], int],
) -> None:
    for w, exported in enumerate(doc.workshops or []):
        workshop = Workshop(
            organisation_id=org_id,
            title=exported.title,
            join_code=exported.join_code,
            facilitator_key_hash=exported.facilitator_key_sha256,
            facilitator=exported.facilitator,
            status=exported.status,
            created_at=exported.created_at,
            expires_at=exported.expires_at,
            closed_at=exported.closed_at,
        )
        session.add(workshop)
        session.flush()
        for t, team in enumerate(exported.teams):
            wt = WorkshopTeam(
                workshop_id=workshop.id or 0,
                team_id=team_ids[team.team],
                assessment_id=rounds[(team.team, team.round_number)],
            )
            session.add(wt)
            session.flush()
            for p, person in enumerate(team.participants):
                participant = Participant(
                    workshop_id=workshop.id or 0,
                    workshop_team_id=wt.id or 0,
                    display_name=person.display_name,
                    token_hash=person.token_sha256,
                    joined_at=person.joined_at,
                    finished_at=person.finished_at,
                )
                session.add(participant)
                session.flush()
                if person.answers:
                    session.execute(
                        sa.insert(ParticipantAnswer),
                        [
                            {
                                "participant_id": participant.id,
                                "question_key": a.question_key,
                                "status": value.status.value,
                                "value_json": value.value_json(),
                                "reason": value.reason,
                                "note": value.note,
                                "answered_at": a.answered_at,
                                "version": a.version,
                            }
                            for a, value in zip(person.answers, checked.given[(w, t, p)], strict=True)
                        ],
                    )
            if team.decisions:
                session.execute(
                    sa.insert(WorkshopDecision),
                    [
                        {
                            "workshop_team_id": wt.id,
                            "question_key": d.question_key,
                            "status": d.status,
                            "value_json": None if d.value is None else json.dumps(d.value),
                            "reason": d.reason,
                            "note": d.note,
                            "answer_version": d.answer_version,
                            "decided_by": d.decided_by,
                            "decided_at": d.decided_at,
                            "participants_answered": d.participants_answered,
                            "distribution_json": json.dumps([list(pair) for pair in d.distribution]),
                        }
                        for d in team.decisions
                    ],
                )
