"""Builders for rounds, answers and organisations: real repository calls on the real test database.

Random data is drawn from a seeded `random.Random`, so a failure names its seed
and replays exactly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from assessment.assessments.repository import (
    answers_for,
    clear_answer,
    create_assessment,
    list_assessments,
    save_answer,
    set_status,
    store_bank,
)
from assessment.assessments.rounds import start_round
from assessment.bank.answers import AnswerValue, answered, check_answer, dont_know, not_applicable
from assessment.bank.loader import default_bank
from assessment.bank.model import AnswerType, Bank, ChoiceOption, Question
from assessment.core import db
from assessment.demo import DEMO_ORG, load_demo
from assessment.dora.figures import Typed, save_figures
from assessment.dora.formats import Kind
from assessment.dora.ingest.saved import save_mapping
from assessment.organisations.directory import ensure_organisation, ensure_team, find_organisation, find_team
from assessment.organisations.members import grant
from assessment.workshops.admin import close_workshop, create_workshop, get_workshop
from assessment.workshops.facilitator import record_agreed_answer
from assessment.workshops.participants import join_view, join_workshop, save_participant_answer, set_finished

# --- rounds and answers ------------------------------------------------------------------------------------


def new_round(
    engine: Engine,
    bank: Bank | None = None,
    *,
    org: str = "Acme",
    team: str = "Core",
    prefill: bool = False,
) -> int:
    """The team's next round on `bank` (the default bank unless given), creating organisation and team if needed."""
    with db.write_session(engine) as session:
        organisation = ensure_organisation(session, name=org)
        t = ensure_team(session, organisation_id=organisation.id or 0, name=team)
        stored = store_bank(session, bank=bank or default_bank())
        if prefill:
            return start_round(
                session, team_id=t.id or 0, bank_version_id=stored.id or 0, by="test", prefill=True
            ).assessment_id
        return create_assessment(session, team_id=t.id or 0, bank_version_id=stored.id or 0, created_by="test").id or 0


def save(engine: Engine, assessment_id: int, key: str, answer: AnswerValue, by: str = "someone else") -> int:
    """Save one answer as `by` (another tab or person than the page under test); returns the answer's version."""
    with db.write_session(engine) as session:
        return save_answer(session, assessment_id=assessment_id, question_key=key, answer=answer, by=by)


def answer_all(engine: Engine, assessment_id: int, answers: dict[str, AnswerValue]) -> None:
    """Save every answer of `answers` in one transaction."""
    with db.write_session(engine) as session:
        for key, value in answers.items():
            save_answer(session, assessment_id=assessment_id, question_key=key, answer=value, by="test")


def stored(engine: Engine, assessment_id: int) -> dict[str, AnswerValue]:
    """The round's answers as the database holds them now."""
    with db.read_session(engine) as session:
        return answers_for(session, assessment_id=assessment_id)


def demo_round(engine: Engine, team: str, round_number: int = 1) -> int:
    """The id of a demo team's round."""
    with db.read_session(engine) as session:
        return next(
            s.id
            for s in list_assessments(session)
            if s.organisation == DEMO_ORG and s.team == team and s.round_number == round_number
        )


def org_id(session: Session, name: str = "Acme") -> int:
    """The id of the organisation named `name`, which must exist."""
    org = find_organisation(session, name=name)
    assert org is not None
    assert org.id is not None
    return org.id


# --- random rounds and organisations ----------------------------------------------------------------------


def random_answer(rng: random.Random, question: Question) -> AnswerValue:
    """Any valid answer to `question`: a value of its type, "don't know" or "not applicable"."""
    roll = rng.random()
    if roll < 0.08 and question.allow_dont_know:
        return dont_know()
    if roll < 0.12 and question.allow_not_applicable:
        return not_applicable("not used here")
    match question.type:
        case AnswerType.LEVEL:
            value: Any = rng.randint(0, 4)
        case AnswerType.YES_NO:
            value = rng.random() < 0.5
        case AnswerType.CHOICE:
            value = rng.choice([o.key for o in question.options or [] if isinstance(o, ChoiceOption)])
        case AnswerType.NUMBER:
            spec = question.number
            assert spec is not None
            top = spec.maximum if spec.maximum is not None else max([b.limit for b in spec.bands] or [50]) * 2 + 1
            value = rng.randint(int(spec.minimum), int(top))
    return check_answer(question, answered(value))


def random_round(engine: Engine, bank: Bank, rng: random.Random, *, org: str, team: str) -> int:
    """A round with a random share of random answers; some pre-filled, some later cleared."""
    assessment_id = new_round(engine, bank, org=org, team=team, prefill=rng.random() < 0.3)
    share = rng.choice([0.0, 0.3, 0.8, 1.0])
    chosen = [q for q in bank.questions if rng.random() < share]
    answer_all(engine, assessment_id, {q.key: random_answer(rng, q) for q in chosen})
    with db.write_session(engine) as session:
        for q in rng.sample(chosen, k=min(2, len(chosen))) if rng.random() < 0.3 else []:
            clear_answer(session, assessment_id=assessment_id, question_key=q.key, by="test")
    return assessment_id


def random_organisation(engine: Engine, bank: Bank, seed: int, *, org: str = "Acme", teams: int = 6) -> None:
    """`teams` teams with 1-3 random rounds each (all completed but, for some teams, the newest), plus one team
    without any round."""
    rng, finish = random.Random(seed), random.Random(-seed)  # `finish` apart: the answers stay what they were
    for n in range(teams):
        ids = [random_round(engine, bank, rng, org=org, team=f"Team {n:02d}") for _ in range(rng.randint(1, 3))]
        with db.write_session(engine) as session:  # rounds are completed in order; the newest may still be open
            for assessment_id in ids[:-1] if finish.random() < 0.4 else ids:
                set_status(session, assessment_id=assessment_id, completed=True)
    with db.write_session(engine) as session:
        organisation = ensure_organisation(session, name=org)
        ensure_team(session, organisation_id=organisation.id or 0, name="No rounds yet")


def edited_bank(
    bank: Bank, *, version: str = "1.1.0", drop: str = "fi_dependency_map", add_to: str = "rollback_speed"
) -> Bank:
    """A newer version of `bank` without question `drop` and with a new yes/no question in `add_to`."""
    data = bank.model_dump(mode="json")
    data["bank"]["version"] = version
    data["questions"] = [q for q in data["questions"] if q["key"] != drop]
    data["questions"].append(
        {
            "key": "rb_feature_flags",
            "foundation": add_to,
            "short": "Feature flags",
            "text": "Can a risky change be switched off without a deployment?",
            "help": "A flag is a rollback that needs no pipeline.",
            "type": "yes_no",
            "good_answer": True,
            "triggers": ["one_step_rollback"],
        }
    )
    return Bank.model_validate(data)


# --- the demo organisation with everything an organisation export carries ------------------------------------


@dataclass(frozen=True)
class Secrets:
    """What the people of the demo workshop hold: the facilitator key and two participant tokens."""

    workshop_id: int
    key: str
    join_code: str
    tokens: dict[str, str]  # display name -> token


def rich_demo(engine: Engine, bank: Bank) -> Secrets:
    """The demo organisation plus one open and one closed workshop, typed figures, a mapping and members."""
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
        created = create_workshop(
            session,
            organisation=DEMO_ORG,
            teams=["Checkout", "Mobile API"],
            bank=bank,
            facilitator="Fran",
            title="Q4 review",
        )
        closed = create_workshop(
            session,
            organisation=DEMO_ORG,
            teams=["Payments"],
            bank=bank,
            facilitator="Fran",
            title="Payments deep dive",
        )
        close_workshop(get_workshop(session, workshop_id=closed.id))
    with db.read_session(engine) as session:
        seats = {name: wt for wt, name in join_view(session, code=created.join_code).teams}
    tokens: dict[str, str] = {}
    with db.write_session(engine) as session:
        for name, team in (("Ann", "Checkout"), ("Bob", "Checkout"), ("Cy", "Mobile API")):
            tokens[name] = join_workshop(
                session, code=created.join_code, display_name=name, workshop_team_id=seats[team]
            )
    with db.write_session(engine) as session:
        save_participant_answer(session, token=tokens["Ann"], question_key="rb_rollback_path", answer=answered(1))
        save_participant_answer(
            session,
            token=tokens["Bob"],
            question_key="rb_rollback_path",
            answer=answered(3, note="=we tested it in May"),
        )
        save_participant_answer(session, token=tokens["Bob"], question_key="io_tracing", answer=dont_know())
        save_participant_answer(session, token=tokens["Cy"], question_key="rb_rollback_path", answer=answered(2))
        set_finished(session, token=tokens["Bob"], finished=True)
    with db.write_session(engine) as session:
        record_agreed_answer(
            session,
            workshop_id=created.id,
            key=created.facilitator_key,
            workshop_team_id=seats["Checkout"],
            question_key="rb_rollback_path",
            answer=answered(2, note="the room settled on 2"),
            by="Fran",
            expected_version=0,
        )
        checkout = find_team(session, team="Checkout", organisation=DEMO_ORG)
        save_figures(
            session,
            team_id=checkout.id or 0,
            by="Ana",
            values={
                "deployment_frequency": Typed(range="daily_to_weekly"),
                "lead_time": Typed(number=30.5),
                "change_failure_rate": Typed(number=12.0),
            },
        )
        save_mapping(
            session,
            organisation_id=org_id(session, DEMO_ORG),
            name="GitLab export",
            mapping={Kind.DEPLOYMENTS: {"id": "iid", "deployed_at": "finished_at"}},
        )
    with db.read_session(engine) as session:
        organisation = org_id(session, DEMO_ORG)
    grant(engine, actor=None, organisation_id=organisation, email="ana@example.org", role="owner")
    grant(engine, actor=None, organisation_id=organisation, email="bo@example.org", role="viewer")
    return Secrets(created.id, created.facilitator_key, created.join_code, tokens)
