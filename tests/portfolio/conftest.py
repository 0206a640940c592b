"""Builders for rounds and portfolios: real repository calls on the real test database.

Random data is drawn from a seeded `random.Random`, so a failure names its seed
and replays exactly.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from assessment.assessments.repository import clear_answer, create_assessment, save_answer, store_bank
from assessment.assessments.rounds import start_round
from assessment.bank.answers import AnswerValue, answered, check_answer, dont_know, not_applicable
from assessment.bank.model import AnswerType, Bank, ChoiceOption, Question
from assessment.core import db
from assessment.demo import load_demo
from assessment.organisations.directory import ensure_organisation, ensure_team, find_organisation


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


def org_id(session: Session, name: str = "Acme") -> int:
    org = find_organisation(session, name=name)
    assert org is not None
    assert org.id is not None
    return org.id


def new_round(engine: Engine, bank: Bank, *, org: str, team: str, prefill: bool = False) -> int:
    """The team's next round (creating organisation and team if needed)."""
    with db.write_session(engine) as session:
        organisation = ensure_organisation(session, name=org)
        t = ensure_team(session, organisation_id=organisation.id or 0, name=team)
        stored = store_bank(session, bank=bank)
        if prefill:
            return start_round(
                session, team_id=t.id or 0, bank_version_id=stored.id or 0, by="test", prefill=True
            ).assessment_id
        return create_assessment(session, team_id=t.id or 0, bank_version_id=stored.id or 0, created_by="test").id or 0


def answer_all(engine: Engine, assessment_id: int, bank: Bank, answers: dict[str, AnswerValue]) -> None:
    with db.write_session(engine) as session:
        for key, value in answers.items():
            save_answer(session, assessment_id=assessment_id, question_key=key, answer=value, by="test")


def random_round(engine: Engine, bank: Bank, rng: random.Random, *, org: str, team: str) -> int:
    """A round with a random share of random answers; some pre-filled, some later cleared."""
    assessment_id = new_round(engine, bank, org=org, team=team, prefill=rng.random() < 0.3)
    share = rng.choice([0.0, 0.3, 0.8, 1.0])
    chosen = [q for q in bank.questions if rng.random() < share]
    answer_all(engine, assessment_id, bank, {q.key: random_answer(rng, q) for q in chosen})
    with db.write_session(engine) as session:
        for q in rng.sample(chosen, k=min(2, len(chosen))) if rng.random() < 0.3 else []:
            clear_answer(session, assessment_id=assessment_id, question_key=q.key, by="test")
    return assessment_id


def random_organisation(engine: Engine, bank: Bank, seed: int, *, org: str = "Acme", teams: int = 6) -> None:
    """`teams` teams with 1-3 random rounds each, plus one team without any round."""
    rng = random.Random(seed)
    for n in range(teams):
        for _ in range(rng.randint(1, 3)):
            random_round(engine, bank, rng, org=org, team=f"Team {n:02d}")
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


@pytest.fixture
def newer_bank(bank: Bank) -> Bank:
    return edited_bank(bank)


# --- AppTest: the real app.py on the test database ------------------------------------------------------------


@pytest.fixture
def demo_app(app_engine: Engine, bank: Bank) -> Engine:
    with db.write_session(app_engine) as session:
        load_demo(session, bank=bank)
    return app_engine


def texts(at: AppTest, kind: str) -> str:
    """All text of one element kind (info, caption, markdown...) joined, for assertions."""
    return "\n".join(str(e.value) for e in getattr(at, kind))
