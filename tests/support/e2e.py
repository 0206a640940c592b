"""A real `streamlit run app.py` on a free port, and Chromium to drive it: for the browser (e2e) tests.

Importing this module imports Playwright; only the suites with browser tests import
it, from their conftest files (`from tests.support.e2e import server_fixture`).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from assessment.core import db

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 90


@dataclass(frozen=True)
class Server:
    url: str
    database_url: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Poll Streamlit's health endpoint until it answers, the server dies, or time runs out."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)  # readiness polling, not a test wait
    raise RuntimeError(f"streamlit did not become healthy in {STARTUP_SECONDS}s:\n{log.read_text()[-3000:]}")


@contextmanager
def serving(
    folder: Path,
    env: dict[str, str],
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    args: tuple[str, ...] = (),
    script: Path = ROOT / "app.py",
) -> Iterator[str]:
    """`streamlit run app.py` (or `script`) with `env` added to this process's environment; yields its URL,
    stops it after.

    The server's output goes to `folder`/server.log and its tail is printed at the
    end, so pytest shows it when the test failed.
    """
    port, log = port or free_port(), folder / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        *args,
    ]
    url = f"http://{host}:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        print(log.read_text()[-3000:])


@pytest.fixture(name="server", scope="module")
def server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app served from a subprocess on a temporary, migrated SQLite database; killed afterwards."""
    folder = tmp_path_factory.mktemp("e2e")
    database_url = f"sqlite:///{folder / 'e2e.db'}"
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    engine.dispose()
    with serving(folder, {"FOUNDATIONS_DATABASE_URL": database_url}) as url:
        yield Server(url, database_url)


@pytest.fixture(name="browser", scope="module")
def browser_fixture() -> Iterator[Browser]:
    """Chromium, shared by a module's tests (each opens contexts of its own)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (scripts/test.sh installs it)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(name="page")
def page_fixture(browser: Browser) -> Iterator[Page]:
    """A laptop-sized tab (1366x768), the size the app is designed for."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    yield context.new_page()
    context.close()


def screenshot(page: Page, name: str) -> Path:
    """Save what the page shows now under test-artifacts/ (gitignored) for a person to look at."""
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0)  # every widget drawn, not a placeholder
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
