"""Report branding on the Access page: an owner fills it in, previews the cover and a body page, then saves.

Nothing is stored until "Save": the preview is made from the form's values, and
every problem (a colour that does not reach WCAG AA, a logo that is not a PNG or
an SVG) is listed before anything is written. The stored branding fills the form
once per organisation chosen.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from assessment.access.policy import Actor
from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.organisations.brand import Brand, BrandError, brand_of, make_brand, save_brand
from reports.charts.palette import PHASE_COLOURS
from ui import state
from ui.state import Slot
from ui.text import sentence

DEFAULT_ACCENT = PHASE_COLOURS["now"]  # the reports' own blue
FILLED_FOR = Slot[int | None]("brand_filled_for", None)  # the organisation the form was filled from
NAME = Slot[str]("brand_name", "")
PREPARED_BY = Slot[str]("brand_prepared_by", "")
CONFIDENTIALITY = Slot[str]("brand_confidentiality", "")
OWN_ACCENT = Slot[bool]("brand_own_accent", False)
ACCENT = Slot[str]("brand_accent", DEFAULT_ACCENT)
LOGO_FILE = "brand_logo"  # the uploader's key: its value is the uploaded file, not ours to set
DROP_LOGO = Slot[bool]("brand_drop_logo", False)
STORED_LOGO = Slot[tuple[bytes, str] | None]("brand_stored_logo", None)  # (logo, file name) of the stored branding
PROBLEMS = Slot[tuple[str, ...]]("brand_problems", ())
PREVIEW = Slot[list[bytes] | None]("brand_preview", None)


def fill_from_store(engine: Engine, org_id: int) -> None:
    """Put the stored branding into the form, once per organisation chosen (later edits stay until saved)."""
    if FILLED_FOR.get() == org_id:
        return
    with db.read_session(engine) as session:
        brand = brand_of(session, organisation_id=org_id) or Brand()
    NAME.set(brand.name or "")
    PREPARED_BY.set(brand.prepared_by or "")
    CONFIDENTIALITY.set(brand.confidentiality or "")
    OWN_ACCENT.set(brand.accent is not None)
    ACCENT.set(brand.accent or DEFAULT_ACCENT)
    DROP_LOGO.set(False)
    suffix = ".svg" if brand.logo_type == "image/svg+xml" else ".png"
    STORED_LOGO.set((brand.logo, suffix) if brand.logo else None)
    PROBLEMS.set(())
    PREVIEW.set(None)
    FILLED_FOR.set(org_id)


def from_form() -> Brand:
    """The branding the form holds, checked (BrandError lists every problem)."""
    upload = st.session_state.get(LOGO_FILE)
    logo, logo_name = (upload.getvalue(), upload.name) if upload is not None else (STORED_LOGO.get() or (None, ""))
    return make_brand(
        name=NAME.get(),
        prepared_by=PREPARED_BY.get(),
        confidentiality=CONFIDENTIALITY.get(),
        accent=ACCENT.get() if OWN_ACCENT.get() else None,
        logo=None if DROP_LOGO.get() else logo,
        logo_name=logo_name,
    )


def _preview(organisation: str) -> None:
    """Callback: check the form and draw the preview pages (nothing is stored)."""
    from reports.brand_preview import preview_pages  # WeasyPrint and PDFium load only when asked

    PREVIEW.set(None)
    try:
        brand = from_form()
    except BrandError as exc:
        PROBLEMS.set(exc.problems)
        return
    PROBLEMS.set(())
    PREVIEW.set(preview_pages(brand, organisation))


def _save(engine: Engine, who: Actor, org_id: int, clear: bool) -> None:
    """Callback: store the form's branding (or none), or list the problems and store nothing."""
    try:
        said = save_brand(engine, actor=who, organisation_id=org_id, brand=Brand() if clear else from_form())
    except BrandError as exc:
        PROBLEMS.set(exc.problems)
        return
    except FoundationsError as exc:
        state.set_notice("error", sentence(str(exc)))
        return
    FILLED_FOR.set(None)  # fill again from what was stored
    state.set_notice("success", sentence(said))


def branding_section(engine: Engine, who: Actor, org_id: int, organisation: str) -> None:
    """The form, its problems and its preview."""
    fill_from_store(engine, org_id)
    st.caption(
        "Shown on the cover and in the running heads of the team and portfolio PDFs. Leave everything empty "
        "for the reports as Foundations makes them."
    )
    left, right = st.columns(2)
    left.text_input("Organisation or consultancy name", key=NAME.key, max_chars=120)
    right.text_input("Prepared by", key=PREPARED_BY.key, max_chars=200, placeholder="Jane Doe, Acme Consulting")
    st.text_input("Confidentiality line (foot of every page)", key=CONFIDENTIALITY.key, max_chars=200)
    left, right = st.columns(2)
    left.toggle("Own accent colour", key=OWN_ACCENT.key, help="Must reach 4.5:1 against white (WCAG AA).")
    right.color_picker("Accent colour", key=ACCENT.key, disabled=not OWN_ACCENT.get())
    st.file_uploader("Logo (PNG or SVG)", type=["png", "svg"], key=LOGO_FILE, max_upload_size=1)
    if STORED_LOGO.get() is not None:
        st.checkbox("Remove the stored logo", key=DROP_LOGO.key)
    show_problems()
    preview, save, clear = st.columns(3)
    preview.button(
        "Preview", icon=":material/visibility:", key="brand_preview_btn", on_click=_preview, args=(organisation,)
    )
    save.button(
        "Save branding",
        type="primary",
        icon=":material/save:",
        key="brand_save",
        on_click=_save,
        args=(engine, who, org_id, False),
    )
    clear.button("Remove all branding", key="brand_clear", on_click=_save, args=(engine, who, org_id, True))
    pages = PREVIEW.get()
    if pages:
        st.caption("Preview: the cover and a body page, as the PDF will show them. Nothing is saved yet.")
        columns = st.columns(len(pages))
        for column, page in zip(columns, pages, strict=True):
            column.image(page, width="stretch")


def show_problems() -> None:
    problems = PROBLEMS.get()
    if problems:
        st.error("Nothing was saved:\n" + "\n".join(f"- {sentence(p)}" for p in problems), icon=":material/error:")
