"""Portfolio suite: builders live in tests/support/builders.py; the page tests run the app."""

from tests.support.app import app_engine_fixture, demo_app_engine_fixture  # noqa: F401 - for the page tests
