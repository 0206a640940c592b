"""A shared install refuses to start with the example secrets, a weak cookie secret or no trusted issuer.

The refusal names the setting and how to generate a secret, on the page (no
traceback, no page of the app, no sign-in button) and in the server log.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from assessment.access.configuration import GENERATE, SECRET_BITS, problems, random_bits
from assessment.core.config import Settings, get_settings
from tests.support.access_world import TEST_ISSUER
from tests.support.app import APP, texts

SHARED = Settings(mode="shared", trusted_issuers=TEST_ISSUER)


def auth(**changed: Any) -> dict[str, Any]:
    """A safe [auth] section; `changed` replaces or adds keys."""
    section = {
        "redirect_uri": "https://foundations.example.org/oauth2callback",
        "cookie_secret": secrets.token_urlsafe(32),
        "client_id": "foundations",
        "client_secret": secrets.token_urlsafe(16),
        "server_metadata_url": f"{TEST_ISSUER}/.well-known/openid-configuration",
    }
    return {**section, **changed}


def test_a_safe_configuration_starts() -> None:
    assert problems(auth(), SHARED) == []
    assert problems(auth(cookie_secret=secrets.token_hex(32)), SHARED) == []
    assert problems(None, SHARED) == []  # no [auth] at all: the sign-in screen says sign-in is not configured
    assert problems(auth(cookie_secret="x"), Settings(mode="local")) == []  # local mode signs nobody in


@pytest.mark.parametrize(
    ("cookie_secret", "message"),
    [
        ("change-me-to-a-long-random-string", "is still the example value"),
        ("change-me-to-a-long-random-string-but-longer-xxxxxxxxxxxxxxxxxxxxxxxxxx", "is still the example value"),
        (secrets.token_urlsafe(24), "is too short to be secret: it needs at least 32 random bytes"),
        (secrets.token_hex(31), "is too short to be secret"),
        ("a" * 200, "is too short to be secret"),  # long, but ten different characters are not there
        ("", "is missing"),
        (None, "is missing"),
    ],
    ids=["example", "example-lengthened", "urlsafe-24-bytes", "hex-31-bytes", "one-letter", "empty", "absent"],
)
def test_a_weak_or_example_cookie_secret_is_refused(cookie_secret: str | None, message: str) -> None:
    found = problems(auth(cookie_secret=cookie_secret), SHARED)
    assert len(found) == 1
    assert found[0].startswith("cookie_secret in the [auth] section of .streamlit/secrets.toml ")
    assert message in found[0]


def test_the_example_client_secret_is_refused_in_every_provider_section() -> None:
    section = auth(client_secret="change-me", partner={"client_id": "x", "client_secret": "change-me"})
    assert problems(section, SHARED) == [
        f"client_secret in the {where} section of .streamlit/secrets.toml is still the example value 'change-me': "
        "use the secret your provider issued for this app."
        for where in ("[auth]", "[auth.partner]")
    ]


def test_no_trusted_issuer_is_refused() -> None:
    assert problems(auth(), Settings(mode="shared")) == [
        "FOUNDATIONS_TRUSTED_ISSUERS is empty: set it to your sign-in provider's issuer (the issuer of its "
        "discovery document), or no sign-in can be accepted."
    ]


def test_random_bits_counts_the_alphabet_a_secret_is_written_in() -> None:
    assert random_bits(secrets.token_urlsafe(32)) >= SECRET_BITS  # 43 characters of 64
    assert random_bits(secrets.token_hex(32)) == SECRET_BITS  # 64 characters of 16
    assert random_bits("0123456789" * 7) < SECRET_BITS  # 70 digits hold 232 bits
    assert random_bits("") == 0


def open_shared(secrets_toml: dict[str, Any], monkeypatch: pytest.MonkeyPatch, issuers: str = TEST_ISSUER) -> AppTest:
    monkeypatch.setenv("FOUNDATIONS_MODE", "shared")
    monkeypatch.setenv("FOUNDATIONS_TRUSTED_ISSUERS", issuers)
    get_settings.cache_clear()
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.secrets.update(secrets_toml)
    at.user = {"is_logged_in": False}
    return at.run()


@pytest.mark.usefixtures("demo_app_engine")
def test_the_app_refuses_to_start_naming_the_setting_and_how_to_generate_one(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    at = open_shared({"auth": auth(cookie_secret="change-me-to-a-long-random-string")}, monkeypatch, issuers="")
    assert not at.exception
    assert "This shared install refuses to start" in texts(at, "error")
    shown = texts(at, "markdown")
    assert "cookie_secret in the [auth] section of .streamlit/secrets.toml is still the example value" in shown
    assert "FOUNDATIONS_TRUSTED_ISSUERS is empty" in shown
    assert [c.value for c in at.code] == [GENERATE]
    assert not at.button  # no sign-in, no page
    assert "shared mode refuses to start: cookie_secret" in caplog.text
    safe = open_shared({"auth": auth()}, monkeypatch)
    assert not safe.exception
    assert not safe.error
    assert [b.label for b in safe.button] == ["Sign in"]
    get_settings.cache_clear()
