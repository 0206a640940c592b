"""Writing an organisation out: every list read in id order with a few queries, as JSON-ready data and text.

Database ids never leave: a round is named by its team and round number, a DORA row's import by
its position in `dora.imports`.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from pydantic_core import to_jsonable_python
from sqlmodel import Session, col, select

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in, may
from assessment.assessments.bulk import organisation_named
from assessment.assessments.lookup import bank_of
from assessment.core.db import table_of
from assessment.core.types import utcnow
from assessment.interchange.bundle.schema import (
    BUNDLE_VERSION,
    DORA_FINDINGS,
    DORA_IMPORTS,
    DORA_MAPPINGS,
    ORG_FORMAT,
    TEAM_DORA,
    RowsSpec,
)
from assessment.models.access import Membership
from assessment.models.assessments import Answer, AnswerEvent, Assessment, BankVersion, Team
from assessment.models.workshops import Participant, ParticipantAnswer, Workshop, WorkshopDecision, WorkshopTeam


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
    table = table_of(model)
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
            sa.select(col(Assessment.id))
            .join(Team, col(Team.id) == Assessment.team_id)
            .where(col(Team.organisation_id) == org_id)
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
    teams = sa.select(col(Team.id)).where(col(Team.organisation_id) == org_id)
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
