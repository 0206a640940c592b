"""User text never becomes markup or a fetched resource, even when it is written to look like both.

A canary HTTP server listens on loopback for the whole module; every test asserts
it received nothing. The second line of defence (the URL fetcher) is tested on raw
hostile HTML as well, as if a template had forgotten to escape.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from assessment.assessments.repository import create_assessment, save_answer, store_bank
from assessment.bank.answers import answered, dont_know
from assessment.bank.model import Bank
from assessment.core import db
from assessment.organisations.directory import ensure_organisation, ensure_team
from reports.build import report_pdf
from reports.pdf import STATIC, BundledAssetFetcher, RefusedURL, render_pdf
from tests.support.canary import Canary
from tests.support.pdf import page_text, read


def _compact(text: str) -> str:
    """Text without any whitespace: a long note wraps at "/" inside a table cell, anywhere."""
    return "".join(text.split())


def hostile_notes(port: int) -> dict[str, str]:
    return {
        "fi_instance_kill": '<img src="file:///etc/passwd">',
        "fi_timeouts": '<link rel="attachment" href="file:///etc/hostname">',
        "fi_dependency_map": f"<style>@import url(http://127.0.0.1:{port}/x)</style>",
        "rb_rollback_path": f'<img src="http://127.0.0.1:{port}/pixel.png"> & "quotes" </td></tr></table>',
    }


def _hostile_assessment(engine: Engine, bank: Bank, port: int) -> int:
    notes = hostile_notes(port)
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name="<b>Evil</b> & Co")
        team = ensure_team(session, organisation_id=org.id or 0, name="<script>alert(1)</script>")
        stored = store_bank(session, bank=bank)
        assessment = create_assessment(
            session,
            team_id=team.id or 0,
            bank_version_id=stored.id or 0,
            created_by="<i>someone</i>",
            label="<u>round</u>",
        )
        for key, note in notes.items():
            save_answer(
                session,
                assessment_id=assessment.id or 0,
                question_key=key,
                by="tester",
                answer=dont_know(note=note, evidence_url=f"http://127.0.0.1:{port}/evidence"),
            )
        save_answer(
            session,
            assessment_id=assessment.id or 0,
            question_key="pm_incident_record",
            by="tester",
            answer=answered(False, note="<a href='file:///etc/shadow'>click</a>"),
        )
        return assessment.id or 0


def test_hostile_user_text_prints_literally_and_fetches_nothing(engine: Engine, bank: Bank, canary: Canary) -> None:
    port = canary.server_address[1]
    pdf = report_pdf(engine, _hostile_assessment(engine, bank, port))
    reader = read(pdf)
    text = _compact(page_text(reader))
    for note in [
        *hostile_notes(port).values(),
        "<a href='file:///etc/shadow'>click</a>",
        "<script>alert(1)</script>",
        "<b>Evil</b> & Co",
        f"http://127.0.0.1:{port}/evidence",
    ]:
        assert _compact(note) in text, note
    assert canary.requests == []
    assert reader.attachments == {}
    assert "/EmbeddedFiles" not in str(reader.root_object.get("/Names", {}))
    assert b"/EmbeddedFile" not in pdf
    assert b"root:" not in pdf  # nothing of /etc/passwd


def test_the_fetcher_refuses_raw_hostile_markup(canary: Canary) -> None:
    port = canary.server_address[1]
    html = f"""<html><head><style>@import url(http://127.0.0.1:{port}/import.css);</style>
      <link rel="stylesheet" href="http://127.0.0.1:{port}/sheet.css">
      <link rel="attachment" href="file:///etc/hostname"></head>
      <body><p>unescaped</p><img src="file:///etc/passwd"><img src="http://127.0.0.1:{port}/img.png">
      <img src="../pdf.py"><a rel="attachment" href="file:///etc/hostname">x</a></body></html>"""
    fetcher = BundledAssetFetcher()
    pdf = render_pdf(html, fetcher)
    reader = read(pdf)
    assert canary.requests == []
    assert reader.attachments == {}
    assert b"/EmbeddedFile" not in pdf
    assert any("etc/passwd" in url for url in fetcher.refused)
    assert any(f"127.0.0.1:{port}" in url for url in fetcher.refused)
    assert any(url.endswith("/reports/pdf.py") for url in fetcher.refused)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        (STATIC / "fonts").as_uri(),  # a folder, not a file
        (STATIC / ".." / "pdf.py").as_uri(),
        "file://otherhost" + str(STATIC / "report.css"),
        (STATIC / "report.css").as_uri() + "?x=1",
        "http://127.0.0.1:9/report.css",
        "https://example.invalid/font.otf",
        "data:text/html;base64,PGI+aGk8L2I+",
        "ftp://127.0.0.1/x",
    ],
)
def test_fetcher_refuses_everything_but_bundled_files(url: str) -> None:
    with pytest.raises(RefusedURL, match="not a bundled report asset"):
        BundledAssetFetcher().fetch(url)


def test_fetcher_serves_bundled_files_and_svg_data(tmp_path: Path) -> None:
    fetcher = BundledAssetFetcher()
    css = fetcher.fetch((STATIC / "report.css").as_uri())
    assert css.read().startswith(b"/*")
    assert css.content_type == "text/css"
    font = fetcher.fetch((STATIC / "fonts" / "Inter-Regular.otf").as_uri())
    assert font.read(4) == b"OTTO"
    svg = fetcher.fetch("data:image/svg+xml;base64,PHN2Zy8+")
    assert svg.read() == b"<svg/>"
    outside = tmp_path / "secret.css"
    outside.write_text("x")
    with pytest.raises(RefusedURL):
        fetcher.fetch(outside.as_uri())
