"""An organisation's branding on its PDFs: a hostile logo fetches and runs nothing, colours stay readable,
no branding means today's report, and the branded demo carries its brand on the cover, heads and charts."""

from __future__ import annotations

import base64
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import select

from assessment.assessments.repository import load_assessment
from assessment.core import db
from assessment.core.colours import contrast
from assessment.demo import DEMO_BRAND, DEMO_ORG
from assessment.models.assessments import Assessment, Organisation, Team
from assessment.organisations.brand import Brand, BrandError, brand_of, make_brand, save_brand
from assessment.organisations.logo import clean_svg
from reports.brand_preview import preview_pages
from reports.build import report_pdf
from reports.context import build_context
from reports.html import render_html
from reports.pdf import BundledAssetFetcher, render_pdf
from reports.portfolio import portfolio_pdf
from reports.report_charts import render_charts
from tests.support.canary import Canary
from tests.support.pdf import page_picture, page_text, read, shows_colour

LOGO_PLATE = (85, 62, 260, 125)  # where the cover's white plate holds the logo, in points


def hostile_svg(base: str) -> bytes:
    """A logo that tries every way an SVG has to fetch or run something."""
    return f"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 120 40"
     onload="fetch('{base}/onload')">
  <script>fetch('{base}/script')</script>
  <script xlink:href="{base}/script.js"/>
  <style>@import url({base}/style.css); rect {{ fill: url({base}/fill) }}</style>
  <image href="{base}/image.png" width="10" height="10"/>
  <image xlink:href="{base}/xlink.png" width="10" height="10"/>
  <use xlink:href="{base}/sprite.svg#a"/>
  <a xlink:href="javascript:fetch('{base}/a')"><rect width="10" height="10"/></a>
  <foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml" src="{base}/iframe"/>
  </foreignObject>
  <rect width="120" height="40" fill="url({base}/paint)" style="fill: url({base}/style-attr)"/>
  <circle cx="20" cy="20" r="16" fill="#0f766e" onclick="fetch('{base}/click')"/>
</svg>""".encode()


def test_the_sanitiser_keeps_shapes_and_drops_everything_that_fetches_or_runs(canary: Canary) -> None:
    clean = clean_svg(hostile_svg(canary.base)).decode()
    assert '<circle cx="20" cy="20" r="16" fill="#0f766e" />' in clean
    for gone in ("script", "image", "foreignObject", "iframe", "style", "onload", "onclick", "javascript", "127.0.0.1"):
        assert gone not in clean, gone


def _branded_org(engine: Engine, logo: bytes, name: str = DEMO_ORG) -> int:
    with db.read_session(engine) as session:
        org = session.exec(select(Organisation).where(Organisation.name == name)).one()
    save_brand(
        engine,
        actor=None,
        organisation_id=org.id or 0,
        brand=make_brand(name="Canary Consulting", accent="#0f766e", logo=logo, logo_name="logo.svg"),
    )
    return org.id or 0


def _first_assessment(engine: Engine) -> int:
    with db.read_session(engine) as session:
        return min(a.id or 0 for a in session.exec(select(Assessment)))


def test_a_hostile_svg_logo_fetches_nothing_and_the_pdf_holds_no_script(demo_engine: Engine, canary: Canary) -> None:
    _branded_org(demo_engine, hostile_svg(canary.base))
    pdf = report_pdf(demo_engine, _first_assessment(demo_engine))
    assert canary.requests == []
    reader = read(pdf)
    assert "Canary Consulting" in page_text(reader, 0, 1)
    assert shows_colour(page_picture(pdf), LOGO_PLATE, "#0f766e")  # the logo's circle, drawn from the rebuilt SVG
    for marker in (b"/JavaScript", b"/JS", b"/Launch", b"/URI", b"/EmbeddedFile", b"<script", b"127.0.0.1"):
        assert marker not in pdf, marker


def test_the_fetcher_refuses_what_a_raw_hostile_svg_asks_for(canary: Canary) -> None:
    """The second line of defence: even an SVG that skipped the sanitiser fetches nothing."""
    raw = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 40 40">'
        f'<image href="{canary.base}/image.png" width="9" height="9"/>'
        f'<image xlink:href="{canary.base}/xlink.png" width="9" height="9"/></svg>'
    )
    uri = "data:image/svg+xml;base64," + base64.b64encode(raw.encode()).decode()
    fetcher = BundledAssetFetcher()
    pdf = render_pdf(f'<html><body><img src="{uri}"></body></html>', fetcher)
    assert canary.requests == []
    assert sorted(fetcher.refused) == [f"{canary.base}/image.png", f"{canary.base}/xlink.png"]
    assert b"/JavaScript" not in pdf


@pytest.mark.parametrize(
    ("colour", "ratio", "ground"),
    [("#60a5fa", "2.54:1", "white"), ("#eaaa08", "2.05:1", "white"), ("#737373", "4.42:1", "light grey")],
)
def test_an_accent_below_wcag_aa_is_refused_with_its_measured_ratio(colour: str, ratio: str, ground: str) -> None:
    with pytest.raises(BrandError, match=f"contrast of {re.escape(ratio)} against [^;]*{ground}"):
        make_brand(accent=colour)


@given(st.from_regex(r"#[0-9a-f]{6}", fullmatch=True))
def test_every_accepted_accent_reads_on_white_and_the_light_grey(colour: str) -> None:
    try:
        brand = make_brand(accent=colour)
    except BrandError:
        assert min(contrast(colour, "#ffffff"), contrast(colour, "#f5f7fa")) < 4.5
        return
    assert brand.accent == colour
    assert contrast(colour, "#ffffff") >= 4.5
    assert contrast(colour, "#f5f7fa") >= 4.5


def test_every_problem_is_listed_and_nothing_is_stored(engine: Engine) -> None:
    with db.write_session(engine) as session:
        org = Organisation(name="Acme")
        session.add(org)
        session.flush()
        org_id = org.id or 0
    with pytest.raises(BrandError) as caught:
        make_brand(name="x" * 121, accent="teal", logo=b"GIF89a....", logo_name="logo.gif")
    assert caught.value.problems == (
        "the organisation or consultancy name is 121 characters; the limit is 120",
        "accent colour: 'teal' is not a colour: give it as #rrggbb, e.g. #1d4ed8",
        "the logo must be a PNG or an SVG file",
    )
    with db.read_session(engine) as session:
        assert brand_of(session, organisation_id=org_id) is None


def test_branding_is_stored_with_its_logo_and_removed_by_an_empty_one(engine: Engine) -> None:
    png = io.BytesIO()
    Image.new("RGB", (40, 20), "#0f766e").save(png, format="PNG", pnginfo=None)
    with db.write_session(engine) as session:
        org = Organisation(name="Acme")
        session.add(org)
        session.flush()
        org_id = org.id or 0
    brand = make_brand(prepared_by="Acme Consulting", logo=png.getvalue() + b"trailing", logo_name="a.png")
    save_brand(engine, actor=None, organisation_id=org_id, brand=brand)
    with db.read_session(engine) as session:
        stored = brand_of(session, organisation_id=org_id)
    assert stored == brand
    assert stored is not None
    assert stored.logo is not None
    assert stored.logo.endswith(b"IEND\xaeB`\x82")
    save_brand(engine, actor=None, organisation_id=org_id, brand=Brand())
    with db.read_session(engine) as session:
        assert brand_of(session, organisation_id=org_id) is None


def test_without_branding_the_report_is_todays(demo_engine: Engine) -> None:
    """No branding: no brand style, no brand on the cover, the running heads as before."""
    with db.read_session(demo_engine) as session:
        data = load_assessment(session, assessment_id=_first_assessment(demo_engine))
    plain_ctx = build_context(data)
    charts = render_charts(plain_ctx)  # drawn once: each drawing numbers its clip paths afresh
    html = render_html(plain_ctx, charts)
    assert html == render_html(build_context(data, brand=Brand()), charts)
    assert 'class="brand' not in html
    assert "prepared" not in html
    assert ".pill.now" not in html
    assert f'data-confidential="{DEMO_ORG} · Confidential"' in html
    assert f'data-team="{data.team} · round {data.round_number}"' in html


def test_the_branded_demo_shows_its_brand_on_cover_heads_and_charts(demo_engine: Engine) -> None:
    with db.read_session(demo_engine) as session:
        org = session.exec(select(Organisation).where(Organisation.name == DEMO_ORG)).one()
        assert brand_of(session, organisation_id=org.id or 0) == DEMO_BRAND
        checkout = session.exec(select(Team).where(Team.name == "Checkout")).one()
    with db.read_session(demo_engine) as session:
        round_id = session.exec(select(Assessment.id).where(Assessment.team_id == checkout.id)).first()
    pdf = report_pdf(demo_engine, round_id or 0)
    reader = read(pdf)
    cover, body = page_text(reader, 0, 1), page_text(reader, 2, 3)
    assert "Halyard Reliability Partners" in cover
    assert "Prepared by Maya Okafor, Halyard Reliability Partners" in cover
    assert "Confidential: prepared for Northwind Streaming by Halyard Reliability Partners" in cover
    assert shows_colour(page_picture(pdf), LOGO_PLATE, "#99f6e4")  # the logo's second sail
    heads = "Halyard Reliability Partners · Checkout · round 1 Executive summary "  # margin boxes come last
    # the page count follows the demo's content, not the brand
    assert re.search(
        re.escape(heads + "Confidential: prepared for Northwind Streaming by Halyard Reliability Partners Page 3 of ")
        + r"\d+$",
        body,
    )
    assert reader.metadata is not None
    assert reader.metadata.author == "Maya Okafor, Halyard Reliability Partners"


def test_the_plan_chart_takes_the_accent_for_now(demo_engine: Engine) -> None:
    with db.read_session(demo_engine) as session:
        data = load_assessment(session, assessment_id=_first_assessment(demo_engine))
    charts = render_charts(build_context(data, brand=DEMO_BRAND))
    plain = render_charts(build_context(data))
    assert charts.plan
    assert plain.plan
    assert "#0f766e" in base64.b64decode(charts.plan.split(",", 1)[1]).decode()
    assert "#0f766e" not in base64.b64decode(plain.plan.split(",", 1)[1]).decode()


def test_the_portfolio_carries_the_brand_on_its_cover_and_every_page(demo_engine: Engine) -> None:
    reader = read(portfolio_pdf(demo_engine, DEMO_ORG))
    assert "Prepared by Maya Okafor, Halyard Reliability Partners" in page_text(reader, 0, 1)
    last = page_text(reader, len(reader.pages) - 1)  # a team page, laid out apart and joined
    assert "Halyard Reliability Partners · Portfolio · " in last
    assert "Confidential: prepared for Northwind Streaming by Halyard Reliability Partners" in last


def test_the_preview_draws_the_cover_and_a_body_page() -> None:
    pages = preview_pages(DEMO_BRAND, "Northwind Streaming")
    assert len(pages) == 2
    cover = Image.open(io.BytesIO(pages[0])).convert("RGB")
    assert cover.width > 400
    assert cover.height > 1.3 * cover.width
    assert cover.getpixel((5, cover.height // 2)) == (15, 118, 110)  # the accent band, #0f766e
