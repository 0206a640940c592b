"""Download buttons of the portfolio page: CSV, JSON and the portfolio PDF, each built only when clicked.

Streamlit runs a callable `data` when the button is pressed, in its own thread,
so a page rerun never pays for an export nobody asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.interchange.bundle.export import bundle_text, organisation_json
from assessment.interchange.exports import organisation_csv


def file_stem(name: str) -> str:
    """A safe file name part from an organisation name: 'Northwind Streaming' -> 'northwind-streaming'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "organisation"


def _csv(engine: Engine, organisation: str) -> Callable[[], str]:
    def build() -> str:
        with db.read_session(engine) as session:
            return organisation_csv(session, organisation=organisation)

    return build


def _json(engine: Engine, organisation: str) -> Callable[[], str]:
    def build() -> str:
        with db.read_session(engine) as session:
            return bundle_text(organisation_json(session, organisation=organisation))

    return build


def _pdf(engine: Engine, organisation: str) -> Callable[[], bytes]:
    def build() -> bytes:
        from reports.portfolio import portfolio_pdf  # WeasyPrint loads only when a PDF is asked for

        return portfolio_pdf(engine, organisation)

    return build


def buttons(engine: Engine, organisation: str, *, may_export: bool, may_report: bool) -> None:
    """The three downloads, each shown only to someone allowed to take it."""
    if not (may_export or may_report):
        return
    st.subheader("Downloads", anchor=False)
    stem = file_stem(organisation)
    pdf, csv, json = st.columns(3)
    if may_report:
        pdf.download_button(
            "Portfolio PDF",
            _pdf(engine, organisation),
            file_name=f"{stem}-portfolio.pdf",
            mime="application/pdf",
            icon=":material/picture_as_pdf:",
            key="portfolio_pdf",
            on_click="ignore",
            type="primary",
            width="stretch",
        )
    if may_export:
        csv.download_button(
            "All answers and scores (CSV)",
            _csv(engine, organisation),
            file_name=f"{stem}-answers.csv",
            mime="text/csv",
            icon=":material/table:",
            key="portfolio_csv",
            on_click="ignore",
            width="stretch",
        )
        json.download_button(
            "Everything (JSON, re-importable)",
            _json(engine, organisation),
            file_name=f"{stem}.json",
            mime="application/json",
            icon=":material/data_object:",
            key="portfolio_json",
            on_click="ignore",
            width="stretch",
        )
    st.caption(
        "The PDF takes a few seconds per hundred teams to prepare. The JSON file holds everything of the "
        "organisation (rounds and DORA data; workshops and members when an owner downloads it) and loads into "
        "another Foundations install that does not have it yet with `foundations import FILE`."
    )
