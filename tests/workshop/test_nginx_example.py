"""The README's load balancer example (docs/deploy/nginx.conf) in front of two real app instances.

nginx runs the example file with only its ports changed; a participant joins and
answers through it (the page and its websocket pass the proxy) and the answer is in
the database both instances share. Skipped where nginx is not installed
(Debian: `apt-get install nginx-light`).
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser

from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.workshops.admin import CreatedWorkshop, create_workshop
from tests.support.e2e import free_port, serving
from tests.support.faults import ROOT
from tests.support.workshop_browser import QUESTION, join_and_answer

pytestmark = pytest.mark.e2e
EXAMPLE = ROOT / "docs" / "deploy" / "nginx.conf"


@contextmanager
def _nginx(folder: Path, first: str, second: str) -> Iterator[str]:
    """nginx with the example's configuration, pointed at the two instances; yields its URL."""
    port = free_port()
    text = EXAMPLE.read_text()
    for old, new in (("127.0.0.1:8501", first), ("127.0.0.1:8502", second), ("listen 8080", f"listen {port}")):
        assert old in text
        text = text.replace(old, new)
    conf = folder / "nginx.conf"
    conf.write_text(text)
    options = f"daemon off; pid {folder / 'nginx.pid'}; error_log {folder / 'error.log'};"
    checked = subprocess.run(["nginx", "-t", "-c", str(conf), "-g", options], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(["nginx", "-c", str(conf), "-g", options])
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)  # readiness polling, not a test wait
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_participant_answers_through_the_example_load_balancer(
    database_url: str, tmp_path: Path, browser: Browser
) -> None:
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed")
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    with db.write_session(engine) as session:
        workshop: CreatedWorkshop = create_workshop(
            session, organisation="Northwind", teams=["Payments"], bank=default_bank(), facilitator="Fran"
        )
    env = {"FOUNDATIONS_DATABASE_URL": database_url}
    for name in ("a", "b", "nginx"):
        (tmp_path / name).mkdir()
    with serving(tmp_path / "a", env) as first, serving(tmp_path / "b", env) as second:
        hosts = [u.removeprefix("http://") for u in (first, second)]
        with _nginx(tmp_path / "nginx", *hosts) as url:
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            try:
                join_and_answer(context.new_page(), url, workshop, "Through Nginx", 3)
            finally:
                context.close()
    with engine.connect() as conn:
        stored = conn.execute(
            sa.text(
                "SELECT a.value_json FROM participant_answer a JOIN participant p ON p.id = a.participant_id "
                "WHERE p.display_name = 'Through Nginx' AND a.question_key = :q"
            ),
            {"q": QUESTION},
        ).all()
    engine.dispose()
    assert [v for (v,) in stored] == ["3"]
