"""The Question banks page's one write: publish the uploaded bank for the organisation (owners only).

The file is checked again here, from the uploader's current value, so what is
published is exactly what the page showed as sound.
"""

from __future__ import annotations

import streamlit as st

from assessment.access.policy import Actor
from assessment.assessments.banks import publish_bank
from assessment.bank.loader import BankError, parse_bank_bytes
from assessment.core.errors import FoundationsError
from ui import database, state
from ui.components.banks.state import UPLOAD
from ui.text import sentence


def publish(actor: Actor, organisation_id: int) -> None:
    """Callback: publish the uploaded bank; the outcome (or every problem) is the next run's notice."""
    upload = st.session_state.get(UPLOAD)
    if upload is None:
        state.set_notice("info", "Upload a bank file first.")
        return
    try:
        bank = parse_bank_bytes(upload.getvalue(), upload.name)
        published = publish_bank(database.engine(), actor=actor, organisation_id=organisation_id, bank=bank)
    except BankError as exc:
        state.set_notice("error", sentence(f"nothing was published: {len(exc.issues)} problem(s) in {upload.name}"))
        return
    except FoundationsError as exc:
        state.set_notice("error", sentence(str(exc)))
        return
    state.set_notice("success" if published.new else "info", sentence(published.said))
