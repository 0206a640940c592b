"""A preview of an organisation's branding before it is saved: the cover and a body page, as pictures.

The pages are the report's own templates and stylesheet (`_cover.html`, the
running heads of page.css, the accent rules of `_brand.html`) filled with sample
words, laid out by WeasyPrint with the same URL fetcher, then drawn as PNGs with
PDFium, so what an owner sees is what a client will get.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pypdfium2 as pdfium

from assessment.organisations.brand import Brand
from reports.branding import BrandView, brand_view
from reports.html import REPORT_CSS, environment
from reports.pdf import render_pdf

PREVIEW_SCALE = 0.9  # 72 dpi x 0.9: about 535 x 760 pixels for an A4 page, sharp enough on a settings page


@dataclass(frozen=True)
class PreviewContext:
    """What the cover and the running heads read, with sample values where a real report has its own."""

    organisation: str
    brand: BrandView | None
    team: str = "Your team"
    title: str = "Branding preview"
    author: str = ""
    headline: str = "Branding preview"
    bank_title: str = "Foundations assessment"
    bank_id: str = "foundations"
    bank_version: str = "2.0.0"
    round_number: int = 1
    round_label: str | None = None
    status: str = "completed"
    assessed_on: str = ""
    generated_on: str = ""
    answered: int = 47
    total: int = 47


def preview_pdf(brand: Brand | None, organisation: str) -> bytes:
    """The cover and one body page of a report with this branding."""
    today = f"{date.today():%-d %B %Y}"
    ctx = PreviewContext(organisation=organisation, brand=brand_view(brand), assessed_on=today, generated_on=today)
    html = environment().get_template("brand_preview.html").render(ctx=ctx)
    return render_pdf(html, css=REPORT_CSS)


def preview_pages(brand: Brand | None, organisation: str) -> list[bytes]:
    """The preview's pages as PNG pictures."""
    document = pdfium.PdfDocument(preview_pdf(brand, organisation))
    try:
        pictures = []
        for index in range(len(document)):
            image = document[index].render(scale=PREVIEW_SCALE).to_pil()
            out = io.BytesIO()
            image.save(out, format="PNG")
            pictures.append(out.getvalue())
        return pictures
    finally:
        document.close()
