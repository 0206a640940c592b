"""An organisation's report branding: who prepared the reports, their logo, accent colour and confidentiality line.

Consultancies hand reports over under their own name. Everything here is
optional; an organisation with no branding gets today's reports unchanged. Each
value is checked before anything is stored (every problem at once), the logo is
made safe (assessment/organisations/logo.py) and the accent colour must be
readable as words on the report's white and light grey, and under white words,
at WCAG AA (4.5:1): a refusal quotes the measured ratio.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from assessment.access.policy import Action, Actor, acting, authorize, organisation, record_done
from assessment.core import db
from assessment.core.colours import WCAG_AA_TEXT, contrast, parse_colour
from assessment.core.errors import FoundationsError, NotFoundError
from assessment.core.names import name_problem
from assessment.core.types import utcnow
from assessment.models.assessments import Organisation, Team
from assessment.models.branding import OrganisationBrand
from assessment.organisations.logo import LogoError, LogoType, clean_logo

LIMITS = {"name": 120, "prepared_by": 200, "confidentiality": 200}
LABELS = {
    "name": "organisation or consultancy name",
    "prepared_by": '"prepared by"',
    "confidentiality": "confidentiality line",
}
# Where the report puts the accent: words on white and on its light grey (#f5f7fa), white words on it.
ACCENT_GROUNDS = {"white": "#ffffff", "the report's light grey": "#f5f7fa"}


class BrandError(FoundationsError):
    """One or more branding values cannot be used; the message lists every problem, `problems` each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Brand:
    """Report branding as the reports read it; the logo, when there is one, is already safe to draw."""

    name: str | None = None
    prepared_by: str | None = None
    confidentiality: str | None = None
    accent: str | None = None
    logo: bytes | None = None
    logo_type: LogoType | None = None

    @property
    def empty(self) -> bool:
        return not any((self.name, self.prepared_by, self.confidentiality, self.accent, self.logo))


def accent_problem(colour: str) -> str | None:
    """Why the accent cannot be used, with the measured contrast ratio; None when it reads well everywhere."""
    for ground, value in ACCENT_GROUNDS.items():
        ratio = contrast(colour, value)
        if ratio < WCAG_AA_TEXT:
            return (
                f"accent colour {colour} has a contrast of {ratio:.2f}:1 against {ground} ({value}); "
                f"WCAG AA needs {WCAG_AA_TEXT}:1 for words: choose a darker colour"
            )
    return None


def make_brand(
    *,
    name: str | None = None,
    prepared_by: str | None = None,
    confidentiality: str | None = None,
    accent: str | None = None,
    logo: bytes | None = None,
    logo_name: str = "",
) -> Brand:
    """Check every value and return the branding (logo made safe), or BrandError naming every problem."""
    problems: list[str] = []
    texts = {"name": name, "prepared_by": prepared_by, "confidentiality": confidentiality}
    cleaned = {key: _text(key, value, problems) for key, value in texts.items()}
    colour = _accent(accent, problems)
    safe_logo, logo_type = None, None
    if logo:
        try:
            safe_logo, logo_type = clean_logo(logo, logo_name)
        except LogoError as exc:
            problems.append(str(exc))
    if problems:
        raise BrandError(problems)
    return Brand(**cleaned, accent=colour, logo=safe_logo, logo_type=logo_type)


def _text(key: str, value: str | None, problems: list[str]) -> str | None:
    text = " ".join((value or "").split())  # one line: it goes on the cover and in the running heads
    if len(text) > LIMITS[key]:
        problems.append(f"the {LABELS[key]} is {len(text)} characters; the limit is {LIMITS[key]}")
    elif problem := name_problem(text, LIMITS[key]):
        problems.append(f"the {LABELS[key]} {problem}")
    return text or None


def _accent(accent: str | None, problems: list[str]) -> str | None:
    if not (accent or "").strip():
        return None
    try:
        colour = parse_colour(accent or "")
    except ValueError as exc:
        problems.append(f"accent colour: {exc}")
        return None
    problem = accent_problem(colour)
    if problem:
        problems.append(problem)
    return colour


def brand_of(session: Session, *, organisation_id: int) -> Brand | None:
    """The organisation's branding, None when it has none (callers have checked the caller may see its reports)."""
    row = session.get(OrganisationBrand, organisation_id)
    if row is None:
        return None
    logo_type: LogoType | None = "image/svg+xml" if row.logo_type == "image/svg+xml" else "image/png"
    return Brand(
        name=row.name,
        prepared_by=row.prepared_by,
        confidentiality=row.confidentiality,
        accent=row.accent,
        logo=row.logo,
        logo_type=logo_type if row.logo else None,
    )


def team_brand(session: Session, *, team_id: int) -> Brand | None:
    """The branding of the team's organisation (None when it has none)."""
    team = session.get(Team, team_id)
    return brand_of(session, organisation_id=team.organisation_id) if team is not None else None


def save_brand(engine: Engine, *, actor: Actor | None, organisation_id: int, brand: Brand) -> str:
    """Store the organisation's branding (an empty one removes it: today's look); say what changed."""
    authorize(engine, actor, Action.BRAND_REPORTS, organisation(organisation_id))
    with db.write_session(engine) as session:
        return store_brand(session, organisation_id=organisation_id, brand=brand, by=str(acting(actor, engine)))


def store_brand(session: Session, *, organisation_id: int, brand: Brand, by: str, audit: bool = True) -> str:
    """Write the branding (and its audit row) in the caller's transaction (the caller checked the actor's role)."""
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"no organisation with id {organisation_id}")
    row = session.get(OrganisationBrand, organisation_id)
    if brand.empty:
        if row is not None:
            session.delete(row)
        said = f"{org.name}'s reports have no branding: they look as Foundations makes them"
    else:
        row = row or OrganisationBrand(organisation_id=organisation_id)
        for field in ("name", "prepared_by", "confidentiality", "accent", "logo", "logo_type"):
            setattr(row, field, getattr(brand, field))
        row.updated_by, row.updated_at = by, utcnow()
        session.add(row)
        said = f"{org.name}'s reports now carry its branding"
    if not audit:  # demo data: nobody acted
        return said
    record_done(
        session,
        by=by,
        action=Action.BRAND_REPORTS,
        organisation_id=organisation_id,
        target=f"organisation {organisation_id}",
        detail=said,
    )
    return said
