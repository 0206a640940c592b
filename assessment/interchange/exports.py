"""Organisation exports: a spreadsheet-safe CSV of every answer and score, and a JSON bundle that imports back.

CSV: every cell goes through `assessment.core.spreadsheet.safe_cell`: text that a
spreadsheet could run as a formula gets a leading `'`; numbers stay numbers.

JSON: the organisation export is `assessment.interchange.bundle` (format version 2, everything
the organisation holds). Version 1 documents, which held only the rounds (one
`foundations.assessment` export each), are still read here so old files import.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlmodel import Session

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in
from assessment.assessments.bulk import carried_over_of, load_organisation_rounds, organisation_named
from assessment.assessments.repository import AssessmentData
from assessment.assessments.scores import stored_contests
from assessment.bank.answers import AnswerStatus, describe_value
from assessment.bank.model import LEVEL_NAMES, AnswerType
from assessment.core.errors import FoundationsError
from assessment.core.spreadsheet import safe_cell
from assessment.interchange.assessment_json import ExportedAssessment, import_assessment, validation_problems
from assessment.scoring.engine import AssessmentScore, score_assessment
from assessment.scoring.gates import Facts

ORG_FORMAT = "foundations.organisation"

COLUMNS = (
    "record",
    "organisation",
    "team",
    "round",
    "assessment_id",
    "round_label",
    "round_status",
    "bank",
    "foundation",
    "question_key",
    "question",
    "end_state",
    "status",
    "value",
    "answer",
    "score",
    "risk",
    "level",
    "level_name",
    "gate",
    "ready",
    "reason",
    "note",
    "evidence_url",
    "evidence_date",
    "answered_by",
    "answered_at",
    "carried_over",
)


def organisation_csv(session: Session, *, organisation: str) -> str:
    """Every answer, foundation score, readiness verdict and overall score of an organisation's rounds."""
    org = organisation_named(session, organisation)
    authorize_in(session, None, Action.EXPORT, access.organisation(org.id or 0))
    rounds = load_organisation_rounds(session, organisation_id=org.id or 0)
    carried = carried_over_of(session, organisation_id=org.id or 0)
    contests = stored_contests(session, [r.id for r in rounds])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for data in rounds:
        score = score_assessment(data.bank, data.answers, Facts(contests=contests.get(data.id, ())))
        for record in _records(data, score, carried[data.id]):
            writer.writerow([safe_cell(record.get(column)) for column in COLUMNS])
    return out.getvalue()


def _records(data: AssessmentData, score: AssessmentScore, carried: set[str]) -> Iterator[dict[str, Any]]:
    base = {
        "organisation": data.organisation,
        "team": data.team,
        "round": data.round_number,
        "assessment_id": data.id,
        "round_label": data.label,
        "round_status": data.status,
        "bank": f"{data.bank.id} {data.bank.version}",
    }
    yield {**base, "record": "overall", "score": score.overall_score}
    for f in score.foundations.values():
        yield {
            **base,
            "record": "foundation",
            "foundation": f.key,
            "score": f.score,
            "level": f.level,
            "level_name": f.level_name,
            "gate": f.gate.value,
        }
    for v in score.verdicts:
        yield {
            **base,
            "record": "readiness",
            "end_state": v.end_state,
            "status": v.status.value,  # ready, not_ready or exposed: "ready" alone hides an exposed team
            "ready": v.ready,
            "answer": v.sentence,
        }
    for q in data.bank.questions:
        yield {**base, **_answer_record(data, score, q.key), "carried_over": q.key in carried}


def _answer_record(data: AssessmentData, score: AssessmentScore, key: str) -> dict[str, Any]:
    question, result = data.bank.question(key), score.questions.get(key)  # context questions have no score
    record: dict[str, Any] = {
        "record": "answer",
        "foundation": question.foundation,
        "question_key": key,
        "question": question.short,
        "score": result.score if result is not None else None,
        "risk": result.risk.value if result is not None else "not_scored",
    }
    answer = data.answers.get(key)
    if answer is None:
        return {**record, "status": "unanswered"}
    who, when, _version = data.answer_meta[key]
    value = answer.value
    if question.type is AnswerType.LEVEL and value is not None:
        record["level"], record["level_name"] = value, LEVEL_NAMES[int(value)]
    return {
        **record,
        "status": answer.status.value,
        "value": value if answer.status is AnswerStatus.ANSWERED else None,
        "answer": result.answer_text if result is not None else describe_value(question, answer),
        "reason": answer.reason,
        "note": answer.note,
        "evidence_url": answer.evidence_url,
        "evidence_date": answer.evidence_date,
        "answered_by": who,
        "answered_at": when,
    }


# --- JSON ------------------------------------------------------------------------------------


class ExportedOrganisation(BaseModel):
    """Format version 1: the rounds only (written by earlier versions; still imported)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["foundations.organisation"]
    format_version: Literal[1]
    organisation: str
    exported_at: datetime
    assessments: list[ExportedAssessment]


def is_organisation_export(data: Any) -> bool:
    return isinstance(data, dict) and data.get("format") == ORG_FORMAT


def parse_organisation_export(data: Any, source: str) -> ExportedOrganisation:
    """Validate a version-1 organisation export, naming the JSON path of every problem."""
    try:
        doc = ExportedOrganisation.model_validate(data)
    except ValidationError as exc:
        raise FoundationsError(f"{source}: not a Foundations organisation export: {validation_problems(exc)}") from None
    for i, assessment in enumerate(doc.assessments):
        if assessment.organisation != doc.organisation:
            raise FoundationsError(
                f"{source}: assessments[{i}].organisation is {assessment.organisation!r}, not {doc.organisation!r}"
            )
    return doc


def import_organisation(session: Session, *, doc: ExportedOrganisation, source: str) -> list[tuple[int, int]]:
    """Store every round of a version-1 export, earlier rounds first so numbers are kept; all or nothing.

    The organisation is created if missing and added to if not (version 2 refuses that).
    """
    done = []
    for i, assessment in sorted(enumerate(doc.assessments), key=lambda p: (p[1].team, p[1].round_number)):
        done.append(import_assessment(session, doc=assessment, source=f"{source}: assessments[{i}]"))
    return done
