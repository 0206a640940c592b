"""Demo data: one organisation whose teams sit at clearly different maturity.

Answers are derived from a target level per foundation, so the demo stays
consistent with whatever the shipped bank asks; loading twice changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from assessment.assessments.repository import create_assessment, save_answer, set_status, store_bank
from assessment.bank.answers import AnswerValue, answered, check_answer, dont_know
from assessment.bank.model import AnswerType, Bank, ChoiceOption, Question
from assessment.core.types import utcnow
from assessment.dora.demo import load_demo_dora
from assessment.models.assessments import Assessment
from assessment.organisations.directory import ensure_organisation, ensure_team

DEMO_ORG = "Northwind Streaming"
DEMO_AUTHOR = "demo data"


@dataclass(frozen=True)
class DemoRound:
    levels: dict[str, int]  # foundation key -> target level
    complete: bool = True
    dont_know_every: int = 0  # every n-th question answered "don't know" (0: none)
    answer_share: float = 1.0


@dataclass(frozen=True)
class DemoTeam:
    name: str
    rounds: tuple[DemoRound, ...]


def _levels(fi: int, io: int, rb: int, oc: int, pm: int) -> dict[str, int]:
    return {
        "failure_isolation": fi,
        "incident_observability": io,
        "rollback_speed": rb,
        "oncall_runbooks": oc,
        "postmortem_practice": pm,
    }


DEMO_TEAMS: tuple[DemoTeam, ...] = (
    DemoTeam(
        "Payments",
        (
            DemoRound(_levels(1, 1, 0, 1, 1), dont_know_every=5),
            DemoRound(_levels(1, 2, 1, 2, 1), dont_know_every=7),
        ),
    ),
    DemoTeam("Catalogue", (DemoRound(_levels(2, 2, 2, 3, 2)),)),
    DemoTeam("Checkout", (DemoRound(_levels(3, 3, 1, 3, 3)),)),
    DemoTeam("Platform", (DemoRound(_levels(3, 3, 3, 3, 3)), DemoRound(_levels(4, 4, 4, 4, 4)))),
    DemoTeam("Mobile API", (DemoRound(_levels(2, 1, 2, 1, 2), complete=False, answer_share=0.5),)),
)


def demo_answer(question: Question, level: int) -> AnswerValue:
    """An answer that sits at `level` (0-4) for this question, whatever its type."""
    target = level * 25
    match question.type:
        case AnswerType.LEVEL:
            value: int | float | bool | str = level
        case AnswerType.YES_NO:
            value = (level >= 3) == bool(question.good_answer)  # the good answer from level 3 up
        case AnswerType.CHOICE:
            options = [o for o in question.options or [] if isinstance(o, ChoiceOption)]
            value = min(options, key=lambda o: (abs(o.score - target), -o.score)).key
        case AnswerType.NUMBER:
            value = _number_at(question, target)
    return check_answer(question, answered(value))


def _number_at(question: Question, target: int) -> int | float:
    """A value inside the band whose score is nearest the target score."""
    spec = question.number
    assert spec is not None
    bands = [(b.limit, b.score) for b in spec.bands]
    limit, score = min(bands, key=lambda b: (abs(b[1] - target), -b[1]))
    if abs(spec.otherwise - target) < abs(score - target):
        last = bands[-1][0]
        value = last * 2 + 1 if spec.better == "lower" else max(spec.minimum, last / 2 - 1)
    else:
        value = limit
    if spec.maximum is not None:
        value = min(value, spec.maximum)
    return round(value) if spec.integer or float(value).is_integer() else round(value, 1)


def _spread(team: str, key: str) -> int:
    """-1, 0 or +1, fixed per team and question, so answers within a foundation vary a little."""
    return hashlib.sha256(f"{team}:{key}".encode()).digest()[0] % 3 - 1


def _round_answers(bank: Bank, team: str, spec: DemoRound) -> dict[str, AnswerValue]:
    answers: dict[str, AnswerValue] = {}
    for n, q in enumerate(bank.questions, start=1):
        if n > len(bank.questions) * spec.answer_share:
            break
        if spec.dont_know_every and n % spec.dont_know_every == 0 and q.allow_dont_know:
            answers[q.key] = dont_know()
            continue
        target = spec.levels[q.foundation]
        level = target if q.gate else max(0, min(4, target + _spread(team, q.key)))
        answers[q.key] = demo_answer(q, level)
    return answers


def load_demo(session: Session, *, bank: Bank) -> list[int]:
    """Create the demo organisation's missing teams and rounds; return the ids created."""
    stored = store_bank(session, bank=bank)
    org = ensure_organisation(session, name=DEMO_ORG)
    created: list[int] = []
    for team_spec in DEMO_TEAMS:
        team = ensure_team(session, organisation_id=org.id or 0, name=team_spec.name)
        existing = len(session.exec(select(Assessment.id).where(Assessment.team_id == team.id)).all())
        for number, spec in enumerate(team_spec.rounds, start=1):
            if number <= existing:
                continue
            assessment = create_assessment(
                session,
                team_id=team.id or 0,
                bank_version_id=stored.id or 0,
                created_by=DEMO_AUTHOR,
                label=f"Demo round {number}",
            )
            assessment.created_at = utcnow() - timedelta(days=90 * (len(team_spec.rounds) - number))
            for key, answer in _round_answers(bank, team_spec.name, spec).items():
                save_answer(session, assessment_id=assessment.id or 0, question_key=key, answer=answer, by=DEMO_AUTHOR)
            if spec.complete:
                set_status(session, assessment_id=assessment.id or 0, completed=True)
            created.append(assessment.id or 0)
    load_demo_dora(session, organisation_id=org.id or 0)
    return created
