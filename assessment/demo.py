"""Demo data: one organisation with one team of each kind a consultant meets.

Platform is ready (and proven in its second round), Checkout is exposed (it
releases forty times a week with a slow rollback, and its delivery data contradicts
two claims), Payments is not ready, Catalogue does not know (its deciding tests are
unknown), Mobile API is half-way through its first round. Its reports are branded by a
consultancy, as a consultant hands them to a client. Answers are derived from a
target level per foundation and whether its deciding test should pass, so the demo
stays consistent with whatever the shipped bank asks; loading twice changes nothing.
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
from assessment.models.branding import OrganisationBrand
from assessment.organisations.brand import make_brand, store_brand
from assessment.organisations.directory import ensure_organisation, ensure_team

DEMO_ORG = "Northwind Streaming"
DEMO_AUTHOR = "demo data"


@dataclass(frozen=True)
class DemoRound:
    levels: dict[str, int]  # foundation key -> target level
    complete: bool = True
    dont_know_every: int = 0  # every n-th question answered "don't know" (0: none)
    answer_share: float = 1.0
    passes: frozenset[str] = frozenset()  # foundations whose measured deciding test passes
    unknown: frozenset[str] = frozenset()  # foundations whose measured checks are answered "don't know"
    context: tuple[tuple[str, int | float | bool | str], ...] = ()  # context answers: how the team ships today
    proven: bool = False  # proof answers carry a drill or kill-test record from last month


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


def _context(
    deploys: float, approval: str, services: int, architecture: str
) -> tuple[tuple[str, int | float | bool | str], ...]:
    return (
        ("ctx_deploys_per_week", deploys),
        ("ctx_approval", approval),
        ("ctx_services", services),
        ("ctx_architecture", architecture),
        ("ctx_chaos", False),
    )


ALL = frozenset(_levels(0, 0, 0, 0, 0))
DEMO_TEAMS: tuple[DemoTeam, ...] = (
    DemoTeam(
        "Payments",
        (
            DemoRound(_levels(1, 1, 0, 1, 1), dont_know_every=5, context=_context(2, "change_board", 4, "modular")),
            DemoRound(
                _levels(1, 2, 2, 3, 1),
                dont_know_every=7,
                passes=frozenset({"oncall_runbooks"}),
                context=_context(2, "change_board", 4, "modular"),
            ),
        ),
    ),
    DemoTeam(
        "Catalogue",
        (
            DemoRound(
                _levels(2, 2, 3, 3, 2),
                passes=frozenset({"rollback_speed", "oncall_runbooks"}),
                unknown=frozenset({"incident_observability", "postmortem_practice", "failure_isolation"}),
                context=_context(3, "change_board", 3, "monolith"),
            ),
        ),
    ),
    DemoTeam(
        "Checkout",
        (
            DemoRound(
                _levels(3, 3, 1, 3, 3),
                passes=ALL - {"rollback_speed"},
                context=_context(40, "none", 14, "services"),
            ),
        ),
    ),
    DemoTeam(
        "Platform",
        (
            DemoRound(_levels(3, 3, 3, 3, 3), passes=ALL, context=_context(25, "peer_review", 9, "services")),
            DemoRound(
                _levels(4, 4, 4, 4, 4), passes=ALL, proven=True, context=_context(40, "peer_review", 9, "services")
            ),
        ),
    ),
    DemoTeam(
        "Mobile API",
        (
            DemoRound(
                _levels(2, 1, 2, 1, 2),
                complete=False,
                answer_share=0.5,
                context=_context(10, "peer_review", 6, "services"),
            ),
        ),
    ),
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
            value = min(options, key=lambda o: (abs((o.score or 0) - target), -(o.score or 0))).key
        case AnswerType.NUMBER:
            value = _number_at(question, target)
    return check_answer(question, answered(value))


def _number_at(question: Question, target: int) -> int | float:
    """A value inside the band whose score is nearest the target score."""
    spec = question.number
    assert spec is not None
    if not spec.bands:  # a context number: any plausible value
        return max(spec.minimum, float(target // 5)) if not spec.integer else max(int(spec.minimum), target // 5)
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
    questions = bank.questions_by_key()
    for key, value in spec.context:
        if key in questions:
            answers[key] = check_answer(questions[key], answered(value))
    gate_inputs = {check.question: f.key for f in bank.foundations for check in f.gate}
    scored = bank.scored_questions()
    for n, q in enumerate(scored, start=1):
        if n > len(scored) * spec.answer_share:
            break
        answers[q.key] = _demo_answer(q, team, spec, gate_inputs.get(q.key), n)
    if spec.proven:
        for f in bank.foundations:
            for key in f.proof:
                if key in answers:
                    answers[key] = answers[key].with_details(
                        evidence_url=f"https://wiki.example.org/{team.lower().replace(' ', '-')}/{key}",
                        evidence_date=(utcnow() - timedelta(days=20)).date(),
                    )
    return answers


def _demo_answer(q: Question, team: str, spec: DemoRound, gate_of: str | None, n: int) -> AnswerValue:
    """Gate inputs follow the round's plan (pass, don't know, or the target level); others vary a little."""
    if gate_of is not None and gate_of in spec.unknown and q.allow_dont_know:
        return dont_know()
    if spec.dont_know_every and n % spec.dont_know_every == 0 and q.allow_dont_know and gate_of is None:
        return dont_know()
    target = spec.levels[q.foundation]
    if gate_of is not None:
        return demo_answer(q, 4 if gate_of in spec.passes else min(target, 2))
    level = target if q.gate else max(0, min(4, target + _spread(team, q.key)))
    return demo_answer(q, level)


# A sail on a teal disc: shapes only (text in a logo would depend on the reader's fonts).
LOGO = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48" width="48" height="48">
  <circle cx="24" cy="24" r="23" fill="#0f766e"/>
  <path d="M25 8 L25 34 L12 34 Z" fill="#ffffff"/>
  <path d="M28 13 L28 34 L37 34 Z" fill="#99f6e4"/>
  <path d="M10 37 L38 37 L34 41 L14 41 Z" fill="#ffffff"/>
</svg>"""

DEMO_BRAND = make_brand(
    name="Halyard Reliability Partners",
    prepared_by="Maya Okafor, Halyard Reliability Partners",
    confidentiality="Confidential: prepared for Northwind Streaming by Halyard Reliability Partners",
    accent="#0f766e",
    logo=LOGO,
    logo_name="halyard.svg",
)


def brand_demo(session: Session, *, organisation_id: int, by: str) -> bool:
    """Give the demo organisation its branding unless it has some already (an owner's own choice stays)."""
    if session.get(OrganisationBrand, organisation_id) is not None:
        return False
    store_brand(session, organisation_id=organisation_id, brand=DEMO_BRAND, by=by, audit=False)
    return True


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
                set_status(session, assessment_id=assessment.id or 0, completed=True, audit=False)
            created.append(assessment.id or 0)
    load_demo_dora(session, organisation_id=org.id or 0)
    brand_demo(session, organisation_id=org.id or 0, by=DEMO_AUTHOR)
    return created
