"""Storage on a real database (SQLite, or PostgreSQL with FOUNDATIONS_TEST_DATABASE_URL).

Covers the organisation > team > assessment > answer chain, the append-only
history, optimistic versions, bank immutability, and concurrent writers.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from assessment.assessments.repository import (
    answer_history,
    answers_for,
    clear_answer,
    create_assessment,
    list_assessments,
    load_assessment,
    save_answer,
    store_bank,
)
from assessment.assessments.rounds import carried_over_keys, start_round
from assessment.assessments.scores import refresh_many
from assessment.bank.answers import (
    AnswerStatus,
    AnswerValue,
    answered,
    check_answer,
    dont_know,
    not_applicable,
)
from assessment.bank.model import Bank
from assessment.core import db
from assessment.core.errors import ConflictError, FoundationsError, InvalidAnswerError, NotFoundError
from assessment.demo import demo_answer
from assessment.models.assessments import Answer, AnswerEvent, Assessment, Organisation
from assessment.models.scores import FoundationScore
from assessment.organisations.directory import ensure_organisation, ensure_team, find_team
from assessment.scoring.engine import score_assessment
from assessment.scoring.gates import GateState
from tests.support.banks import bank_v1


def new_assessment(engine: Engine, bank: Bank, *, team: str = "Payments", org: str = "Acme") -> int:
    with db.write_session(engine) as session:
        organisation = ensure_organisation(session, name=org)
        t = ensure_team(session, organisation_id=organisation.id or 0, name=team)
        stored = store_bank(session, bank=bank)
        assessment = create_assessment(session, team_id=t.id or 0, bank_version_id=stored.id or 0, created_by="test")
        assert assessment.id is not None
        return assessment.id


def save(
    engine: Engine,
    assessment_id: int,
    key: str,
    answer: AnswerValue,
    *,
    by: str = "ana",
    expected_version: int | None = None,
) -> int:
    with db.write_session(engine) as session:
        return save_answer(
            session,
            assessment_id=assessment_id,
            question_key=key,
            answer=answer,
            by=by,
            expected_version=expected_version,
        )


def count(engine: Engine, model: type[Answer | AnswerEvent]) -> int:
    with db.read_session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def history_rows(engine: Engine, assessment_id: int) -> list[tuple[object, ...]]:
    with db.read_session(engine) as session:
        return [
            (e.id, e.question_key, e.status, e.value_json, e.answered_by, e.recorded_at)
            for e in answer_history(session, assessment_id=assessment_id)
        ]


# --- organisations, teams, rounds ---------------------------------------------------------------


def test_organisation_team_and_rounds(engine: Engine, bank: Bank) -> None:
    first = new_assessment(engine, bank)
    second = new_assessment(engine, bank)
    other = new_assessment(engine, bank, team="Catalogue")
    with db.read_session(engine) as session:
        rounds = {s.id: (s.team, s.round_number) for s in list_assessments(session)}
        assert rounds == {first: ("Payments", 1), second: ("Payments", 2), other: ("Catalogue", 1)}
        assert len(session.exec(select(Organisation)).all()) == 1
        assert find_team(session, team="Payments", organisation="Acme").name == "Payments"
        with pytest.raises(NotFoundError, match="no team named 'Nobody'"):
            find_team(session, team="Nobody")


def test_names_are_trimmed_and_empty_names_refused(engine: Engine) -> None:
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="  Acme  ")
        assert org.name == "Acme"
        assert ensure_organisation(session, name="Acme").id == org.id
        with pytest.raises(FoundationsError, match="team name must not be empty"):
            ensure_team(session, organisation_id=org.id or 0, name="   ")


def test_timestamps_come_back_timezone_aware(engine: Engine, bank: Bank) -> None:
    assessment_id = new_assessment(engine, bank)
    before = datetime.now(UTC)
    save(engine, assessment_id, "fi_timeouts", answered(2))
    with db.read_session(engine) as session:
        data = load_assessment(session, assessment_id=assessment_id)
        answer = session.exec(select(Answer)).one()
        event = session.exec(select(AnswerEvent)).one()
        org = session.exec(select(Organisation)).one()
    for stamp in (
        data.created_at,
        answer.answered_at,
        event.recorded_at,
        org.created_at,
        data.answer_meta["fi_timeouts"][1],
    ):
        assert stamp.tzinfo is not None
        assert stamp.utcoffset() == timedelta(0)
    assert before - timedelta(seconds=5) <= answer.answered_at <= datetime.now(UTC) + timedelta(seconds=5)


# --- answers and their history ------------------------------------------------------------------


def test_save_overwrite_clear_with_append_only_history(engine: Engine, bank: Bank) -> None:
    assessment_id = new_assessment(engine, bank)
    assert save(engine, assessment_id, "fi_timeouts", answered(1)) == 1
    first_history = history_rows(engine, assessment_id)
    assert len(first_history) == 1

    assert save(engine, assessment_id, "fi_timeouts", answered(3, note="template default"), by="ben") == 2
    second_history = history_rows(engine, assessment_id)
    assert len(second_history) == 2
    assert second_history[0] == first_history[0]

    with db.write_session(engine) as session:
        clear_answer(session, assessment_id=assessment_id, question_key="fi_timeouts", by="cy")
    third_history = history_rows(engine, assessment_id)
    assert len(third_history) == 3
    assert third_history[:2] == second_history
    assert [(r[2], r[3], r[4]) for r in third_history] == [
        ("answered", "1", "ana"),
        ("answered", "3", "ben"),
        ("cleared", None, "cy"),
    ]
    with db.read_session(engine) as session:
        assert answers_for(session, assessment_id=assessment_id) == {}

    assert save(engine, assessment_id, "fi_timeouts", answered(4)) == 1  # a fresh answer after a clear
    assert len(history_rows(engine, assessment_id)) == 4


def test_every_answer_type_round_trips(engine: Engine, bank: Bank) -> None:
    assessment_id = new_assessment(engine, bank)
    given = {
        "fi_timeouts": answered(
            3,
            note="a note <b>kept as text</b>",
            evidence_url="https://wiki.example/t",
            evidence_date=date(2026, 1, 31),
        ),
        "fi_circuit_breakers": not_applicable("no synchronous calls"),
        "fi_bulkheads": answered("per_critical"),
        "fi_dependency_map": answered(True),
        "oc_owned_services_share": answered(87.5),
        "io_diagnosis_minutes_worst": dont_know(note="nobody timed it"),
        "ctx_approval": answered("peer_review"),
        "ctx_deploys_per_week": answered(0.5),
    }
    for key, answer in given.items():
        save(engine, assessment_id, key, answer)
    with db.read_session(engine) as session:
        stored = answers_for(session, assessment_id=assessment_id)
    assert stored == given
    assert stored["oc_owned_services_share"].value == 87.5
    assert stored["fi_dependency_map"].value is True


def test_expected_version_guards_against_stale_writes(engine: Engine, bank: Bank) -> None:
    assessment_id = new_assessment(engine, bank)
    assert save(engine, assessment_id, "fi_timeouts", answered(1), expected_version=0) == 1
    with pytest.raises(ConflictError, match="fi_timeouts"):
        save(engine, assessment_id, "fi_timeouts", answered(2), expected_version=0)  # someone answered first
    assert save(engine, assessment_id, "fi_timeouts", answered(2), expected_version=1) == 2
    with pytest.raises(ConflictError, match="changed by someone else"):
        save(engine, assessment_id, "fi_timeouts", answered(4), expected_version=1)  # loaded before v2
    with db.read_session(engine) as session:
        assert answers_for(session, assessment_id=assessment_id)["fi_timeouts"].value == 2
    assert len(history_rows(engine, assessment_id)) == 2  # refused writes leave no history


def test_expected_version_conflicts_with_a_clear(engine: Engine, bank: Bank) -> None:
    """Someone cleared the answer after I loaded version 1: my save must not silently recreate it."""
    assessment_id = new_assessment(engine, bank)
    save(engine, assessment_id, "fi_timeouts", answered(1))
    with db.write_session(engine) as session:
        clear_answer(session, assessment_id=assessment_id, question_key="fi_timeouts", by="ben")
    with pytest.raises(ConflictError):
        save(engine, assessment_id, "fi_timeouts", answered(3), expected_version=1)
    with db.read_session(engine) as session:
        assert answers_for(session, assessment_id=assessment_id) == {}


def test_bank_edited_without_new_version_is_refused(engine: Engine, bank: Bank) -> None:
    new_assessment(engine, bank)
    edited = bank.model_copy(update={"bank": bank.bank.model_copy(update={"title": "Edited title"})})
    with (
        pytest.raises(FoundationsError, match="give the edited bank a new version number"),
        db.write_session(engine) as session,
    ):
        store_bank(session, bank=edited)
    bumped = bank.model_copy(update={"bank": edited.bank.model_copy(update={"version": "99.1.0"})})
    with db.write_session(engine) as session:
        assert store_bank(session, bank=bumped).version == "99.1.0"
        assert store_bank(session, bank=bank).version == bank.version == "2.1.0"  # the original is still accepted


def test_a_bank_1_round_keeps_bank_1_and_a_bank_2_round_carries_only_unchanged_questions(
    engine: Engine, bank: Bank
) -> None:
    """Upgrading a team is explicit: its next round starts on bank 2 and takes the answers whose meaning held.

    Bank 2 keeps 29 of bank 1's questions word for word; it reworded the rollback time (now
    "the last real or drilled rollback", in any unit of minutes) and dropped four questions.
    """
    old_bank = bank_v1()
    given = {
        "fi_timeouts": answered(3, note="set in the template"),
        "rb_last_rollback_minutes": answered(4),  # reworded in bank 2: answer it again
        "oc_owned_services_share": answered(87.5),
        "io_root_cause_minutes": answered(12),  # no longer asked
        "rb_rollback_path": answered(2),  # bank 1's self-rated gate: 50 < 75 fails it
    }
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="Acme")
        team = ensure_team(session, organisation_id=org.id or 0, name="Payments")
        stored_v1 = store_bank(session, bank=old_bank)
        first = create_assessment(session, team_id=team.id or 0, bank_version_id=stored_v1.id or 0, created_by="t")
        for key, answer in given.items():
            save_answer(session, assessment_id=first.id or 0, question_key=key, answer=answer, by="ana")
        stored_v2 = store_bank(session, bank=bank)
        started = start_round(session, team_id=team.id or 0, bank_version_id=stored_v2.id or 0, by="ben", prefill=True)
    assert started.round_number == 2
    assert started.carried == 3
    assert started.skipped == (
        "rb_last_rollback_minutes: the question changed in foundations 2.1.0; answer it again",
        "io_root_cause_minutes: no longer asked in foundations 2.1.0",
    )
    with db.read_session(engine) as session:
        before = load_assessment(session, assessment_id=first.id or 0)
        after = load_assessment(session, assessment_id=started.assessment_id)
        carried = carried_over_keys(session, assessment_id=started.assessment_id)
        gates = dict(
            session.exec(
                select(FoundationScore.assessment_id, FoundationScore.gate).where(
                    FoundationScore.foundation == "rollback_speed"
                )
            ).all()
        )
    assert before.bank.version == "1.0.0"
    assert before.answers == {k: check_answer(old_bank.question(k), a) for k, a in given.items()}
    old_score = score_assessment(before.bank, before.answers).foundations["rollback_speed"]
    assert (old_score.measured, old_score.gate) == (False, GateState.FAILED)  # still decided by the self-rating
    assert gates[first.id or 0] == "failed"
    assert after.bank.version == "2.1.0"
    assert set(after.answers) == set(carried) == {"fi_timeouts", "oc_owned_services_share", "rb_rollback_path"}
    assert after.answers["fi_timeouts"].note == "set in the template"
    assert gates[started.assessment_id] == "unanswered"  # bank 2 asks for the measured rollback time again
    with db.write_session(engine) as session:
        refresh_many(session)  # recomputing every stored score keeps each round on its own bank
    with db.read_session(engine) as session:
        assert (
            session.exec(
                select(FoundationScore.gate).where(
                    FoundationScore.assessment_id == first.id, FoundationScore.foundation == "rollback_speed"
                )
            ).one()
            == "failed"
        )


@pytest.mark.parametrize(
    ("key", "answer", "message"),
    [
        ("fi_timeouts", answered(7), "fi_timeouts: level must be a whole number from 0 to 4"),
        ("fi_timeouts", answered("high"), "fi_timeouts: level must be a whole number from 0 to 4"),
        ("no_such_question", answered(2), "no_such_question: unknown question key"),
        ("fi_circuit_breakers", not_applicable(""), "fi_circuit_breakers: 'not applicable' needs a reason"),
        (
            "fi_circuit_breakers",
            not_applicable("   "),
            "fi_circuit_breakers: 'not applicable' needs a reason",
        ),
        (
            "fi_instance_kill",
            not_applicable("no instances"),
            "fi_instance_kill: 'not applicable' is not allowed",
        ),
        ("rb_deployment_pipeline", dont_know(), "rb_deployment_pipeline: 'don't know' is not allowed"),
        (
            "fi_timeouts",
            answered(2, evidence_url="javascript:alert(1)"),
            "fi_timeouts: the evidence link must be a web address starting with http:// or https://, "
            "not \u201cjavascript:alert(1)\u201d",
        ),
        ("fi_timeouts", answered(2, evidence_url="file:///etc/passwd"), "fi_timeouts: the evidence link must be"),
        (
            "oc_owned_services_share",
            answered(120),
            "oc_owned_services_share: answer must be between 0 and 100 % of services, not 120",
        ),
        (
            "rb_last_rollback_minutes",
            answered(float("nan")),
            "rb_last_rollback_minutes: answer must be an ordinary number of minutes, not not a number",
        ),
        ("fi_bulkheads", answered("everything"), "fi_bulkheads: answer must be one of"),
    ],
)
def test_invalid_answers_are_refused_and_nothing_is_saved(
    engine: Engine, bank: Bank, key: str, answer: AnswerValue, message: str
) -> None:
    assessment_id = new_assessment(engine, bank)

    def valid_then_invalid() -> None:
        with db.write_session(engine) as session:
            save_answer(
                session,
                assessment_id=assessment_id,
                question_key="fi_fallbacks",
                answer=answered("some_fallbacks"),
                by="ana",
            )  # valid, but in the same transaction
            save_answer(session, assessment_id=assessment_id, question_key=key, answer=answer, by="ana")

    with pytest.raises(InvalidAnswerError) as caught:
        valid_then_invalid()
    assert str(caught.value).startswith(message)
    assert "got" not in str(caught.value)  # a sentence, not Python's repr: "..., got 'high'" read like code
    assert count(engine, Answer) == 0
    assert count(engine, AnswerEvent) == 0


def test_missing_assessment_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFoundError, match="no assessment with id 999"):
        save(engine, 999, "fi_timeouts", answered(1))


# --- concurrent writers -------------------------------------------------------------------------

THREADS = 20
OWN_KEYS = 8


def _concurrent_saves(engine: Engine, bank: Bank) -> None:
    """20 threads: each fills its own assessment, and all of them also write one shared assessment."""
    own = [new_assessment(engine, bank, team=f"Team {i}") for i in range(THREADS)]
    shared = new_assessment(engine, bank, team="Shared")
    questions = bank.scored_questions()  # demo_answer places an answer at a level: context questions have none
    shared_key = questions[-1].key
    start = threading.Barrier(THREADS)

    def work(i: int) -> None:
        start.wait(timeout=300)
        for n, q in enumerate(questions[:OWN_KEYS]):
            save(engine, own[i], q.key, demo_answer(q, (i + n) % 5), by=f"user {i}")
        with db.write_session(engine) as session:  # two answers in one transaction
            q = questions[i]
            save_answer(session, assessment_id=shared, question_key=q.key, answer=demo_answer(q, i % 5), by=f"u{i}")
            save_answer(
                session,
                assessment_id=shared,
                question_key=shared_key,
                answer=demo_answer(questions[-1], i % 5),
                by=f"u{i}",
            )

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        results = [pool.submit(work, i) for i in range(THREADS)]
        errors = [r.exception(timeout=600) for r in results]
    assert errors == [None] * THREADS

    assert count(engine, Answer) == THREADS * OWN_KEYS + THREADS + 1
    assert count(engine, AnswerEvent) == THREADS * OWN_KEYS + 2 * THREADS
    with db.read_session(engine) as session:
        for i, assessment_id in enumerate(own):
            stored = answers_for(session, assessment_id=assessment_id)
            assert stored == {q.key: demo_answer(q, (i + n) % 5) for n, q in enumerate(questions[:OWN_KEYS])}
        meta = load_assessment(session, assessment_id=shared).answer_meta
        assert meta[shared_key][2] == THREADS  # every upsert of the shared answer raised its version
        assert len(meta) == THREADS + 1


def _migrated(url: str) -> Engine:
    engine = db.make_engine(url)
    db.upgrade(engine)
    return engine


def _with_engine(url: str, bank: Bank, body: Callable[[Engine, Bank], None]) -> None:
    engine = _migrated(url)
    try:
        body(engine, bank)
    finally:
        engine.dispose()


def test_twenty_threads_on_sqlite_lose_nothing(sqlite_url: str, bank: Bank) -> None:
    _with_engine(sqlite_url, bank, _concurrent_saves)


@pytest.mark.skipif(not os.environ.get("FOUNDATIONS_TEST_DATABASE_URL"), reason="PostgreSQL not configured")
def test_twenty_threads_on_postgresql_lose_nothing(database_url: str, bank: Bank) -> None:
    assert sa.make_url(database_url).get_backend_name() == "postgresql"
    _with_engine(database_url, bank, _concurrent_saves)


def test_statuses_are_stored_as_their_values(engine: Engine, bank: Bank) -> None:
    assessment_id = new_assessment(engine, bank)
    save(engine, assessment_id, "fi_timeouts", dont_know())
    with Session(engine) as session:
        row = session.exec(select(Answer)).one()
        assert (row.status, row.value_json) == (AnswerStatus.DONT_KNOW.value, None)
        assert session.get(Assessment, assessment_id) is not None
