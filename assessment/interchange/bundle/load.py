"""Storing a checked document as a new organisation, in the caller's transaction: all or nothing.

Rows are written in bulk (executemany, or COPY on PostgreSQL for large sets), never row by row
through the ORM; the stored scores are computed from the values written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from assessment.access import policy as access
from assessment.access.policy import DONE, NOBODY, Action, authorize_in
from assessment.assessments.repository import store_bank
from assessment.assessments.scores import stored_contests, write_scores
from assessment.core.db import driver_connection, table_of
from assessment.core.errors import FoundationsError
from assessment.interchange.assessment_json import answer_rows, event_rows
from assessment.interchange.bundle.check import Checked, check_bundle
from assessment.interchange.bundle.grants import access_lines, refuse_ungranted
from assessment.interchange.bundle.schema import (
    DORA_FINDINGS,
    DORA_IMPORTS,
    DORA_MAPPINGS,
    TEAM_DORA,
    Bundle,
    RowsSpec,
)
from assessment.models.access import AuditEvent, Membership
from assessment.models.assessments import Answer, AnswerEvent, Assessment, Organisation, Team
from assessment.models.workshops import Participant, ParticipantAnswer, Workshop, WorkshopDecision, WorkshopTeam
from assessment.organisations.directory import find_organisation
from assessment.scoring.engine import score_assessment
from assessment.scoring.gates import Facts


@dataclass(frozen=True)
class Imported:
    organisation: str
    teams: int
    rounds: int
    dora_rows: int
    workshops: int
    members: int | None
    granted: tuple[str, ...] = ()

    def sentence(self, source: str) -> str:
        members = "" if self.members is None else f", {self.members} member(s)"
        said = (
            f"imported {self.organisation!r} from {source}: {self.teams} team(s), {self.rounds} round(s), "
            f"{self.dora_rows:,} DORA row(s), {self.workshops} workshop(s){members}"
        )
        return "\n".join([said, *(["granted:"] if self.granted else []), *(f"  {line}" for line in self.granted)])


def store_bundle(session: Session, *, doc: Bundle, source: str, with_access: bool = False) -> Imported:
    """Create the organisation with everything in the document, in the caller's transaction; all or nothing.

    The organisation must not exist yet: merging two histories of one organisation
    has no single right answer, so the import refuses instead of guessing. A document
    that carries memberships or workshops (whose keys and tokens open them) is
    imported only `with_access`; otherwise AccessNotGranted lists what it would grant.
    """
    authorize_in(session, None, Action.CREATE_ORGANISATION, access.INSTALL)
    checked = check_bundle(doc, source)
    if find_organisation(session, name=doc.organisation) is not None:
        raise FoundationsError(
            f"{source}: an organisation named {doc.organisation!r} already exists in this "
            "database; nothing was imported (rename or remove it first)"
        )
    _refuse_taken_secrets(session, doc, source)
    if not with_access:
        refuse_ungranted(doc, source)
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
            detail=f"imported {doc.organisation} from {source}" + _granted(doc),
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
        tuple(access_lines(doc)),
    )


def _granted(doc: Bundle) -> str:
    members, workshops = len(doc.memberships or []), len(doc.workshops or [])
    return f", granting {members} membership(s) and {workshops} workshop(s)' keys" if members or workshops else ""


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
    table = table_of(Assessment)
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
    _bulk_insert(session, table_of(Answer), answers)
    _bulk_insert(session, table_of(AnswerEvent), events)
    _insert_rows(session, DORA_FINDINGS, findings)
    # the stored scores, from the very values just written (reading 100,000 answers back costs seconds), with the
    # contradictions just written: they contest deciding tests as they did in the exporting database
    contests = stored_contests(session, ids) if findings else {}
    write_scores(
        session,
        {
            assessment_id: (
                score_assessment(
                    checked.banks[(r.bank.id, r.bank.version)],
                    {a.question_key: v for a, v in zip(r.answers, checked.answers[(i, j)], strict=True)},
                    Facts(contests=contests.get(assessment_id, ())),
                ),
                sum(a.carried_over for a in r.answers),
            )
            for (i, j, _team, r), assessment_id in zip(listed, ids, strict=True)
        },
    )
    return {
        (team.name, r.round_number): assessment_id for (_i, _j, team, r), assessment_id in zip(listed, ids, strict=True)
    }


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
        cursor = driver_connection(session).cursor()
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
