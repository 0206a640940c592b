"""Whether a shared install's sign-in settings are safe to serve with: the app refuses to start otherwise.

The sign-in cookie is a signed JSON document: whoever knows `cookie_secret` can
write one for any address without the provider. So a shared install refuses the
example values of `.streamlit/secrets.example.toml`, a `cookie_secret` that cannot
hold 32 random bytes, and an empty `FOUNDATIONS_TRUSTED_ISSUERS` (which would refuse
every sign-in anyway). Each problem names the setting and says how to fix it.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from typing import Any

from assessment.core.config import Settings

SECRETS_FILE = ".streamlit/secrets.toml"
GENERATE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
EXAMPLE_COOKIE_SECRET = "change-me-to-a-long-random-string"
EXAMPLE_CLIENT_SECRET = "change-me"
SECRET_BITS = 256  # 32 random bytes
MIN_DISTINCT = 10  # a long run of few characters ("aaaa...") is not random, whatever its alphabet
_ALPHABETS = (  # the smallest that holds every character of the secret gives its bits per character
    (frozenset(string.digits), 10),
    (frozenset(string.digits + "abcdef"), 16),
    (frozenset(string.digits + "ABCDEF"), 16),
    (frozenset(string.digits + string.ascii_lowercase), 36),
    (frozenset(string.digits + string.ascii_uppercase), 36),
    (frozenset(string.digits + string.ascii_letters + "-_+/="), 64),  # base64 and secrets.token_urlsafe
)
PRINTABLE = 94  # any other secret: as if drawn from every printable ASCII character


def random_bits(secret: str) -> float:
    """An upper bound on the randomness a secret of this length and alphabet can hold.

    The alphabet is the smallest common one holding every character: 4 bits a
    character for hexadecimal, 6 for base64 (what `secrets.token_urlsafe` writes),
    about 6.6 for anything else. It cannot tell a random string from a typed one of
    the same shape; the example values and low variety are refused on their own.
    """
    chars = set(secret)
    size = next((size for alphabet, size in _ALPHABETS if chars <= alphabet), PRINTABLE)
    return len(secret) * math.log2(size)


def _cookie_secret_problem(value: object) -> str | None:
    where = f"cookie_secret in the [auth] section of {SECRETS_FILE}"
    if not isinstance(value, str) or not value:
        return f"{where} is missing."
    if EXAMPLE_COOKIE_SECRET in value or "change-me" in value:
        return f"{where} is still the example value: anyone who has read the example can sign in as anyone."
    if random_bits(value) < SECRET_BITS or len(set(value)) < MIN_DISTINCT:
        return (
            f"{where} is too short to be secret: it needs at least 32 random bytes "
            "(43 or more characters from secrets.token_urlsafe, or 64 hexadecimal digits)."
        )
    return None


def _providers(auth: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    named = [(f"[auth.{name}]", v) for name, v in auth.items() if isinstance(v, Mapping)]
    return ([("[auth]", auth)] if "client_secret" in auth or "client_id" in auth else []) + named


def problems(auth: Mapping[str, Any] | None, settings: Settings) -> list[str]:
    """What makes this shared install unsafe to serve, one sentence each (empty: start).

    `auth` is the [auth] section of the secrets file (None when there is none: then
    nobody can sign in, and the sign-in screen says so).
    """
    if not settings.shared:
        return []
    found = []
    if auth is not None:
        cookie = _cookie_secret_problem(auth.get("cookie_secret"))
        if cookie:
            found.append(cookie)
        for section, provider in _providers(auth):
            if provider.get("client_secret") == EXAMPLE_CLIENT_SECRET:
                found.append(
                    f"client_secret in the {section} section of {SECRETS_FILE} is still the example value "
                    f"{EXAMPLE_CLIENT_SECRET!r}: use the secret your provider issued for this app."
                )
    if not settings.issuers:
        found.append(
            "FOUNDATIONS_TRUSTED_ISSUERS is empty: set it to your sign-in provider's issuer (the issuer of its "
            "discovery document), or no sign-in can be accepted."
        )
    return found
