"""DORA suite: the data sets live in tests/support/dora_data.py; the page tests run the app."""

from tests.support.app import app_engine_fixture, demo_app_engine_fixture  # noqa: F401 - for test_page.py
