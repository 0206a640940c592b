"""One Settings object, read from FOUNDATIONS_* environment variables.

Every setting is listed in README.md ("Configuration"); a test checks that.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assessment.core.emails import clean_email
from assessment.core.errors import FoundationsError

DEFAULT_DATABASE_URL = "sqlite:///foundations.db"
MODES = ("local", "shared")


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
    sqlite_synchronous: str = Field(
        default="normal",
        description="normal: a saved answer survives a crash of the app, not always a power loss; full: both.",
    )
    default_user: str = Field(default="local user", description="Name recorded as the author of answers in local mode.")
    mode: str = Field(
        default="local",
        description="local: one person, no sign-in. shared: sign-in (OpenID Connect) and roles per organisation.",
    )
    admin_emails: str = Field(
        default="", description="Comma-separated e-mail addresses of install administrators (shared mode)."
    )

    trusted_issuers: str = Field(
        default="",
        description="Shared mode: comma-separated OpenID Connect issuers whose sign-ins are accepted (exact `iss`).",
    )

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, value: str) -> str:
        mode = value.strip().lower()
        if mode not in MODES:
            raise ValueError(f"FOUNDATIONS_MODE must be 'local' or 'shared', not {value!r}")
        return mode

    @field_validator("sqlite_synchronous")
    @classmethod
    def _known_synchronous(cls, value: str) -> str:
        level = value.strip().lower()
        if level not in ("normal", "full"):
            raise ValueError(f"FOUNDATIONS_SQLITE_SYNCHRONOUS must be 'normal' or 'full', not {value!r}")
        return level

    @field_validator("admin_emails")
    @classmethod
    def _email_list(cls, value: str) -> str:
        try:
            return ",".join(clean_email(a) for a in value.split(",") if a.strip())
        except FoundationsError as exc:
            raise ValueError(f"FOUNDATIONS_ADMIN_EMAILS: {exc}") from None

    @property
    def shared(self) -> bool:
        """True when people sign in and see only their own organisations."""
        return self.mode == "shared"

    @property
    def admins(self) -> frozenset[str]:
        """Install administrators' addresses, lower case."""
        return frozenset(a for a in self.admin_emails.split(",") if a)

    @property
    def issuers(self) -> frozenset[str]:
        """The issuers whose ID tokens shared mode accepts, compared exactly with the token's `iss`."""
        return frozenset(i.strip() for i in self.trusted_issuers.split(",") if i.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings for this process; tests clear the cache after changing the environment."""
    return Settings()
