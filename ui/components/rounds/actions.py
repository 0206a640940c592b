"""Callbacks of the Rounds page that change records: start a (pre-filled) round, confirm carried answers.

Each is one short write transaction; problems become a notice for the next run.
"""

from __future__ import annotations

from assessment.access.policy import Action, Actor, assessment, authorize, team
from assessment.assessments.banks import bank_for_round
from assessment.assessments.rounds import confirm_answers, start_round
from assessment.core import db
from assessment.core.errors import FoundationsError
from ui import database, state
from ui.components.rounds.state import BANK, CONFIRM, LABEL, PREFILL
from ui.text import plain, sentence


def start_next_round(actor: Actor, team_id: int) -> None:
    """Start the team's next round on the bank picked (the shipped one by default), pre-filled if asked, and open it."""
    engine = database.engine()
    try:
        authorize(engine, actor, Action.MANAGE_ROUNDS, team(team_id))
        with db.write_session(engine) as session:
            stored = bank_for_round(
                session, team_id=team_id, bank_version_id=BANK.get() or None
            )  # SHIPPED (0): the shipped bank
            started = start_round(
                session,
                team_id=team_id,
                bank_version_id=stored.id or 0,
                by=str(actor),
                prefill=bool(PREFILL.get()),
                label=LABEL.get() or None,
            )
    except FoundationsError as exc:
        state.set_notice("error", sentence(str(exc)))
        return
    LABEL.set("")
    note = f"Round {started.round_number:d} started on " + plain(f"{stored.title} ({stored.bank_id} {stored.version})")
    if started.carried:
        note += f" with {started.carried} answer(s) carried over: confirm or change each one"
    if started.skipped:
        note += f"; {len(started.skipped)} earlier answer(s) no longer fit the question bank and were left out"
    if started.stale:
        note += f"; {len(started.stale)} carried answer(s) rest on stale evidence, re-confirm them with new evidence: "
        note += "; ".join(plain(str(s)) for s in started.stale)
    state.set_notice("warning" if started.stale else "success", note + ".")
    state.request_page(state.ASSESS_PAGE, started.assessment_id)


def confirm(actor: Actor, assessment_id: int, every: bool) -> None:
    """Confirm the selected carried-over answers (or all of them)."""
    keys = None if every else list(CONFIRM.get() or [])
    if keys == []:
        state.set_notice("info", "Select the answers to confirm first.")
        return
    engine = database.engine()
    try:
        authorize(engine, actor, Action.ANSWER, assessment(assessment_id))
        with db.write_session(engine) as session:
            done = confirm_answers(session, assessment_id=assessment_id, by=str(actor), question_keys=keys)
    except FoundationsError as exc:
        state.set_notice("error", sentence(str(exc)))
        return
    CONFIRM.set([])
    state.set_notice("success", f"Confirmed {len(done)} carried-over answer(s).")
