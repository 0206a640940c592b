"""PDFs read back with pypdf: text as a reader sees it, bookmarks, fonts and images."""

from __future__ import annotations

import io
import re
from typing import Any

from pypdf import PdfReader
from pypdf.generic import DictionaryObject


def read(pdf: bytes) -> PdfReader:
    """The document, after checking it is a PDF at all."""
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def squash(text: str) -> str:
    """Text with every run of whitespace made one space: table cells wrap lines anywhere.

    A line that breaks after a hyphen ("known-" / "good") is joined back without a space.
    """
    return re.sub(r"\s+", " ", text.replace("-\n", "-")).strip()


def page_text(reader: PdfReader, first: int = 0, last: int | None = None) -> str:
    """The text of pages `first` up to `last` (all by default), squashed."""
    return squash(" ".join(p.extract_text() or "" for p in reader.pages[first:last]))


def outline(reader: PdfReader) -> list[tuple[str, int, int]]:
    """(title, depth, 0-based page) of every bookmark, in document order."""
    found: list[tuple[str, int, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                page = reader.get_destination_page_number(item)
                assert page is not None, item.title
                found.append((str(item.title), depth, page))

    walk(reader.outline, 0)
    return found


def fonts_of(resources: DictionaryObject | None, seen: set[int] | None = None) -> list[DictionaryObject]:
    """Every font dictionary reachable from a resource dictionary, through form XObjects too."""
    seen = seen if seen is not None else set()
    if not resources or id(resources) in seen:
        return []
    seen.add(id(resources))
    fonts = [f.get_object() for f in (resources.get("/Font") or {}).values()]
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        fonts += fonts_of(xobject.get("/Resources"), seen)
    return fonts


def images_of(resources: DictionaryObject | None) -> list[DictionaryObject]:
    """Raster images reachable from a resource dictionary (charts must not be among them)."""
    if not resources:
        return []
    found = []
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Image":
            found.append(xobject)
        found += images_of(xobject.get("/Resources"))
    return found


def slow_warm_up(seconds: float) -> None:
    """A report worker's warm-up that takes `seconds` longer than the real one (a slow start on a busy machine).

    Module level, so a spawned worker can import it by name (use `functools.partial(slow_warm_up, s)`).
    """
    import time

    from reports.worker import warm_up

    warm_up()
    time.sleep(seconds)  # stands for a start-up slower than a report's time limit


def page_picture(pdf: bytes, index: int = 0) -> Any:
    """One page drawn by PDFium at 72 dpi (1 pixel per point), as an RGB PIL image: to look at what is printed."""
    import pypdfium2 as pdfium  # only the tests that look at pixels load PDFium

    document = pdfium.PdfDocument(pdf)
    try:
        return document[index].render(scale=1).to_pil().convert("RGB")
    finally:
        document.close()


def shows_colour(picture: Any, box: tuple[int, int, int, int], colour: str, tolerance: int = 6) -> bool:
    """Whether a pixel inside `box` (left, top, right, bottom) has the #rrggbb `colour`, give or take anti-aliasing."""
    want = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    pixels = picture.crop(box).get_flattened_data()
    return any(all(abs(a - b) <= tolerance for a, b in zip(p, want, strict=True)) for p in pixels)
