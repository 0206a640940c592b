"""A small room answering at once, with the dashboard reading throughout: nothing lost, no errors.

The benchmark (benchmarks/workshop_load.py) does the same with 50 participants and
prints timings; this test asserts only outcomes, never durations.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import func, select

from assessment.assessments.repository import load_assessment
from assessment.bank.answers import AnswerValue
from assessment.bank.model import Bank
from assessment.core import db
from assessment.demo import demo_answer
from assessment.models.workshops import ParticipantAnswer
from assessment.workshops.dashboard import team_dashboard
from assessment.workshops.facilitator import AgreedAnswerConflict, record_agreed_answer
from assessment.workshops.participants import participant_view
from tests.support.workshops import Room

PEOPLE = 8


def final_answers(bank: Bank, n: int) -> dict[str, AnswerValue]:
    return {q.key: demo_answer(q, (n + i) % 5) for i, q in enumerate(bank.questions)}


def test_participants_answering_at_once_lose_nothing(room: Room, bank: Bank) -> None:
    teams = ["Payments", "Checkout"]
    tokens = [room.join(f"P{n}", teams[n % 2]) for n in range(PEOPLE)]
    start, done = threading.Barrier(PEOPLE + 1), threading.Event()
    reads: list[int] = []

    def participant(n: int) -> None:
        start.wait()
        for q in bank.questions:  # a first answer, then the final one: the last write must win
            room.answer(tokens[n], q.key, demo_answer(q, (n + 2) % 5))
        for key, answer in final_answers(bank, n).items():
            room.answer(tokens[n], key, answer)

    def dashboard() -> None:
        start.wait()
        while not done.is_set():
            with db.read_session(room.engine) as session:
                board = team_dashboard(
                    session, workshop_id=room.id, key=room.key, workshop_team_id=room.team_ids["Payments"]
                )
            reads.append(sum(p.answered for p in board.participants))

    with ThreadPoolExecutor(PEOPLE + 1) as pool:
        watcher = pool.submit(dashboard)
        futures = [pool.submit(participant, n) for n in range(PEOPLE)]
        errors = [f.exception() for f in futures]
        done.set()
        watcher.result()
    assert errors == [None] * PEOPLE
    with db.read_session(room.engine) as session:
        assert session.exec(select(func.count()).select_from(ParticipantAnswer)).one() == PEOPLE * len(bank.questions)
        for n, token in enumerate(tokens):
            assert participant_view(session, token=token).answers == final_answers(bank, n)
    assert reads
    assert reads == sorted(reads)


def test_two_facilitators_saving_the_same_answer_at_once_one_wins(room: Room, bank: Bank) -> None:
    keys = [q.key for q in bank.questions if q.type.value == "level"][:4]
    outcomes: list[tuple[str, str, str]] = []
    lock = threading.Lock()

    def facilitator(name: str, level: int, key: str, gate: threading.Barrier) -> None:
        gate.wait()
        try:
            with db.write_session(room.engine) as session:
                record_agreed_answer(
                    session,
                    workshop_id=room.id,
                    key=room.key,
                    workshop_team_id=room.team_ids["Payments"],
                    question_key=key,
                    answer=demo_answer(bank.question(key), level),
                    by=name,
                    expected_version=0,
                )
            result = "saved"
        except AgreedAnswerConflict as conflict:  # a conflict without the current answer fails the check below
            result = f"refused, {conflict.current.by if conflict.current else 'nobody'} was first"
        with lock:
            outcomes.append((key, name, result))

    for key in keys:
        gate = threading.Barrier(2)
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(facilitator, ["Fran", "Sam"], [1, 3], [key] * 2, [gate] * 2))
    assert len(outcomes) == 2 * len(keys)
    with db.read_session(room.engine) as session:
        meta = load_assessment(session, assessment_id=room.created.assessment_ids["Payments"]).answer_meta
    for key in keys:
        winner, _, version = meta[key]
        loser = "Sam" if winner == "Fran" else "Fran"
        assert version == 1  # written once
        assert sorted(o for o in outcomes if o[0] == key) == sorted(
            [(key, winner, "saved"), (key, loser, f"refused, {winner} was first")]
        )
