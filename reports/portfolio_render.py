"""Lay out the portfolio PDF, on every core when it is large.

WeasyPrint is single-threaded Python, about a tenth of a second of CPU per team
page; 500 teams would take minutes on one core. Up to `SINGLE_DOCUMENT_MAX`
teams the report is one WeasyPrint document (links from the tables to the team
pages, "page x of y" footers). Beyond that the overview is laid out in this
process while spawned workers lay out the team pages in chunks, and pypdf joins
the parts: the overview's bookmarks and contents links are kept, each team gets
a bookmark under "One page per team", and team pages say "Team n of N" in the
footer instead of a page number (the parts are laid out before their page
numbers are known), while the overview's pages say "Page n".
"""

from __future__ import annotations

import dataclasses
import io
import multiprocessing as mp
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from pypdf import PdfReader, PdfWriter

from reports.html import REPORT_CSS, environment
from reports.pdf import render_pdf
from reports.portfolio_context import PortfolioContext, TeamPage

SINGLE_DOCUMENT_MAX = 60
CHUNK_TEAMS = 40
TEAMS_BOOKMARK = "One page per team"


def render_html(ctx: PortfolioContext, charts: Any, *, split: bool = False) -> str:
    """The report as one HTML document (with `split`, the overview only, laid out to be joined)."""
    return environment().get_template("portfolio.html").render(ctx=ctx, charts=charts, split=split)


def chunk_html(ctx: PortfolioContext, pages: Sequence[TeamPage], start: int) -> str:
    """Team pages `start + 1` to `start + len(pages)` as a document of their own."""
    return environment().get_template("portfolio_team_chunk.html").render(ctx=ctx, pages=pages, start=start)


def _lay_out(html: str) -> bytes:
    """Worker entry point (module level, so a spawned process can import it)."""
    return render_pdf(html, css=REPORT_CSS)


def render_portfolio(ctx: PortfolioContext, charts: Any, *, workers: int | None = None) -> bytes:
    """The PDF bytes; large portfolios are laid out in parallel and joined."""
    if len(ctx.pages) <= SINGLE_DOCUMENT_MAX:
        return _lay_out(render_html(ctx, charts))
    chunks = [(start, ctx.pages[start:start + CHUNK_TEAMS]) for start in range(0, len(ctx.pages), CHUNK_TEAMS)]
    count = workers or max(1, min(len(chunks), os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=count, mp_context=mp.get_context("spawn")) as pool:
        futures = [pool.submit(_lay_out, chunk_html(ctx, pages, start)) for start, pages in chunks]
        overview = _lay_out(render_html(dataclasses.replace(ctx, pages=()), charts, split=True))
        parts = [future.result() for future in futures]
    return join(overview, parts)


def join(overview: bytes, parts: Sequence[bytes]) -> bytes:
    """One PDF: the overview with its bookmarks, then every part's pages with their bookmarks nested."""
    writer = PdfWriter()
    main = PdfReader(io.BytesIO(overview))
    writer.append(main, import_outline=False)
    teams_parent = _copy_outline(writer, main, main.outline, None, 0)
    offset = len(main.pages)
    for part in parts:  # each part's first page only carries the running strings: it is left out
        reader = PdfReader(io.BytesIO(part))
        writer.append(reader, pages=(1, len(reader.pages)), import_outline=False)
        _copy_outline(writer, reader, reader.outline, teams_parent, offset - 1)
        offset += len(reader.pages) - 1
    if main.metadata:
        writer.add_metadata({k: v for k, v in main.metadata.items() if isinstance(v, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _copy_outline(writer: PdfWriter, reader: PdfReader, items: list[Any], parent: Any, offset: int) -> Any:
    """Recreate a reader's bookmarks in the writer (pages shifted by `offset`); return the teams bookmark."""
    found, last = None, None
    for item in items:
        if isinstance(item, list):
            inner = _copy_outline(writer, reader, item, last, offset)
            found = found or inner
            continue
        page = reader.get_destination_page_number(item)
        if page is None:  # a bookmark without a page (WeasyPrint writes none): nothing to point at
            continue
        last = writer.add_outline_item(title=str(item.title), page_number=offset + page, parent=parent)
        if str(item.title) == TEAMS_BOOKMARK:
            found = last
    return found
