"""Plain lookups of stored rounds, bank versions and answers, with no access check and no write.

They sit below `repository` and `scores` so both can use them: the repository
rescores after every write, and the score store needs these lookups to do it.
"""

from __future__ import annotations

import json

from sqlmodel import Session

from assessment.bank.answers import AnswerStatus, AnswerValue
from assessment.bank.model import Bank
from assessment.core.errors import NotFoundError
from assessment.models.assessments import Answer, AnswerEvent, Assessment, BankVersion

_bank_cache: dict[str, Bank] = {}


def bank_of(version: BankVersion) -> Bank:
    """The Bank held by a stored version (parsed once per content hash)."""
    bank = _bank_cache.get(version.content_hash)
    if bank is None:
        bank = Bank.model_validate(json.loads(version.content))
        _bank_cache[version.content_hash] = bank
    return bank


def get_bank_version(session: Session, *, bank_version_id: int) -> BankVersion:
    stored = session.get(BankVersion, bank_version_id)
    if stored is None:
        raise NotFoundError(f"no stored bank version {bank_version_id}")
    return stored


def get_assessment(session: Session, *, assessment_id: int) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFoundError(f"no assessment with id {assessment_id}")
    return assessment


def to_value(row: Answer | AnswerEvent) -> AnswerValue:
    """The domain value of a stored answer row."""
    return AnswerValue(
        status=AnswerStatus(row.status),
        value=json.loads(row.value_json) if row.value_json is not None else None,
        reason=row.reason,
        note=row.note,
        evidence_url=row.evidence_url,
        evidence_date=row.evidence_date,
    )
