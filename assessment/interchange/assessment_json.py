"""Export an assessment to JSON and import it back without losing anything.

The file carries the bank snapshot it was answered against, every current
answer with who/when/version, and the full history, so an import into another
install reproduces the same scores and the same record.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Literal, TypeVar

import sqlalchemy as sa
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlmodel import Session, select

from assessment.assessments.lookup import get_assessment
from assessment.assessments.repository import (
    answer_history,
    create_assessment,
    load_assessment,
    store_bank,
    stored_answers,
)
from assessment.assessments.scores import refresh_scores
from assessment.bank.answers import AnswerStatus, AnswerValue, check_answer
from assessment.bank.loader import bank_content_hash, format_path
from assessment.bank.model import Bank
from assessment.core.errors import FoundationsError, InvalidAnswerError
from assessment.core.names import ImportedName
from assessment.models.assessments import Answer, AnswerEvent, Assessment
from assessment.organisations.directory import ensure_organisation, ensure_team

FORMAT: Literal["foundations.assessment"] = "foundations.assessment"
FORMAT_VERSION: Literal[1] = 1


AnswerStatusName = Literal["answered", "dont_know", "not_applicable"]
EventStatusName = Literal["answered", "dont_know", "not_applicable", "cleared"]
RoundStatusName = Literal["in_progress", "completed"]
ANSWER_STATUSES: tuple[AnswerStatusName, ...] = ("answered", "dont_know", "not_applicable")
EVENT_STATUSES: tuple[EventStatusName, ...] = (*ANSWER_STATUSES, "cleared")
ROUND_STATUSES: tuple[RoundStatusName, ...] = ("in_progress", "completed")
_Status = TypeVar("_Status", bound=str)


def _stored_status(status: str, allowed: tuple[_Status, ...]) -> _Status:
    """A status read from a plain-text column, as the one of the format's values it is."""
    for name in allowed:
        if status == name:
            return name
    raise FoundationsError(f"unexpected stored status {status!r}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExportedAnswer(_Model):
    question_key: str
    status: AnswerStatusName
    value: int | float | bool | str | None = None
    reason: str | None = None
    note: str | None = None
    evidence_url: str | None = None
    evidence_date: date | None = None
    answered_by: ImportedName = ""
    answered_at: AwareDatetime
    version: int = Field(default=1, ge=1)
    carried_over: bool = False


class ExportedEvent(_Model):
    question_key: str
    status: EventStatusName
    value: int | float | bool | str | None = None
    reason: str | None = None
    note: str | None = None
    evidence_url: str | None = None
    evidence_date: date | None = None
    answered_by: ImportedName = ""
    recorded_at: AwareDatetime


class ExportedBank(_Model):
    id: str
    version: str
    content_hash: str
    content: dict[str, Any]


class ExportedAssessment(_Model):
    format: Literal["foundations.assessment"]
    format_version: Literal[1]
    organisation: ImportedName
    team: ImportedName
    round_number: int = Field(ge=1)
    label: ImportedName | None = None
    status: RoundStatusName
    created_by: ImportedName = ""
    created_at: AwareDatetime
    completed_at: AwareDatetime | None = None
    bank: ExportedBank
    answers: list[ExportedAnswer]
    history: list[ExportedEvent]


def export_assessment(session: Session, *, assessment_id: int) -> dict[str, Any]:
    """Everything about one assessment as JSON-ready data."""
    data = load_assessment(session, assessment_id=assessment_id)
    assessment = get_assessment(session, assessment_id=assessment_id)
    bank = data.bank
    doc = ExportedAssessment(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        organisation=data.organisation,
        team=data.team,
        round_number=data.round_number,
        label=data.label,
        status=_stored_status(data.status, ROUND_STATUSES),
        created_by=assessment.created_by,
        created_at=data.created_at,
        completed_at=data.completed_at,
        bank=ExportedBank(
            id=bank.id,
            version=bank.version,
            content_hash=bank_content_hash(bank),
            content=bank.model_dump(mode="json"),
        ),
        answers=[_exported_answer(row) for row in stored_answers(session, assessment_id=assessment_id)],
        history=[_exported_event(row) for row in answer_history(session, assessment_id=assessment_id)],
    )
    return doc.model_dump(mode="json")


def _value(row: Answer | AnswerEvent) -> Any:
    return json.loads(row.value_json) if row.value_json is not None else None


def _exported_answer(row: Answer) -> ExportedAnswer:
    return ExportedAnswer(
        question_key=row.question_key,
        status=_stored_status(row.status, ANSWER_STATUSES),
        value=_value(row),
        reason=row.reason,
        note=row.note,
        evidence_url=row.evidence_url,
        evidence_date=row.evidence_date,
        answered_by=row.answered_by,
        answered_at=row.answered_at,
        version=row.version,
        carried_over=row.carried_over,
    )


def _exported_event(row: AnswerEvent) -> ExportedEvent:
    return ExportedEvent(
        question_key=row.question_key,
        status=_stored_status(row.status, EVENT_STATUSES),
        value=_value(row),
        reason=row.reason,
        note=row.note,
        evidence_url=row.evidence_url,
        evidence_date=row.evidence_date,
        answered_by=row.answered_by,
        recorded_at=row.recorded_at,
    )


def validation_problems(exc: ValidationError, limit: int = 10) -> str:
    """The first problems of a document as `json.path: message; ...`, for a one-line error."""
    return "; ".join(f"{format_path(e['loc']) or '(top level)'}: {e['msg']}" for e in exc.errors()[:limit])


def parse_export(data: Any, source: str) -> ExportedAssessment:
    """Validate an export document, naming the JSON path of every problem."""
    try:
        return ExportedAssessment.model_validate(data)
    except ValidationError as exc:
        raise FoundationsError(f"{source}: not a Foundations assessment export: {validation_problems(exc)}") from None


def import_assessment(session: Session, *, doc: ExportedAssessment, source: str) -> tuple[int, int]:
    """Store an exported assessment as a round of its team; return (new id, round number).

    The round keeps its number when the team does not have it yet, otherwise it
    becomes the team's next round. Every answer is checked against the bank first.
    """
    bank = Bank.model_validate(doc.bank.content)
    if bank_content_hash(bank) != doc.bank.content_hash or (bank.id, bank.version) != (
        doc.bank.id,
        doc.bank.version,
    ):
        raise FoundationsError(f"{source}: the bank snapshot does not match its id, version or hash")
    values = checked_answers(bank, doc.answers, source)
    stored_bank = store_bank(session, bank=bank)
    org = ensure_organisation(session, name=doc.organisation)
    team = ensure_team(session, organisation_id=org.id or 0, name=doc.team)
    assessment = create_assessment(
        session,
        team_id=team.id or 0,
        bank_version_id=stored_bank.id or 0,
        created_by=doc.created_by,
        label=doc.label,
    )
    if not _round_taken(session, team.id or 0, doc.round_number):
        assessment.round_number = doc.round_number
    assessment.status, assessment.created_at, assessment.completed_at = (
        doc.status,
        doc.created_at,
        doc.completed_at,
    )
    session.add(assessment)
    session.flush()
    insert_answers(session, assessment_id=assessment.id or 0, answers=doc.answers, values=values, history=doc.history)
    session.flush()
    refresh_scores(session, assessment_id=assessment.id or 0, bank=bank)
    return assessment.id or 0, assessment.round_number


def _round_taken(session: Session, team_id: int, round_number: int) -> bool:
    return (
        session.exec(
            select(Assessment.id).where(Assessment.team_id == team_id, Assessment.round_number == round_number)
        ).first()
        is not None
    )


def answer_rows(assessment_id: int, answers: list[ExportedAnswer], values: list[AnswerValue]) -> list[dict[str, Any]]:
    """Rows of the `answer` table for checked answers (`values`, from `checked_answers`), in document order."""
    return [
        {
            "assessment_id": assessment_id,
            "question_key": exported.question_key,
            "status": value.status.value,
            "value_json": value.value_json(),
            "reason": value.reason,
            "note": value.note,
            "evidence_url": value.evidence_url,
            "evidence_date": value.evidence_date,
            "answered_by": exported.answered_by,
            "answered_at": exported.answered_at,
            "version": exported.version,
            "carried_over": exported.carried_over,
        }
        for exported, value in zip(answers, values, strict=True)
    ]


def event_rows(assessment_id: int, history: list[ExportedEvent]) -> list[dict[str, Any]]:
    """Rows of the `answer_event` table, in document order."""
    return [
        {
            "assessment_id": assessment_id,
            "question_key": event.question_key,
            "status": event.status,
            "value_json": None if event.value is None else json.dumps(event.value),
            "reason": event.reason,
            "note": event.note,
            "evidence_url": event.evidence_url,
            "evidence_date": event.evidence_date,
            "answered_by": event.answered_by,
            "recorded_at": event.recorded_at,
        }
        for event in history
    ]


def insert_answers(
    session: Session,
    *,
    assessment_id: int,
    answers: list[ExportedAnswer],
    values: list[AnswerValue],
    history: list[ExportedEvent],
) -> None:
    """Store checked answers and their history: one multi-row insert per table, rows in document order
    (ids ascend with it, so the next export lists them in the same order)."""
    for model, rows in (
        (Answer, answer_rows(assessment_id, answers, values)),
        (AnswerEvent, event_rows(assessment_id, history)),
    ):
        if rows:
            session.execute(sa.insert(model), rows)


def checked_answers(bank: Bank, answers: list[ExportedAnswer], source: str) -> list[AnswerValue]:
    """Every exported answer checked against the bank, in order; the error names `answers[i]`."""
    questions = bank.questions_by_key()
    values: list[AnswerValue] = []
    seen: set[str] = set()
    for i, a in enumerate(answers):
        where = f"{source}: answers[{i}]"
        if a.question_key not in questions:
            raise FoundationsError(f"{where}: unknown question key {a.question_key!r}")
        if a.question_key in seen:
            raise FoundationsError(f"{where}: {a.question_key} is answered twice")
        seen.add(a.question_key)
        raw = AnswerValue(AnswerStatus(a.status), a.value, a.reason, a.note, a.evidence_url, a.evidence_date)
        try:
            values.append(check_answer(questions[a.question_key], raw))
        except InvalidAnswerError as exc:
            raise FoundationsError(f"{where}: {exc}") from None
    return values


def load_json_file(path: str) -> Any:
    """Read a JSON file with errors that name the file and position."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        raise FoundationsError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise FoundationsError(f"{path}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise FoundationsError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=False, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)
