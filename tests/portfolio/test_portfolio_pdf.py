"""The portfolio PDF, read back with pypdf: every section, every team, bookmarks, fonts, hostile names as text."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from assessment import cli, db
from assessment.answers import answered
from assessment.bank import Bank
from assessment.demo import DEMO_ORG, load_demo
from reports import portfolio_render
from reports.portfolio import build, portfolio_pdf
from tests.portfolio.conftest import answer_all, new_round

SECTIONS = ("Summary", "Levels and readiness per team", "Most common gaps",
            "Investments that would unblock the most teams", "Movement since the previous round", "One page per team")
DEMO_TEAMS = ("Payments", "Catalogue", "Checkout", "Platform", "Mobile API")


def text_of(reader: PdfReader) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))


def bookmarks(reader: PdfReader) -> dict[str, int]:
    """Bookmark title -> 0-based page, in document order."""
    found: dict[str, int] = {}

    def walk(items: list[object]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found[str(item.title)] = reader.get_destination_page_number(item)  # type: ignore[arg-type, attr-defined]

    walk(reader.outline)
    return found


@pytest.fixture
def demo(engine: Engine, bank: Bank) -> Engine:
    with db.write_session(engine) as session:
        load_demo(session, bank=bank)
    return engine


def test_demo_portfolio_pdf(demo: Engine) -> None:
    reader = PdfReader(io.BytesIO(portfolio_pdf(demo, DEMO_ORG)))
    text = text_of(reader)
    for heading in SECTIONS:
        assert heading in text
    marks = bookmarks(reader)
    assert [m for m in marks if m in SECTIONS] == list(SECTIONS) and set(DEMO_TEAMS) <= set(marks)
    assert [marks[m] for m in SECTIONS] == sorted(marks[m] for m in SECTIONS)
    team_pages = sorted(marks[t] for t in DEMO_TEAMS)
    assert len(set(team_pages)) == len(DEMO_TEAMS) and team_pages[-1] == len(reader.pages) - 1  # a page each
    ctx, _, _ = build(demo, DEMO_ORG)
    assert ctx.headline in text and ctx.gaps and ctx.unblockers
    assert f"{ctx.gaps[0].short} {ctx.gaps[0].foundation}" in text
    assert "+14" in text and "first round" in text
    fonts = {str(f.get("/BaseFont", "")) for page in reader.pages
             for f in (page.get("/Resources", {}).get("/Font", {}) or {}).values()  # type: ignore[union-attr]
             for f in [f.get_object()]}
    assert fonts and all("Inter" in f for f in fonts), fonts


def test_hostile_names_print_as_text(engine: Engine, bank: Bank) -> None:
    name = '<img src="http://127.0.0.1:9/x"> =HYPERLINK("x") & <b>bold</b>'
    first = new_round(engine, bank, org="Acme <script>", team=name)
    answer_all(engine, first, bank, {"fi_timeouts": answered(1, note="<a href='file:///etc/passwd'>x</a>")})
    text = text_of(PdfReader(io.BytesIO(portfolio_pdf(engine, "Acme <script>"))))
    assert name in text and "Acme <script>" in text


def test_cli_writes_the_portfolio(demo: Engine, env_database: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "portfolio.pdf"
    assert cli.main(["report", "--portfolio", DEMO_ORG, "-o", str(target)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {target} (")
    assert target.read_bytes().startswith(b"%PDF-") and not (tmp_path / "portfolio.pdf.partial").exists()
    for argv, message in ((["report", "--portfolio", "Nobody", "-o", str(target)], "no organisation named 'Nobody'"),
                          (["report", "-o", str(target)], "--portfolio ORG"),
                          (["report", "1", "--portfolio", DEMO_ORG, "-o", str(target)], "not both")):
        assert cli.main(argv) == 1
        err = capsys.readouterr().err
        assert message in err and len(err.splitlines()) == 1


def test_a_large_portfolio_is_laid_out_in_parts_and_joined(demo: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forced to split 5 teams into parts of 2 (as 500 teams would be in parts of 40), in 2 worker processes."""
    monkeypatch.setattr(portfolio_render, "SINGLE_DOCUMENT_MAX", 2)
    monkeypatch.setattr(portfolio_render, "CHUNK_TEAMS", 2)
    reader = PdfReader(io.BytesIO(portfolio_pdf(demo, DEMO_ORG, workers=2)))
    marks = bookmarks(reader)
    teams = sorted(DEMO_TEAMS)
    assert [marks[t] for t in teams] == list(range(marks[teams[0]], marks[teams[0]] + 5))  # a page each, in order
    assert marks[teams[-1]] == len(reader.pages) - 1 and marks["One page per team"] == marks[teams[0]] - 1
    nested = next(item for item in reader.outline if isinstance(item, list) and any(
        getattr(i, "title", "") == teams[0] for i in item))
    assert [i.title for i in nested] == teams  # the team bookmarks sit under "One page per team"
    for n, team in enumerate(teams, start=1):
        text = reader.pages[marks[team]].extract_text()
        assert team in text and f"Team {n} of 5" in text
    assert "Page 3" in reader.pages[2].extract_text()
    names = reader.trailer["/Root"]["/Names"]["/Dests"].get_object()
    assert "summary" in str(names)  # the contents still link to the chapters
