"""Report branding set by an owner: on the Organisation page (checked and previewed before saving) and with
`foundations org brand`; nothing is stored while any value is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from assessment.core import db
from assessment.demo import DEMO_BRAND, DEMO_ORG, LOGO
from assessment.models.assessments import Organisation
from assessment.models.branding import OrganisationBrand
from assessment.organisations.brand import Brand, brand_of
from tests.support.app import open_page, texts
from tests.support.cli import fails, run_ok

ACCESS = "ui/pages/access.py"


def _stored(engine: Engine) -> Brand | None:
    with db.read_session(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.name == DEMO_ORG)).one()
        return brand_of(session, organisation_id=org.id or 0)


def _rows(engine: Engine) -> int:
    with db.read_session(engine) as session:
        return len(list(session.exec(select(OrganisationBrand))))


def test_the_cli_sets_shows_and_clears_the_branding(
    demo_app_engine: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_bytes(LOGO)
    before = _stored(demo_app_engine)
    error = fails(capsys, "org", "brand", "--org", DEMO_ORG, "--accent", "#60a5fa", "--name", "Other")
    assert "contrast of 2.54:1 against white (#ffffff); WCAG AA needs 4.5:1" in error
    assert _stored(demo_app_engine) == before  # nothing stored, not even the name
    said = run_ok(capsys, "org", "brand", "--org", DEMO_ORG, "--accent", "115e59", "--no-logo")
    assert "accent           #115e59" in said
    assert "logo             no logo" in said
    stored = _stored(demo_app_engine)
    assert stored is not None
    assert (stored.name, stored.accent, stored.logo) == ("Halyard Reliability Partners", "#115e59", None)
    run_ok(capsys, "org", "brand", "--org", DEMO_ORG, "--logo", str(logo))
    assert run_ok(capsys, "org", "brand", "--org", DEMO_ORG).count("image/svg+xml logo") == 1
    assert "no branding" in run_ok(capsys, "org", "brand", "--org", DEMO_ORG, "--clear")
    assert _rows(demo_app_engine) == 0
    assert "no organisation named 'Nobody'" in fails(capsys, "org", "brand", "--org", "Nobody", "--name", "x")


def test_local_mode_owns_the_branding_on_the_organisation_page(demo_app_engine: Engine) -> None:
    at = open_page(ACCESS)
    assert not at.exception
    assert at.title[0].value == "Organisation"
    assert at.text_input(key="brand_name").value == "Halyard Reliability Partners"  # filled from the store
    assert not [t for t in at.text_input if t.key == "acc_email"]  # no members to manage in a local install
    at.text_input(key="brand_name").set_value("<b>Acme</b> & Co")
    at.color_picker(key="brand_accent").set_value("#60a5fa")
    at.button(key="brand_save").click().run()
    errors = texts(at, "error")
    assert "Nothing was saved" in errors
    assert "Accent colour #60a5fa has a contrast of 2.54:1 against white (#ffffff)" in errors
    assert _stored(demo_app_engine) == DEMO_BRAND  # nothing stored, not even the name
    at.color_picker(key="brand_accent").set_value("#115e59")
    at.text_input(key="brand_confidentiality").set_value("Strictly confidential")
    at.button(key="brand_preview_btn").click().run()
    assert not at.exception
    assert len(at.get("image")) == 2  # the cover and a body page, before anything is stored
    assert _stored(demo_app_engine) == DEMO_BRAND
    at.button(key="brand_save").click().run()
    stored = _stored(demo_app_engine)
    assert stored is not None
    assert (stored.name, stored.accent) == ("<b>Acme</b> & Co", "#115e59")
    assert stored.confidentiality == "Strictly confidential"
    assert stored.logo is not None  # the stored logo stays
    assert "Northwind Streaming's reports now carry its branding." in texts(at, "success")
    at.button(key="brand_clear").click().run()
    assert _rows(demo_app_engine) == 0
