"""Banks suite: the command line runs on the test database; the page tests run the app on it."""

from tests.support.app import demo_app_engine_fixture  # noqa: F401 - for the page tests
