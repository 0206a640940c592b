"""The real app.py in Streamlit's AppTest, on the test database: fixtures, opening pages, reading what they show.

Importing this module imports Streamlit (about a second); only the suites that run
the app import it, from their conftest files (`from tests.support.app import
app_engine_fixture`), so a unit run does not pay for it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.testing.v1 import AppTest

from assessment.core import db
from tests.support.access_world import TEST_ISSUER
from tests.support.database import SqliteTemplates

APP = Path(__file__).resolve().parents[2] / "app.py"
START, ASSESS, RESULTS = "ui/pages/start.py", "ui/pages/assess.py", "ui/pages/results.py"
PAGES = (START, ASSESS, RESULTS)
JOIN, FACILITATE = "ui/pages/workshop_join.py", "ui/pages/workshop_facilitator.py"
OWN_URL_PAGES = (JOIN, FACILITATE)  # registered with a url_path of their own: known only after a first run


def _app_database(url: str, templates: SqliteTemplates, *, demo: bool) -> Iterator[Engine]:
    """The engine the app itself opens for `url`, ready; the app's resource caches are cleared after."""
    yield templates.ready(db.get_engine(url), demo=demo)
    st.cache_resource.clear()  # cached engines, report workers: nothing leaks into the next test


@pytest.fixture(name="app_engine")
def app_engine_fixture(env_database: str, sqlite_templates: SqliteTemplates) -> Iterator[Engine]:
    """The engine the app itself will use, on the migrated test database."""
    yield from _app_database(env_database, sqlite_templates, demo=False)


@pytest.fixture(name="demo_app_engine")
def demo_app_engine_fixture(env_database: str, sqlite_templates: SqliteTemplates) -> Iterator[Engine]:
    """As app_engine, with the demo organisation loaded."""
    yield from _app_database(env_database, sqlite_templates, demo=True)


def open_page(page: str, assessment_id: int | str | None = None, **params: str) -> AppTest:
    """Run `page` of the real app, as a browser arriving with these query parameters would."""
    at = AppTest.from_file(str(APP), default_timeout=120)
    if assessment_id is not None:
        at.query_params["assessment"] = str(assessment_id)
    at.query_params.update(params)
    return _switch_and_run(at, page)


def id_token_claims(email: str, **changed: object) -> dict[str, Any]:
    """What `st.user` holds after `email` signed in at TEST_ISSUER with a verified address; `changed` overrides."""
    claims = {"iss": TEST_ISSUER, "sub": f"subject-of-{email}", "email": email, "email_verified": True}
    return {"is_logged_in": True, **claims, "iat": int(time.time()), **changed}


def open_as(email: str | None, page: str, *, claims: dict[str, Any] | None = None, **params: str) -> AppTest:
    """Run `page` as the signed-in `email` (None: nobody signed in), arriving with these query parameters.

    `AppTest.user` plays the part of the OpenID Connect provider: it is what `st.user`
    holds after a real sign-in (the browser tests do the real one); `claims` replaces
    the ID token's claims `id_token_claims` makes.
    """
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.user = claims or (id_token_claims(email) if email else {"is_logged_in": False})
    at.query_params.update(params)
    return _switch_and_run(at, page)


def _switch_and_run(at: AppTest, page: str) -> AppTest:
    if page in OWN_URL_PAGES:
        at.run()  # the first run registers the pages; switching to one with a url_path needs it
    at.switch_page(page)
    return at.run()


def open_details(at: AppTest, question_key: str) -> AppTest:
    """Open a question's 'Note and evidence' panel, as a click on it does (its fields are drawn only when open)."""
    at.session_state[f"details:{question_key}"] = True
    return at.run()


def unescaped(markdown: str) -> str:
    """Markdown source as a reader sees it: the pages escape every special character of names and messages,
    and keep addresses from becoming links with an invisible word joiner (ui/text.py)."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")


def texts(at: AppTest, kind: str) -> str:
    """All text of one element kind (error, info, caption, markdown...) joined, as a reader sees it."""
    return "\n".join(unescaped(str(e.value)) for e in getattr(at, kind))


def shown(at: AppTest) -> list[tuple[str, Any]]:
    """Every element of the page body as (kind, value): two pages showing the same list look the same."""
    return [(type(e).__name__, getattr(e, "value", None)) for e in at.main]


def all_text(at: AppTest) -> str:
    """Everything the page body shows, as one string to search."""
    return repr(shown(at)).replace("\\\\", "")
