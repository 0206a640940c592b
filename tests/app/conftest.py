"""AppTest suite: the real app.py against a real, migrated database chosen by env_database."""

from tests.support.app import app_engine_fixture, demo_app_engine_fixture  # noqa: F401 - the app's fixtures
