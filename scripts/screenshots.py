"""Regenerate the README's screenshots and the example report from a fresh demo database.

    .venv/bin/python scripts/screenshots.py

Starts the app on a temporary SQLite file with the demo organisation, drives Debian's
Chromium through the pages at 1400 px wide, and writes docs/screenshots/*.png,
docs/example-report.pdf and its first two content pages as PNGs, and the branded
pages the README shows (the demo's reports carry a consultancy's brand).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "docs" / "screenshots"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(*argv: str, env: dict[str, str]) -> str:
    return subprocess.run([str(BIN / "foundations"), *argv], env=env, check=True, capture_output=True, text=True).stdout


def assessment_id(listing: str, team: str, round_number: int = 1) -> str:
    line = next(row for row in listing.splitlines() if f"/ {team}  round {round_number}" in row)
    return line.split()[0]


def wait_ready(url: str) -> None:
    for _ in range(240):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the app did not start")


def page_png(pdf: Path, number: int, name: str) -> None:
    """One page of a PDF as docs/NAME.png at 60 dpi."""
    args = ["pdftoppm", "-r", "60", "-f", str(number), "-l", str(number), "-png", "-singlefile"]
    subprocess.run([*args, str(pdf), str(ROOT / "docs" / name)], check=True)


def settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(2500)


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    env = {**os.environ, "FOUNDATIONS_DATABASE_URL": f"sqlite:///{folder / 'demo.db'}"}
    run("db", "upgrade", env=env)
    run("demo", env=env)
    listing = run("list", env=env)
    checkout = assessment_id(listing, "Checkout")
    report = ROOT / "docs" / "example-report.pdf"
    run("report", checkout, "-o", str(report), env=env)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            "-singlefile",
            str(report),
            str(ROOT / "docs" / "example-report-p1"),
        ],
        check=True,
    )
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "60",
            "-f",
            "3",
            "-l",
            "3",
            "-png",
            "-singlefile",
            str(report),
            str(ROOT / "docs" / "example-report-p2"),
        ],
        check=True,
    )
    page_png(report, 1, "branded-report-p1")
    page_png(report, 3, "branded-report-p3")
    portfolio = folder / "portfolio.pdf"
    run("report", "--portfolio", "Northwind Streaming", "-o", str(portfolio), env=env)
    page_png(portfolio, len(PdfReader(portfolio).pages), "branded-portfolio-team")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = subprocess.Popen(
        [
            str(BIN / "streamlit"),
            "run",
            str(ROOT / "app.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_ready(url)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            shots = {  # each page with the last thing it draws, so the shot waits for the whole page
                "assess.png": (f"{url}/assess?assessment={checkout}", "I am done|See results"),
                "results.png": (f"{url}/results?assessment={checkout}", "Still unanswered"),
                "dora.png": (f"{url}/dora?assessment={checkout}", "Answers against data|Data quality"),
                "portfolio.png": (f"{url}/portfolio", "Download"),
            }
            for name, (address, last) in shots.items():
                page.goto(address)
                page.get_by_text(re.compile(last)).first.wait_for(timeout=180_000)
                settle(page)
                page.screenshot(path=str(SHOTS / name), full_page=name in ("results.png", "assess.png"))
            page.goto(f"{url}/access")  # the Organisation page, with its branding preview drawn
            page.get_by_text("Audit log").first.wait_for(timeout=180_000)
            page.get_by_role("button", name="Preview").click()
            page.get_by_text("Preview: the cover").wait_for(timeout=180_000)
            settle(page)
            page.screenshot(path=str(SHOTS / "organisation.png"))
            browser.close()
    finally:
        app.terminate()
        app.wait(timeout=30)


if __name__ == "__main__":
    main()
