"""What importing a document would grant: its members' roles and the reach of its workshops' secrets.

A file is not an identity. Whoever wrote it could list themselves as an owner, or carry the
digest of a facilitator key or participant token they hold, and importing it would let them in.
So `store_bundle` lists this access, person by person and workshop by workshop, and imports a
document that carries any only when asked to (`foundations import --with-access`; the command
line acts as an install administrator). Without it nothing is imported and the list says what
the file would have granted.
"""

from __future__ import annotations

from assessment.core.errors import FoundationsError
from assessment.interchange.bundle.schema import Bundle, BundleWorkshop
from assessment.workshops.tokens import format_join_code

WITH_ACCESS = (
    'Give --with-access to import it with this access, or set "memberships" and "workshops" to null in the '
    "file to import the rest without it."
)


class AccessNotGranted(FoundationsError):
    """The document carries access and the import was not asked to grant it; nothing was imported."""


def access_lines(doc: Bundle) -> list[str]:
    """One line per membership (who, which role, which organisation) and per workshop (what its secrets open)."""
    org = repr(doc.organisation)
    members = [f"{m.email}: {m.role} in {org}" for m in doc.memberships or []]
    return members + [_workshop_line(w, org) for w in doc.workshops or []]


def _workshop_line(workshop: BundleWorkshop, org: str) -> str:
    people = sum(len(team.participants) for team in workshop.teams)
    code = format_join_code(workshop.join_code)
    state = (
        f"open until {workshop.expires_at:%Y-%m-%d %H:%M} UTC: join code {code} lets anyone join"
        if workshop.status == "open"
        else f"closed: join code {code} opens again if it is reopened"
    )
    return (
        f"workshop {workshop.title!r} in {org} ({state}); whoever holds its facilitator key opens its dashboard "
        f"with every participant's answers; {people} participant link(s) open their own answers"
    )


def refuse_ungranted(doc: Bundle, source: str) -> None:
    """Raise AccessNotGranted, listing the access, when the document carries any."""
    lines = access_lines(doc)
    if lines:
        listed = "\n".join(f"  {line}" for line in lines)
        raise AccessNotGranted(
            f"{source}: nothing was imported, because importing it would grant this access:\n{listed}\n{WITH_ACCESS}"
        )
