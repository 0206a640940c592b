"""Lay out the portfolio PDF: the overview, then the team pages (on every core when there are many), joined.

WeasyPrint is single-threaded Python; 500 team pages on one core take long. So
the report is laid out as parts joined with pypdf, and every page still says
"Page n of M" with the contents, the team index and the bookmarks agreeing:

1. The overview (cover, contents, summary, heatmap, gaps, movement and the
   "One page per team" chapter with its team index) is laid out first, with a
   blank stand-in page per team after it. The stand-ins carry the teams'
   anchors and bookmarks, so WeasyPrint itself numbers the team index and the
   links, and its `counter(pages)` is already the joined PDF's page count M.
2. Every team page is exactly one page: the context bounds every list and text
   on it (reports/portfolio_context.py), and each part is checked here; a page
   that runs over raises `TeamPageOverflow` naming the team.
3. The team pages are laid out in chunks with their own small stylesheet
   (portfolio_pages.css), each told its first page number (`@page :first {
   counter-reset: page n }`) and M, in spawned worker processes when there
   are more than `SERIAL_MAX` teams, in this process otherwise.
4. The join keeps the overview's pages without the stand-ins, appends the
   chunks in their place, and keeps the overview's bookmarks and link targets,
   which already name the right pages.

Python's cyclic garbage collector is paused while a part is laid out: WeasyPrint
builds millions of short-lived objects and the collector's passes over them
were a third of the layout time; the garbage is collected once afterwards.
"""

from __future__ import annotations

import gc
import io
import multiprocessing as mp
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from itertools import pairwise
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import Fit

from assessment.core.errors import FoundationsError
from reports.html import REPORT_CSS, environment
from reports.pdf import render_pdf
from reports.portfolio_context import PortfolioContext, TeamPage

PAGES_CSS = "portfolio_pages.css"  # under reports/static: the team pages' own stylesheet
SERIAL_MAX = 60  # up to this many teams the team pages are laid out in this process (no worker start-up)
CHUNK_TEAMS = 25  # team pages per part: small enough that the last parts balance across the workers


class TeamPageOverflow(FoundationsError):
    """A team page ran over one page: the page numbers of the joined PDF would be wrong, so nothing is written."""


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during a layout; one collection after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    gc.freeze()  # what exists now is not the layout's garbage: the collection afterwards skips it
    try:
        yield
    finally:
        gc.collect()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def render_html(ctx: PortfolioContext, charts: Any) -> str:
    """The overview as one HTML document, with a stand-in page per team."""
    return environment().get_template("portfolio.html").render(ctx=ctx, charts=charts)


def chunk_html(ctx: PortfolioContext, pages: Sequence[TeamPage], first_page: int, total_pages: int) -> str:
    """Team pages as a document of their own, numbered from `first_page` (1-based) of `total_pages`."""
    return (
        environment()
        .get_template("portfolio_team_chunk.html")
        .render(ctx=ctx, pages=pages, first_page=first_page, total_pages=total_pages)
    )


def lay_out_overview(html: str) -> bytes:
    with _collector_paused():
        return render_pdf(html, css=REPORT_CSS)


def lay_out_chunk(html: str, teams: Sequence[str]) -> bytes:
    """One chunk's PDF, checked to hold exactly one page per team (worker entry point: module level)."""
    with _collector_paused():
        pdf = render_pdf(html, css=PAGES_CSS)
    reader = PdfReader(io.BytesIO(pdf))
    if len(reader.pages) != len(teams):
        starts = [
            reader.get_destination_page_number(item) or 0 for item in reader.outline if not isinstance(item, list)
        ]  # each team's title is a bookmark on its first page
        over = next((n for n, (a, b) in enumerate(pairwise([*starts, len(reader.pages)])) if b - a != 1), 0)
        raise TeamPageOverflow(
            f"the page of team {teams[over]!r} does not fit on one page of the portfolio PDF "
            f"(please report this; the team's own report has all of it)"
        )
    return pdf


def _warm_up() -> None:
    """Load WeasyPrint, the team pages' stylesheet and fonts while the overview is laid out."""
    lay_out_chunk('<div class="team-page first">.</div>', ["warm-up"])


def render_portfolio(ctx: PortfolioContext, charts: Any, *, workers: int | None = None) -> bytes:
    """The PDF bytes: overview and team pages laid out as parts, numbered as one document, joined."""
    starts = range(0, len(ctx.pages), CHUNK_TEAMS)
    count = workers or max(1, min(len(starts), os.cpu_count() or 1))
    pool = None
    if len(ctx.pages) > SERIAL_MAX or workers:
        pool = ProcessPoolExecutor(max_workers=count, mp_context=mp.get_context("spawn"))
    try:
        if pool:
            for _ in range(count):  # each submission starts a worker while the others are busy warming up
                pool.submit(_warm_up)
        overview = PdfReader(io.BytesIO(lay_out_overview(render_html(ctx, charts))))
        front = len(overview.pages) - len(ctx.pages)  # pages before the stand-ins
        _check_stand_ins(overview, ctx, front)
        jobs = [
            (
                chunk_html(ctx, ctx.pages[s : s + CHUNK_TEAMS], front + s + 1, len(overview.pages)),
                [t.team for t in ctx.pages[s : s + CHUNK_TEAMS]],
            )
            for s in starts
        ]
        if pool:
            futures: list[Future[bytes]] = [pool.submit(lay_out_chunk, html, teams) for html, teams in jobs]
            parts = [future.result() for future in futures]
        else:
            parts = [lay_out_chunk(html, teams) for html, teams in jobs]
    finally:
        if pool:
            pool.shutdown(cancel_futures=True)
    return join(overview, front, parts)


def _check_stand_ins(overview: PdfReader, ctx: PortfolioContext, front: int) -> None:
    """Each team's anchor must be on its own stand-in page, in order: the join relies on it."""
    dests = overview.named_destinations
    where = [overview.get_destination_page_number(dests[t.anchor]) if t.anchor in dests else None for t in ctx.pages]
    if where != list(range(front, front + len(ctx.pages))):
        raise RuntimeError(f"portfolio overview: team stand-ins are on pages {where[:5]}…, not from {front} on")


def join(overview: PdfReader, front: int, parts: Sequence[bytes]) -> bytes:
    """The overview's first `front` pages, then the parts' pages; the overview's bookmarks and link targets."""
    writer = PdfWriter()
    writer.append(overview, pages=(0, front), import_outline=False)
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)), import_outline=False)
    _copy_outline(writer, overview, overview.outline, None)
    _copy_destinations(writer, overview, front)
    if overview.metadata:
        writer.add_metadata({k: v for k, v in overview.metadata.items() if isinstance(v, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _copy_outline(writer: PdfWriter, reader: PdfReader, items: list[Any], parent: Any) -> None:
    """Recreate the overview's bookmarks in the writer: a stand-in's page index is its team page's."""
    last = None
    for item in items:
        if isinstance(item, list):
            _copy_outline(writer, reader, item, last)
            continue
        page = reader.get_destination_page_number(item)
        if page is None:  # a bookmark without a page: nothing to point at
            continue
        last = writer.add_outline_item(title=str(item.title), page_number=page, parent=parent)


def _copy_destinations(writer: PdfWriter, reader: PdfReader, front: int) -> None:
    """The team anchors (the heatmap's and the index's link targets) on their team pages; `append` copied the rest."""
    for name, dest in reader.named_destinations.items():
        page = reader.get_destination_page_number(dest)
        if page is not None and page >= front:
            writer.add_named_destination(name, page, fit=Fit.xyz(left=dest.get("/Left"), top=dest.get("/Top")))
