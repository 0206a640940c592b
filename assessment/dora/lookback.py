"""The attribution look-back, per organisation: how long before an incident a deployment may have caused it.

An incident without a deployment or change id is attributed to the latest deployment
of the same service at most this many hours before it started. The window decides
which deployments count as failed, so it moves the change failure rate (and with it
the DORA cluster): the organisation sets it once, and every figure that depends on it
(the metrics, the roadmap's evidence, the report) uses the same value and says which.

The default, 24 hours, covers a bad deployment noticed the next morning without
blaming a change shipped days earlier for an unrelated failure (docs/DORA.md).
"""

from __future__ import annotations

import math

from sqlmodel import Session

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in, record_done_in
from assessment.core.errors import FoundationsError, NotFoundError
from assessment.core.numbers import number_text
from assessment.dora.metrics.compute import DEFAULT_LOOKBACK_HOURS
from assessment.models.assessments import Organisation, Team

MAX_LOOKBACK_HOURS = 24.0 * 30


def organisation_lookback(session: Session, *, organisation_id: int) -> float:
    """The organisation's look-back in hours (the default when it never set one)."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"no organisation with id {organisation_id}")
    return org.dora_lookback_hours if org.dora_lookback_hours is not None else DEFAULT_LOOKBACK_HOURS


def team_lookback(session: Session, *, team_id: int) -> float:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFoundError(f"no team with id {team_id}")
    return organisation_lookback(session, organisation_id=team.organisation_id)


def set_organisation_lookback(session: Session, *, organisation_id: int, hours: float) -> float:
    """Store the organisation's look-back; only people who may import DORA data may change it."""
    authorize_in(session, None, Action.IMPORT_DORA, access.organisation(organisation_id))
    if not math.isfinite(hours) or not 0 < hours <= MAX_LOOKBACK_HOURS:
        raise FoundationsError(
            f"the look-back must be more than 0 and at most {MAX_LOOKBACK_HOURS:.0f} hours, not {number_text(hours)}"
        )
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"no organisation with id {organisation_id}")
    org.dora_lookback_hours = hours
    session.add(org)
    record_done_in(
        session,
        Action.IMPORT_DORA,
        access.organisation(organisation_id),
        f"DORA attribution look-back set to {lookback_text(hours)}",
    )
    session.flush()
    return hours


def lookback_text(hours: float) -> str:
    """ "24 h": how every figure that depends on it names the look-back."""
    return f"{hours:g} h"
