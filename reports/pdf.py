"""PDF from report HTML with WeasyPrint; the only module that imports it.

The URL fetcher serves the report's own bundled files (under reports/static), the
chart images embedded as SVG data URIs and a branded logo (an SVG or PNG data URI,
made safe before it was stored), and refuses everything else: no file outside that
folder, no network address, whatever a template, a value or an SVG asks for.
"""

from __future__ import annotations

import base64
import logging
import threading
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

STATIC = (Path(__file__).parent / "static").resolve()
BASE_URL = STATIC.as_uri() + "/"
SVG_DATA = "data:image/svg+xml;base64,"
PNG_DATA = "data:image/png;base64,"
DATA_TYPES = {SVG_DATA: "image/svg+xml", PNG_DATA: "image/png"}
TYPES = {".css": "text/css", ".otf": "font/otf", ".ttf": "font/ttf", ".svg": "image/svg+xml"}

log = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """A resource outside the report's bundled assets was asked for."""


class BundledAssetFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types: its classes are Any
    """Serves files under reports/static and SVG or PNG data URIs; refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        for prefix, kind in DATA_TYPES.items():
            if url.startswith(prefix):
                body = base64.b64decode(url[len(prefix) :], validate=True)
                return URLFetcherResponse(url, body, {"Content-Type": kind})
        path = _bundled_path(url)
        if path is None:
            self.refused.append(url)
            log.warning("report refused to fetch %s", url[:200])
            raise RefusedURL(f"not a bundled report asset: {url[:200]}")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": TYPES.get(path.suffix, "")})


def _bundled_path(url: str) -> Path | None:
    """The file a `file:` URL names, if it is a regular file inside reports/static."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
        return None
    path = Path(unquote(parts.path)).resolve()
    if not path.is_relative_to(STATIC) or not path.is_file():
        return None
    return path


_lock = threading.Lock()  # the shared font configuration is used by one render at a time


@lru_cache(maxsize=4)
def stylesheet(name: str) -> tuple[CSS, FontConfiguration]:
    """A stylesheet under reports/static with its bundled fonts, parsed and loaded once per process."""
    fonts = FontConfiguration()
    css = CSS(url=(STATIC / name).as_uri(), font_config=fonts, url_fetcher=BundledAssetFetcher())
    return css, fonts


def render_pdf(html: str, fetcher: BundledAssetFetcher | None = None, *, css: str | None = None) -> bytes:
    """Lay out HTML and return the PDF bytes (fonts subset and embedded).

    `css` names a stylesheet under reports/static to apply; it is parsed and its
    fonts loaded once per process instead of once per document, which is why the
    report's HTML does not link it.
    """
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher or BundledAssetFetcher())
    if css is None:
        pdf: bytes = document.write_pdf()
        return pdf
    sheet, fonts = stylesheet(css)
    with _lock:
        pdf = document.write_pdf(stylesheets=[sheet], font_config=fonts)
    return pdf
