"""Organisations and teams by name: get-or-create and lookups that forgive letter case.

Everything that names an organisation or a team (the app, the command line, the
imports, the workshops) goes through here, so "payments" and "Payments" are one
team everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from assessment.access import policy as access
from assessment.access.policy import Action, authorize_in, only_visible
from assessment.core.errors import FoundationsError, NotFoundError
from assessment.core.names import MAX_NAME as MAX_NAME
from assessment.core.names import checked_name
from assessment.models.assessments import Organisation, Team

RowT = TypeVar("RowT", Organisation, Team)


def clean_name(kind: str, name: str | None) -> str:
    """Organisation, team, workshop and mapping names: trimmed, non-empty, bounded, one plain line."""
    return checked_name(f"{kind} name", name)


# --- organisations and teams -------------------------------------------------------------


def find_organisation(session: Session, *, name: str) -> Organisation | None:
    """The organisation with this name; letter case only matters when it tells two apart."""
    return _by_name(
        list(session.exec(select(Organisation).where(func.lower(Organisation.name) == name.strip().lower()))),
        name.strip(),
    )


def _by_name(rows: list[RowT], name: str) -> RowT | None:
    """The row named exactly `name`, else the only one named so in another letter case.

    People type "payments" for "Payments"; a second team that differs only in case is
    almost always a typing accident, so lookups and get-or-create treat it as the same.
    """
    exact = [r for r in rows if r.name == name]
    if exact:
        return exact[0]
    if len(rows) > 1:
        spellings = ", ".join(repr(r.name) for r in rows)
        raise FoundationsError(f"{name!r} matches {spellings} in letter case only: use the exact name")
    return rows[0] if rows else None


def ensure_organisation(session: Session, *, name: str) -> Organisation:
    """The organisation with this name, created if it does not exist."""
    authorize_in(session, None, Action.CREATE_ORGANISATION, access.INSTALL)
    name = clean_name("organisation", name)
    return find_organisation(session, name=name) or _insert_or_find(
        session, Organisation(name=name), lambda: find_organisation(session, name=name)
    )


def list_organisations(session: Session) -> list[Organisation]:
    """The organisations the caller may see, by name (all of them in local mode)."""
    query = select(Organisation).order_by(Organisation.name)
    return list(session.exec(only_visible(session, query, col(Organisation.id))))


def list_teams(session: Session, *, organisation_id: int) -> list[Team]:
    authorize_in(session, None, Action.VIEW_RESULTS, access.organisation(organisation_id))
    return list(session.exec(select(Team).where(Team.organisation_id == organisation_id).order_by(Team.name)))


def ensure_team(session: Session, *, organisation_id: int, name: str) -> Team:
    """The team with this name in the organisation, created if it does not exist."""
    authorize_in(session, None, Action.MANAGE_ROUNDS, access.organisation(organisation_id))
    name = clean_name("team", name)

    def existing() -> Team | None:
        return _by_name(
            list(
                session.exec(
                    select(Team).where(Team.organisation_id == organisation_id, func.lower(Team.name) == name.lower())
                )
            ),
            name,
        )

    return existing() or _insert_or_find(session, Team(organisation_id=organisation_id, name=name), existing)


def _insert_or_find(session: Session, row: RowT, find: Callable[[], RowT | None]) -> RowT:
    """Insert a row with a unique name, or return the one a concurrent writer inserted first.

    On PostgreSQL two transactions can both find no row and both insert; the second
    insert violates the unique constraint. A savepoint keeps that failure from
    aborting the caller's transaction, and the row is then read back.
    """
    try:
        with session.begin_nested():
            session.add(row)
        return row
    except IntegrityError:
        found = find()
        if found is None:
            raise
        return found


def find_team(session: Session, *, team: str, organisation: str | None = None) -> Team:
    """Look a team up by name; the organisation is needed only when the name is ambiguous."""
    name = team.strip()
    query = select(Team).where(func.lower(Team.name) == name.lower())
    if organisation is not None:
        org = find_organisation(session, name=organisation)
        if org is None:
            raise NotFoundError(f"no organisation named {organisation!r}")
        query = query.where(Team.organisation_id == org.id)
    found = list(session.exec(query))
    found = [t for t in found if t.name == name] or found  # the exact spelling wins over other cases
    if not found:
        where = f" in {organisation!r}" if organisation else ""
        raise NotFoundError(f"no team named {team!r}{where}")
    if len(found) > 1:
        raise FoundationsError(f"several organisations have a team named {team!r}: give the organisation")
    return found[0]
