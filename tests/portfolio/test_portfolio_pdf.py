"""The portfolio PDF, read back with pypdf: every section, every team, bookmarks, fonts, hostile names as text."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from assessment.assessments.repository import create_assessment, set_status, store_bank
from assessment.bank.answers import answered
from assessment.bank.model import CONTEXT, Bank
from assessment.core import db
from assessment.demo import DEMO_ORG, demo_answer
from assessment.organisations.directory import ensure_organisation, ensure_team
from benchmarks.portfolio import ORG as BENCH_ORG
from benchmarks.portfolio import build_organisation
from cli import main as cli
from reports import portfolio_render
from reports.portfolio import build, portfolio_pdf
from reports.portfolio_render import TeamPageOverflow
from tests.support.builders import answer_all, new_round
from tests.support.pdf import outline, page_text, read

SECTIONS = (
    "Summary",
    "Levels and readiness per team",
    "Most common gaps",
    "Investments that would unblock the most teams",
    "Movement since the previous round",
    "One page per team",
)
DEMO_TEAMS = ("Payments", "Catalogue", "Checkout", "Platform")  # Mobile API's first round is still open


def bookmarks(reader: PdfReader) -> dict[str, int]:
    """Bookmark title -> 0-based page, in document order."""
    return {title: page for title, _, page in outline(reader)}


def test_demo_portfolio_pdf(demo_engine: Engine) -> None:
    reader = read(portfolio_pdf(demo_engine, DEMO_ORG))
    text = page_text(reader)
    for heading in SECTIONS:
        assert heading in text
    marks = bookmarks(reader)
    assert [m for m in marks if m in SECTIONS] == list(SECTIONS)
    assert set(DEMO_TEAMS) <= set(marks)
    assert [marks[m] for m in SECTIONS] == sorted(marks[m] for m in SECTIONS)
    team_pages = sorted(marks[t] for t in DEMO_TEAMS)
    assert len(set(team_pages)) == len(DEMO_TEAMS)
    assert team_pages[-1] == len(reader.pages) - 1
    assert_numbered(reader)
    assert index_numbers(reader, marks["One page per team"] + 1, DEMO_TEAMS) == {t: marks[t] + 1 for t in DEMO_TEAMS}
    ctx, _, _ = build(demo_engine, DEMO_ORG)
    assert ctx.headline in text
    assert "Not counted until their first round is completed: Mobile API: round 1 in progress (" in text
    assert "Mobile API" not in marks
    assert ctx.gaps
    assert ctx.unblockers
    assert f"{ctx.gaps[0].short} {ctx.gaps[0].foundation}" in text
    assert [r.team for r in ctx.moved] == ["Payments", "Platform"]  # the teams with a second round
    assert all(r.movement.startswith("+") and f"{r.team} {r.movement}" in text for r in ctx.moved)
    assert "first round" in text
    checkout = next(r for r in ctx.rows if r.team == "Checkout")  # already works in two end states without them
    assert checkout.exposed[:2] == (True, True)
    assert f"exposed · {checkout.short[0]} short" in text
    fonts = {
        str(f.get("/BaseFont", ""))
        for page in reader.pages
        for f in (page.get("/Resources", {}).get("/Font", {}) or {}).values()
        for f in [f.get_object()]
    }
    assert fonts
    assert all("Inter" in f for f in fonts), fonts


def test_the_short_sections_share_a_page_with_what_comes_before(demo_engine: Engine) -> None:
    """Movement and the team index each had a page of their own: the demo's pages 6 to 8 were nearly empty."""
    reader = read(portfolio_pdf(demo_engine, DEMO_ORG))
    marks = bookmarks(reader)
    ctx, _, _ = build(demo_engine, DEMO_ORG)
    movement = marks["Movement since the previous round"]
    assert marks["One page per team"] == movement
    assert ctx.unblockers[-1].title in page_text(reader, movement, movement + 1)  # the table before ends there
    assert marks[DEMO_TEAMS[1]] == movement + 1  # the first team page (Catalogue) comes straight after


def test_hostile_names_print_as_text(engine: Engine, bank: Bank) -> None:
    name = '<img src="http://127.0.0.1:9/x"> =HYPERLINK("x") & <b>bold</b>'
    first = new_round(engine, bank, org="Acme <script>", team=name)
    answer_all(engine, first, {"fi_timeouts": answered(1, note="<a href='file:///etc/passwd'>x</a>")})
    with db.write_session(engine) as session:
        set_status(session, assessment_id=first, completed=True)
    text = page_text(read(portfolio_pdf(engine, "Acme <script>")))
    assert name in text
    assert "Acme <script>" in text


def test_cli_writes_the_portfolio(
    demo_engine: Engine, env_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "portfolio.pdf"
    assert cli.main(["report", "--portfolio", DEMO_ORG, "-o", str(target)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {target} (")
    assert target.read_bytes().startswith(b"%PDF-")
    assert not (tmp_path / "portfolio.pdf.partial").exists()
    for argv, message in (
        (["report", "--portfolio", "Nobody", "-o", str(target)], "no organisation named 'Nobody'"),
        (["report", "-o", str(target)], "--portfolio ORG"),
        (["report", "1", "--portfolio", DEMO_ORG, "-o", str(target)], "not both"),
    ):
        assert cli.main(argv) == 1
        err = capsys.readouterr().err
        assert message in err
        assert len(err.splitlines()) == 1


def footers(reader: PdfReader) -> list[list[tuple[int, int]]]:
    """Every "Page i of M" of each page, as (i, M)."""
    return [
        [(int(a), int(b)) for a, b in re.findall(r"Page (\d+) of (\d+)", page.extract_text() or "")]
        for page in reader.pages
    ]


def assert_numbered(reader: PdfReader) -> None:
    """Every page but the cover says "Page i of M" once, i its physical place and M the page count."""
    total = len(reader.pages)
    assert footers(reader) == [[]] + [[(i, total)] for i in range(2, total + 1)]


def index_numbers(reader: PdfReader, chapter: int, names: Sequence[str]) -> dict[str, int]:
    """Team name -> page number, from the team index that opens the "One page per team" chapter (1-based page)."""
    found: dict[str, int] = {}
    for n, page in enumerate(reader.pages[chapter - 1 :]):
        text = re.sub(r"\s+", " ", page.extract_text() or "")
        if n == 0:  # the chapter follows movement on its page: the index starts at its heading
            text = text[text.index("One page per team Each team's") :]
        if "/100 overall" in text:  # the first team page: the index is over
            break
        for name in names:
            found.update((name, int(n)) for n in re.findall(rf"(\d+) {re.escape(name)}(?!\w)", text))
    return found


def test_a_large_portfolio_says_page_n_of_m_on_every_page(database_url: str, engine: Engine) -> None:
    """62 teams (more than SERIAL_MAX): team pages laid out in worker processes and joined, numbered as one PDF."""
    teams = portfolio_render.SERIAL_MAX + 2
    build_organisation(database_url, teams, 2)
    reader = read(portfolio_pdf(engine, BENCH_ORG, workers=2))
    assert_numbered(reader)
    texts = [re.sub(r"\s+", " ", p.extract_text() or "") for p in reader.pages]
    contents = re.search(r"One page per team +(\d+)\n", reader.pages[1].extract_text(extraction_mode="layout"))
    assert contents, texts[1]  # the contents' line, its page number floated to the right
    chapter = int(contents.group(1))
    assert "One page per team Each team's latest round" in texts[chapter - 1]  # the chapter's heading
    names = [f"Team {n:03d}" for n in range(teams)]
    index = index_numbers(reader, chapter, names)
    assert sorted(index) == names
    assert len(reader.pages) == index["Team 061"]
    assert sorted(index.values()) == list(range(index["Team 000"], len(reader.pages) + 1))
    for name in (
        "Team 000",
        "Team 024",
        "Team 025",
        "Team 037",
        "Team 061",
    ):  # either side of a chunk boundary
        page = texts[index[name] - 1]
        assert page.count(name) == 2
        assert "/100 overall" in page
    marks = bookmarks(reader)
    assert marks["One page per team"] == chapter - 1
    assert all(marks[n] == index[n] - 1 for n in index)
    dests = reader.named_destinations  # the heatmap's and the index's links land on the team pages
    ctx, _, _ = build(engine, BENCH_ORG)
    assert [reader.get_destination_page_number(dests[t.anchor]) for t in ctx.pages] == [
        index[t.team] - 1 for t in ctx.pages
    ]


def worst_bank(bank: Bank) -> Bank:
    """Three times the foundations, six end states needing all of them at level 4, every title 200 letters W.

    Each copy keeps its measured deciding test, proof and place in the sequence; the context questions and the
    exposures stay once (the exposures protect the first copy), so the team is exposed on every end state.
    """
    long = ("Warehouse Management " * 10)[:200]
    data = bank.model_dump(mode="json")
    data["bank"]["version"] = "9.0.0"
    foundations = []
    questions = [q for q in data["questions"] if q["foundation"] == CONTEXT]
    for n in range(3):
        for f in data["foundations"]:
            key = f"{f['key']}_{n}"
            gate = [
                {**c, "question": f"{c['question']}_{n}", "below": c["below"] and f"{c['below']}_{n}"}
                for c in f["gate"]
            ]
            proof = [f"{k}_{n}" for k in f["proof"]]
            foundations.append({**f, "key": key, "title": long, "gate": gate, "proof": proof})
            questions += [
                {**q, "key": f"{q['key']}_{n}", "foundation": key, "short": long}
                for q in data["questions"]
                if q["foundation"] == f["key"]
            ]
    for item in data["investments"]:
        item.update(
            title=long,
            foundation=item["foundation"] + "_0",
            after_foundations=[k + "_0" for k in item["after_foundations"]],
        )
    for exposure in data["exposures"]:
        exposure["protects"] = [k + "_0" for k in exposure["protects"]]
    data.update(
        foundations=foundations,
        questions=questions,
        sequence=[f"{k}_{n}" for n in range(3) for k in data["sequence"]],
        end_states=[
            {
                **data["end_states"][0],
                "key": f"state_{n}",
                "title": long,
                "requires": {f["key"]: 4 for f in foundations},
            }
            for n in range(6)
        ],
    )
    return Bank.model_validate(data)


NO_SAFETY_NET = ".team-page { height: auto; overflow: visible; } </style>"  # pages as long as their content


def test_a_team_page_with_every_limit_reached_fits_on_one_page(engine: Engine, bank: Bank) -> None:
    """Longest names, a bank with 15 foundations and 6 end states with long titles, every deciding test failed."""
    big = worst_bank(bank)
    org = team = label = ("Warehouse Management " * 10)[:200]
    with db.write_session(engine) as session:
        organisation = ensure_organisation(session, name=org)
        t = ensure_team(session, organisation_id=organisation.id or 0, name=team)
        stored = store_bank(session, bank=big)
        round_id = (
            create_assessment(
                session, team_id=t.id or 0, bank_version_id=stored.id or 0, created_by="test", label=label
            ).id
            or 0
        )
    gate_inputs = {c.question for f in big.foundations for c in f.gate}
    answers = {q.key: demo_answer(q, 2 if q.key in gate_inputs else 4) for q in big.scored_questions()}
    context = {"ctx_deploys_per_week": answered(40), "ctx_approval": answered("none"), "ctx_services": answered(14)}
    answer_all(engine, round_id, answers | context)
    with db.write_session(engine) as session:
        set_status(session, assessment_id=round_id, completed=True)
    ctx, _, _ = build(engine, org)
    page = ctx.pages[0]
    assert page.more_foundations == 7
    assert page.more_end_states == 2
    assert len(page.risks) == 3
    assert all(held_back == "capped by its deciding test" for *_, held_back in page.foundations)
    assert all(label == "Exposed" for _, _, label, _ in page.readiness)
    assert "and 12 more foundations" in page.readiness[0][3]
    html = portfolio_render.chunk_html(ctx, ctx.pages, 40, 40).replace("</style>", NO_SAFETY_NET, 1)
    portfolio_render.lay_out_chunk(html, [page.team])  # one page even without the fixed height: nothing clipped
    reader = read(portfolio_pdf(engine, org))
    assert_numbered(reader)
    assert bookmarks(reader)[page.team] == len(reader.pages) - 1  # the team's page is the last
    text = re.sub(r"\s+", " ", reader.pages[-1].extract_text() or "")
    assert "and 7 more (the team's report" in text
    assert "and 2 more end state(s)" in text
    assert text.count("Management Wareh…") == 6  # three risks and three roadmap items, clipped at TEXT_CHARS


def test_a_team_page_that_runs_over_is_clipped_and_the_check_names_the_team(demo_engine: Engine) -> None:
    """Past the context's limits (50 foundations) a page is clipped to one page; without that it is refused."""
    ctx, _, _ = build(demo_engine, DEMO_ORG)
    long = dataclasses.replace(ctx.pages[1], foundations=ctx.pages[1].foundations * 10)
    pages, names = (ctx.pages[0], long, ctx.pages[2]), [ctx.pages[0].team, long.team, ctx.pages[2].team]
    html = portfolio_render.chunk_html(ctx, pages, 9, 20)
    reader = read(portfolio_render.lay_out_chunk(html, names))
    assert [p.extract_text().count("Page ") for p in reader.pages] == [1, 1, 1]
    with pytest.raises(TeamPageOverflow, match=re.escape(f"the page of team {long.team!r} does not fit")):
        portfolio_render.lay_out_chunk(html.replace("</style>", NO_SAFETY_NET, 1), names)


def test_an_organisation_without_rounds_gets_a_numbered_pdf_without_charts(engine: Engine) -> None:
    """No team page, no chart (an empty chart drew a 300-digit number that PDF readers refuse), every page numbered."""
    with db.write_session(engine) as session:
        organisation = ensure_organisation(session, name="Empty")
        ensure_team(session, organisation_id=organisation.id or 0, name="No rounds yet")
    reader = read(portfolio_pdf(engine, "Empty"))
    assert_numbered(reader)
    text = page_text(reader)
    assert "No charts yet." in text
    assert "No team has a round yet." in text
    assert list(bookmarks(reader))[-1] == "One page per team"
    assert bookmarks(reader)["One page per team"] == len(reader.pages) - 1
