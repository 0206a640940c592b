"""One Settings object, read from FOUNDATIONS_* environment variables.

Every setting is listed in README.md ("Configuration"); a test checks that.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///foundations.db"


class Settings(BaseSettings):
    """Runtime configuration; defaults suit one person on their own machine."""

    model_config = SettingsConfigDict(env_prefix="FOUNDATIONS_", extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL of the database (SQLite file or postgresql+psycopg://...).",
    )
    sqlite_busy_timeout_ms: int = Field(
        default=15000, ge=0, description="How long a SQLite writer waits for the lock before failing."
    )
    default_user: str = Field(
        default="local user", description="Name recorded as the author of answers in local mode."
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process; tests clear the cache after changing the environment."""
    return Settings()
