"""Column mappings saved under a name for an organisation, so the next export imports in one step.

Saving one is part of importing (the next importer picks it), so it needs the role
that may import; reading them needs the role that may see results. Refusals are
audited like every other (`authorize_in`).
"""

from __future__ import annotations

from sqlmodel import Session, select

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in, record_done_in
from assessment.core.types import utcnow
from assessment.dora.ingest.mapping import Mapping, mapping_to_json, parse_mapping
from assessment.models.dora import DoraSavedMapping
from assessment.organisations.directory import clean_name


def save_mapping(session: Session, *, organisation_id: int, name: str, mapping: Mapping) -> DoraSavedMapping:
    """Store (or overwrite) the organisation's mapping of this name (a role that may import DORA data)."""
    authorize_in(session, None, Action.IMPORT_DORA, access.organisation(organisation_id))
    name = clean_name("mapping", name)
    row = session.exec(
        select(DoraSavedMapping).where(
            DoraSavedMapping.organisation_id == organisation_id, DoraSavedMapping.name == name
        )
    ).first()
    row = row or DoraSavedMapping(organisation_id=organisation_id, name=name, content="")
    row.content = mapping_to_json(mapping)
    row.saved_at = utcnow()
    session.add(row)
    record_done_in(session, Action.IMPORT_DORA, access.organisation(organisation_id), f"DORA mapping “{name}” saved")
    session.flush()
    return row


def saved_mappings(session: Session, *, organisation_id: int) -> dict[str, Mapping]:
    """Name -> mapping, in name order (a role that may see the organisation's results)."""
    authorize_in(session, None, Action.VIEW_RESULTS, access.organisation(organisation_id))
    rows = session.exec(
        select(DoraSavedMapping)
        .where(DoraSavedMapping.organisation_id == organisation_id)
        .order_by(DoraSavedMapping.name)
    )
    return {row.name: parse_mapping(row.content, f"saved mapping {row.name!r}") for row in rows}
