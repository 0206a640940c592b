"""Browser suite: a real `streamlit run app.py` and Chromium (tests/support/e2e.py)."""

from tests.support.e2e import browser_fixture, page_fixture, server_fixture  # noqa: F401 - the suite's fixtures
