"""The facilitator's view of one team: how the individual answers spread, question by question.

It runs every few seconds while a room answers, so it reads with a handful of
queries whatever the number of participants: one GROUP BY over the individual
answers, one over the participants, one for the agreed answers. Spread is the
interquartile range of the 0-100 answer scores (`scoring.answer_score`), so a
level question and a measured number are compared on the same scale; questions
are sorted by it, widest first, so the discussion starts where people disagree.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from assessment.assessments.lookup import to_value
from assessment.assessments.repository import stored_answers
from assessment.bank.answers import AnswerStatus, AnswerValue, describe_value
from assessment.bank.model import LEVEL_NAMES, AnswerType, Bank, ChoiceOption, Question
from assessment.core.numbers import number_text
from assessment.models.assessments import Answer, Team
from assessment.models.workshops import Participant, ParticipantAnswer, WorkshopTeam
from assessment.scoring.engine import answer_score
from assessment.workshops.access import bank_of_assessment, facilitated_workshop, workshop_team
from assessment.workshops.participants import answer_of

DONT_KNOW = "don't know"
NOT_APPLICABLE = "not applicable"


@dataclass(frozen=True)
class Bucket:
    """One possible answer and how many participants gave it."""

    label: str
    count: int


@dataclass(frozen=True)
class AgreedAnswer:
    """The team's recorded answer (the assessment answer) and who set it."""

    answer: AnswerValue
    text: str
    by: str
    at: datetime
    version: int


@dataclass(frozen=True)
class QuestionSpread:
    question: Question
    buckets: list[Bucket]
    answered: int
    median: float | None  # of the 0-100 scores; None when nobody gave a scored answer
    iqr: float | None
    score_range: int | None
    agreed: AgreedAnswer | None

    @property
    def agreed_version(self) -> int:
        """The version a save must expect (0: nothing agreed yet)."""
        return self.agreed.version if self.agreed else 0


@dataclass(frozen=True)
class ParticipantProgress:
    name: str
    answered: int
    finished: bool


@dataclass(frozen=True)
class TeamDashboard:
    workshop_team_id: int
    team: str
    bank: Bank
    total_questions: int
    participants: list[ParticipantProgress]
    questions: list[QuestionSpread]  # widest spread first


def bucket_labels(question: Question) -> list[str]:
    """Every answer a participant could give, in the bank's order (numbers come from the answers)."""
    match question.type:
        case AnswerType.LEVEL:
            labels = [f"{level} {name}" for level, name in enumerate(LEVEL_NAMES)]
        case AnswerType.YES_NO:
            labels = ["yes", "no"]
        case AnswerType.CHOICE:
            labels = [o.key.replace("_", " ") for o in question.options or [] if isinstance(o, ChoiceOption)]
        case _:
            labels = []
    if question.allow_dont_know:
        labels.append(DONT_KNOW)
    if question.allow_not_applicable:
        labels.append(NOT_APPLICABLE)
    return labels


def bucket_label(question: Question, answer: AnswerValue) -> str:
    if answer.status is AnswerStatus.DONT_KNOW:
        return DONT_KNOW
    if answer.status is AnswerStatus.NOT_APPLICABLE:
        return NOT_APPLICABLE
    match question.type:
        case AnswerType.LEVEL:
            return f"{answer.value} {LEVEL_NAMES[answer.as_level()]}"
        case AnswerType.YES_NO:
            return "yes" if answer.value else "no"
        case AnswerType.CHOICE:
            return str(answer.value).replace("_", " ")
    return _number_label(question, float(answer.as_number()))


def _number_label(question: Question, value: float) -> str:
    unit = question.number.unit if question.number else ""
    return f"{number_text(value)} {unit}".strip()


def spread_of(
    question: Question, counted: Iterable[tuple[AnswerValue, int]], agreed: AgreedAnswer | None = None
) -> QuestionSpread:
    """Distribution, median and spread of one question's answers, given as (answer, how many)."""
    counts = dict.fromkeys(bucket_labels(question), 0)
    numbers: dict[float, int] = {}
    scores: list[int] = []
    for answer, n in counted:
        if question.type is AnswerType.NUMBER and answer.status is AnswerStatus.ANSWERED:
            number = float(answer.as_number())
            numbers[number] = numbers.get(number, 0) + n
        else:
            counts[bucket_label(question, answer)] = counts.get(bucket_label(question, answer), 0) + n
        score = answer_score(question, answer)
        scores.extend([score] * n if score is not None else [])
    buckets = [Bucket(_number_label(question, v), n) for v, n in sorted(numbers.items())]
    buckets += [Bucket(label, n) for label, n in counts.items()]
    median, iqr, score_range = _stats(sorted(scores))
    return QuestionSpread(question, buckets, sum(b.count for b in buckets), median, iqr, score_range, agreed)


def _stats(scores: list[int]) -> tuple[float | None, float | None, int | None]:
    if not scores:
        return None, None, None
    if len(scores) == 1:
        return float(scores[0]), 0.0, 0
    q1, _, q3 = statistics.quantiles(scores, n=4, method="inclusive")
    return float(statistics.median(scores)), round(q3 - q1, 1), scores[-1] - scores[0]


def disagreement_order(spreads: list[QuestionSpread]) -> list[QuestionSpread]:
    """Widest interquartile range first, then widest range; ties keep the bank's order."""
    return sorted(spreads, key=lambda s: (-(s.iqr or 0), -(s.score_range or 0)))


def counted_answers(session: Session, workshop_team_id: int) -> dict[str, list[tuple[AnswerValue, int]]]:
    """One GROUP BY: each distinct (question, answer) of the team's participants with its count."""
    rows = session.exec(
        select(
            ParticipantAnswer.question_key,
            ParticipantAnswer.status,
            ParticipantAnswer.value_json,
            func.count(),
        )
        .join(Participant, col(Participant.id) == ParticipantAnswer.participant_id)
        .where(Participant.workshop_team_id == workshop_team_id)
        .group_by(
            col(ParticipantAnswer.question_key),
            col(ParticipantAnswer.status),
            col(ParticipantAnswer.value_json),
        )
    )
    found: dict[str, list[tuple[AnswerValue, int]]] = {}
    for key, status, value_json, n in rows:
        value = json.loads(value_json) if value_json is not None else None
        found.setdefault(key, []).append((AnswerValue(AnswerStatus(status), value), n))
    return found


def participant_progress(session: Session, *, workshop_team_id: int) -> list[ParticipantProgress]:
    """Each participant of the team with how many questions they answered, in joining order."""
    rows = session.exec(
        select(Participant.display_name, Participant.finished_at, func.count(col(ParticipantAnswer.id)))
        .join(ParticipantAnswer, col(ParticipantAnswer.participant_id) == Participant.id, isouter=True)
        .where(Participant.workshop_team_id == workshop_team_id)
        .group_by(col(Participant.id), col(Participant.display_name), col(Participant.finished_at))
        .order_by(col(Participant.id))
    )
    return [ParticipantProgress(name, n, finished is not None) for name, finished, n in rows]


def agreed_answers(session: Session, *, assessment_id: int, questions: dict[str, Question]) -> dict[str, AgreedAnswer]:
    """The assessment's current answers with who set them and their version."""
    return {
        row.question_key: agreed_from_row(row, questions[row.question_key])
        for row in stored_answers(session, assessment_id=assessment_id)
        if row.question_key in questions
    }


def agreed_from_row(row: Answer, question: Question) -> AgreedAnswer:
    """An assessment answer row as the dashboard shows it."""
    value = to_value(row)
    return AgreedAnswer(value, describe_value(question, value), row.answered_by, row.answered_at, row.version)


def build_dashboard(session: Session, *, team: WorkshopTeam, team_name: str) -> TeamDashboard:
    """The dashboard of a team already known to belong to the caller's workshop."""
    bank = bank_of_assessment(session, assessment_id=team.assessment_id)
    counted = counted_answers(session, team.id or 0)
    agreed = agreed_answers(session, assessment_id=team.assessment_id, questions=bank.questions_by_key())
    spreads = [spread_of(q, counted.get(q.key, []), agreed.get(q.key)) for q in bank.questions]
    return TeamDashboard(
        team.id or 0,
        team_name,
        bank,
        len(bank.questions),
        participant_progress(session, workshop_team_id=team.id or 0),
        disagreement_order(spreads),
    )


def team_dashboard(
    session: Session, *, workshop_id: int | None, key: str | None, workshop_team_id: int | None
) -> TeamDashboard:
    """The dashboard of one team, for the holder of the facilitator key of its workshop only."""
    workshop = facilitated_workshop(session, workshop_id=workshop_id, key=key)
    team = workshop_team(session, workshop=workshop, workshop_team_id=workshop_team_id)
    return build_dashboard(session, team=team, team_name=_team_name(session, team))


def _team_name(session: Session, team: WorkshopTeam) -> str:
    found = session.get(Team, team.team_id)
    return found.name if found else ""


@dataclass(frozen=True)
class IndividualAnswer:
    name: str
    text: str
    at: datetime


def individual_answers(
    session: Session,
    *,
    workshop_id: int | None,
    key: str | None,
    workshop_team_id: int | None,
    question_key: str,
) -> list[IndividualAnswer]:
    """Who answered what to one question, for the facilitator only (the room sees just the spread)."""
    workshop = facilitated_workshop(session, workshop_id=workshop_id, key=key)
    team = workshop_team(session, workshop=workshop, workshop_team_id=workshop_team_id)
    question = bank_of_assessment(session, assessment_id=team.assessment_id).questions_by_key().get(question_key)
    if question is None:
        return []
    rows = session.exec(
        select(Participant.display_name, ParticipantAnswer)
        .join(ParticipantAnswer, col(ParticipantAnswer.participant_id) == Participant.id)
        .where(Participant.workshop_team_id == team.id, ParticipantAnswer.question_key == question_key)
        .order_by(col(Participant.id))
    )
    return [IndividualAnswer(name, describe_value(question, answer_of(row)), row.answered_at) for name, row in rows]
