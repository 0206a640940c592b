"""What a person waits for, in Chromium: the app against a bare Streamlit page of the same size, interleaved.

Usage: .venv/bin/python benchmarks/browser.py [--runs 9]

Starts the real app (`streamlit run app.py`) on a fresh SQLite demo database and a
bare Streamlit script with the same number of foundations, questions and options
(and a second page with four metrics, a table and a chart), then drives Chromium
through the same actions on both, one after the other, `--runs` times:
- save an answer: click an option of a question nobody answered, until "Saved" shows under it;
- switch foundation: click the next foundation in the sidebar, until its heading shows;
- open Results: click "See results", until the overall score shows;
- prepare the PDF (the app only): click "Prepare the PDF" on Report, until "Download the PDF" shows.
Prints, per action, the median and p95 in milliseconds, the ratio app / bare page of the medians, and the
load average (waits grow with load; the bare page shows how much is the machine). Targets on a quiet
2-core machine: answer saved under 300 ms median, foundation switch under 1 s, ratio at most 1.5, PDF
under 5 s.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BARE = """
import streamlit as st

SECTIONS = {sections!r}
QUESTIONS = {questions}
OPTIONS = ["0 · Absent", "1 · Ad hoc", "2 · Partial", "3 · Established", "4 · Proven"]


def saved(key):
    st.session_state["saved_" + key] = True


def questions():
    with st.sidebar:
        chosen = st.radio("Foundation", SECTIONS, key="foundation")
        st.page_link(results_page, label="See results")
    st.header(chosen)
    for n in range(QUESTIONS):
        key = f"s{{SECTIONS.index(chosen)}}_{{n}}"
        with st.container(border=True, key=f"question-{{key}}"):
            st.subheader(f"{{n + 1}}. Question {{n + 1}}")
            st.radio("Answer", OPTIONS, index=None, key=key, on_change=saved, args=(key,))
            st.caption("Saved" if st.session_state.get("saved_" + key) else "Not answered yet")


def results():
    cells = st.columns(4)
    cells[0].metric("Overall score", "41 / 100")
    cells[1].metric("Answered", "47 of 47")
    cells[2].metric("High risks", 3)
    cells[3].metric("End states ready", "0 of 3")
    st.dataframe([{{"Foundation": s, "Score": 40 + i}} for i, s in enumerate(SECTIONS)])
    st.bar_chart({{s: [40 + i] for i, s in enumerate(SECTIONS)}})


results_page = st.Page(results, title="Results", url_path="results")
st.navigation([st.Page(questions, title="Questions", default=True), results_page]).run()
"""


def percentile95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) > 1 else values[0]


def timed(click: Callable[[], None], shown: Any) -> float:
    """Milliseconds from the click until `shown` (a Playwright locator) is visible."""
    from playwright.sync_api import expect

    start = time.perf_counter()
    click()
    expect(shown).to_be_visible()
    return (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="measured runs of each action on each side")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import Page, expect, sync_playwright

    from assessment.bank.loader import default_bank
    from assessment.core import db
    from assessment.demo import DEMO_ORG, load_demo
    from tests.support.builders import demo_round, new_round
    from tests.support.e2e import CHROMIUM, CHROMIUM_ARGS, serving

    expect.set_options(timeout=120_000)
    bank = default_bank()
    sections = [s for s in bank.sections() if s != "context"]
    per_section = max(len(bank.questions_for(s)) for s in sections)
    radio_questions = {
        s: [q.key for q in bank.questions_for(s) if q.type.value in ("level", "yes_no", "choice")] for s in sections
    }
    runs = min(args.runs, min(len(v) for v in radio_questions.values()) * len(sections))
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        url_db = f"sqlite:///{folder / 'bench.db'}"
        engine = db.make_engine(url_db)
        db.upgrade(engine)
        with db.write_session(engine) as session:
            load_demo(session, bank=bank)
        fresh = new_round(engine, bank, org=DEMO_ORG, team="Catalogue")  # unanswered: every save is a first one
        report_round = demo_round(engine, "Payments", 2)
        engine.dispose()
        bare_script = folder / "bare.py"
        bare_script.write_text(BARE.format(sections=[bank.section_title(s) for s in sections], questions=per_section))
        bare_folder = folder / "bare"
        bare_folder.mkdir()
        app_times: dict[str, list[float]] = {"save": [], "switch": [], "results": [], "pdf": []}
        bare_times: dict[str, list[float]] = {"save": [], "switch": [], "results": []}
        env = {"FOUNDATIONS_DATABASE_URL": url_db}
        with (
            serving(folder, env) as app_url,
            serving(bare_folder, {}, script=bare_script) as bare_url,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            app = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            bare = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()

            def app_open(section: str) -> None:
                app.goto(f"{app_url}/assess?assessment={fresh}&foundation={section}")
                expect(app.get_by_role("heading", name=bank.section_title(section))).to_be_visible()

            def bare_open(section: str) -> None:
                bare.goto(bare_url)
                expect(bare.get_by_role("heading", name="Question 1", exact=False).first).to_be_visible()
                sidebar_click(bare, bank.section_title(section))
                expect(bare.get_by_role("heading", name=bank.section_title(section))).to_be_visible()

            def sidebar_click(page: Page, title: str) -> None:
                page.get_by_test_id("stSidebar").locator("label").filter(has_text=title).first.click()

            for run in range(runs):
                section = sections[run % len(sections)]
                following = sections[(run + 1) % len(sections)]
                key = radio_questions[section][run // len(sections)]
                app_open(section)
                question = app.locator(f".st-key-question-{key}")
                app_times["save"].append(
                    timed(
                        question.get_by_test_id("stRadioOption").first.click,
                        question.get_by_text(re.compile(r"Saved \d")),
                    )
                )
                bare_open(section)
                index = run // len(sections)
                box = bare.locator(f".st-key-question-s{sections.index(section)}_{index}")
                bare_times["save"].append(
                    timed(
                        box.get_by_test_id("stRadioOption").first.click,
                        box.get_by_text("Saved", exact=True),
                    )
                )
                app_times["switch"].append(
                    timed(
                        partial(sidebar_click, app, bank.section_title(following)),
                        app.get_by_role("heading", name=bank.section_title(following)),
                    )
                )
                bare_times["switch"].append(
                    timed(
                        partial(sidebar_click, bare, bank.section_title(following)),
                        bare.get_by_role("heading", name=bank.section_title(following)),
                    )
                )
                app_times["results"].append(
                    timed(
                        app.get_by_test_id("stSidebar").get_by_role("link", name="See results").click,
                        app.get_by_text("Overall score"),
                    )
                )
                bare_times["results"].append(
                    timed(
                        bare.get_by_test_id("stSidebar").get_by_role("link", name="See results").click,
                        bare.get_by_text("Overall score"),
                    )
                )
                app.goto(f"{app_url}/report?assessment={report_round}")
                prepare = app.get_by_role("button", name="Prepare the PDF")
                expect(prepare).to_be_visible()
                app_times["pdf"].append(timed(prepare.click, app.get_by_role("button", name="Download the PDF")))
                print(f"run {run + 1} of {runs} done", flush=True)
            browser.close()
    load = os.getloadavg()
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    names = {
        "save": "answer saved, until 'Saved' shows",
        "switch": "switch foundation",
        "results": "open Results",
        "pdf": "PDF, click to download button",
    }
    for action, label in names.items():
        mine = app_times[action]
        line = f"{label:<38} app median {statistics.median(mine):7.0f} ms  p95 {percentile95(mine):7.0f} ms"
        if action in bare_times:
            theirs = bare_times[action]
            ratio = statistics.median(mine) / statistics.median(theirs)
            line += (
                f" | bare median {statistics.median(theirs):6.0f} ms  p95 {percentile95(theirs):6.0f} ms"
                f" | ratio {ratio:.2f}x"
            )
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
