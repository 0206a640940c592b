"""What the facilitator key unlocks: the overview, closing and reopening, and agreed answers.

Every function takes the workshop id and the key and checks them in the same
session that does the work, so the page holds no authority of its own and a
second app instance behind a load balancer behaves the same.

An agreed answer is written into the team's assessment with
`repository.save_answer(..., expected_version=...)`: two facilitators (or two
tabs) cannot silently overwrite each other. The second save is refused with the
current value and who set it, and the individual answers stay as evidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from assessment.access import policy as access
from assessment.access.policy import Action
from assessment.assessments.repository import save_answer
from assessment.bank.answers import AnswerValue, check_answer
from assessment.bank.model import Question
from assessment.core.config import get_settings
from assessment.core.errors import ConflictError, InvalidAnswerError
from assessment.core.names import checked_author
from assessment.models.assessments import Answer, Organisation
from assessment.models.workshops import WorkshopDecision
from assessment.workshops.access import (
    accepts_participants,
    bank_of_assessment,
    facilitated_workshop,
    workshop_team,
)
from assessment.workshops.admin import (
    TeamProgress,
    close_workshop,
    reopen_workshop,
    reset_facilitator_key,
    team_progress,
)
from assessment.workshops.dashboard import AgreedAnswer, agreed_from_row, counted_answers, spread_of
from assessment.workshops.tokens import format_join_code


@dataclass(frozen=True)
class WorkshopOverview:
    id: int
    title: str
    organisation: str
    facilitator: str
    join_code: str
    status: str
    accepting_participants: bool
    expires_at: datetime
    teams: list[TeamProgress]


def overview(session: Session, *, workshop_id: int | None, key: str | None) -> WorkshopOverview:
    """The workshop header and per-team progress, for the facilitator only."""
    workshop = facilitated_workshop(session, workshop_id=workshop_id, key=key)
    org = session.get(Organisation, workshop.organisation_id)
    return WorkshopOverview(
        workshop.id or 0,
        workshop.title,
        org.name if org else "",
        workshop.facilitator,
        format_join_code(workshop.join_code),
        workshop.status,
        accepts_participants(workshop),
        workshop.expires_at,
        team_progress(session, workshop_id=workshop.id or 0),
    )


def issue_new_key(session: Session, *, workshop_id: int | None) -> str:
    """Replace the facilitator key, for whoever may run workshops in the organisation; return the new key, once.

    The old key and every ticket made from it stop working. The change is audited
    (who, which workshop); the key itself is never written anywhere.
    """
    workshop = facilitated_workshop(session, workshop_id=workshop_id, key=None)  # the role, never a key
    key = reset_facilitator_key(workshop)
    session.add(workshop)
    access.record_done_in(
        session, Action.RUN_WORKSHOPS, access.workshop(workshop.id or 0), "issued a new facilitator key"
    )
    return key


def set_open(session: Session, *, workshop_id: int | None, key: str | None, is_open: bool) -> None:
    """Close the workshop (links stop working) or explicitly reopen it."""
    workshop = facilitated_workshop(session, workshop_id=workshop_id, key=key)
    if is_open:
        reopen_workshop(workshop)
    else:
        close_workshop(workshop)
    session.add(workshop)
    said = ("reopened" if is_open else "closed") + " the workshop" + (" with the facilitator key" if key else "")
    access.record_done_in(session, Action.RUN_WORKSHOPS, access.workshop(workshop.id or 0), said)


class AgreedAnswerConflict(ConflictError):
    """Someone saved this agreed answer after the caller loaded it; carries what is there now."""

    def __init__(self, question_key: str, current: AgreedAnswer | None) -> None:
        self.current = current
        if current is None:
            text = f"{question_key}: the agreed answer was cleared by someone else since you loaded it."
        else:
            text = (
                f"{question_key}: not saved, because {current.by or 'someone'} recorded "
                f"\u201c{current.text}\u201d since you loaded it. Review it, then save again if the room "
                "still disagrees."
            )
        super().__init__(text)


def record_agreed_answer(
    session: Session,
    *,
    workshop_id: int | None,
    key: str | None,
    workshop_team_id: int | None,
    question_key: str,
    answer: AnswerValue,
    by: str,
    expected_version: int,
) -> int:
    """Write the room's answer into the team's assessment and log the decision; return the new version.

    In shared mode the answer is recorded by the person signed in, whatever `by`
    says: a different name typed there is kept at the start of the note.
    """
    workshop = facilitated_workshop(session, workshop_id=workshop_id, key=key)
    by, answer = _recorder(session, checked_author(by), answer)
    team = workshop_team(session, workshop=workshop, workshop_team_id=workshop_team_id)
    bank = bank_of_assessment(session, assessment_id=team.assessment_id)
    question = bank.questions_by_key().get(question_key)
    if question is None:
        raise InvalidAnswerError(f"{question_key}: unknown question key")
    answer = check_answer(question, answer)
    try:
        version = save_answer(
            session,
            assessment_id=team.assessment_id,
            question_key=question_key,
            answer=answer,
            by=by,
            expected_version=expected_version,
        )
    except ConflictError:
        raise AgreedAnswerConflict(question_key, _current(session, team.assessment_id, question)) from None
    spread = spread_of(question, counted_answers(session, team.id or 0).get(question_key, []))
    session.add(
        WorkshopDecision(
            workshop_team_id=team.id or 0,
            question_key=question_key,
            status=answer.status.value,
            value_json=answer.value_json(),
            reason=answer.reason,
            note=answer.note,
            answer_version=version,
            decided_by=by,
            participants_answered=spread.answered,
            distribution_json=json.dumps([[b.label, b.count] for b in spread.buckets]),
        )
    )
    return version


def _recorder(session: Session, typed: str, answer: AnswerValue) -> tuple[str, AnswerValue]:
    """Who records: the signed-in address in shared mode (typed text becomes part of the note), else what was typed."""
    actor = access.acting(None, session.get_bind())
    if not get_settings().shared or actor is None or actor.email is None:
        return typed, answer
    typed = typed.strip()
    if typed and typed.casefold() != actor.email.casefold():
        note = f"Recorded for {typed}." + (f" {answer.note}" if answer.note else "")
        answer = answer.with_details(note=note)
    return actor.email, answer


def _current(session: Session, assessment_id: int, question: Question) -> AgreedAnswer | None:
    row = session.exec(
        select(Answer).where(Answer.assessment_id == assessment_id, Answer.question_key == question.key)
    ).first()
    return agreed_from_row(row, question) if row else None


def decisions(
    session: Session, *, workshop_id: int | None, key: str | None, workshop_team_id: int | None
) -> list[WorkshopDecision]:
    """Every agreed answer recorded for a team in this workshop, oldest first (the audit trail)."""
    workshop = facilitated_workshop(session, workshop_id=workshop_id, key=key)
    team = workshop_team(session, workshop=workshop, workshop_team_id=workshop_team_id)
    return list(
        session.exec(
            select(WorkshopDecision)
            .where(WorkshopDecision.workshop_team_id == team.id)
            .order_by(col(WorkshopDecision.id))
        )
    )
