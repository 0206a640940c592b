"""The workshop's two links: the participants' join link and the facilitator's dashboard link.

They live in the domain because the app shows them, the command line prints them
and the tests follow them: all three must build the same URL.
"""

from __future__ import annotations

from urllib.parse import urlencode

DEFAULT_BASE_URL = "http://localhost:8501"
JOIN_PATH, FACILITATE_PATH = "join", "facilitate"  # the url_path of the two pages in app.py


def join_link(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/{JOIN_PATH}?{urlencode({'join': code})}"


def dashboard_link(base_url: str, workshop_id: int) -> str:
    """The facilitator's page for one workshop. Never with the key: a link stays in the browser history."""
    return f"{base_url.rstrip('/')}/{FACILITATE_PATH}?{urlencode({'w': workshop_id})}"
