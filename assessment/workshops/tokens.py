"""Join codes, facilitator keys and participant tokens.

A join code is short and typable because people read it off a projected screen;
it only lets someone join. Keys and tokens grant access, so they come from
`secrets.token_urlsafe` (256 bits), are stored only as SHA-256 digests and are
compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

# No 0/O, 1/I/L or U/V pairs: every character survives being read aloud or off a slide.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
JOIN_CODE_LENGTH = 8
SECRET_BYTES = 32
_DUMMY_DIGEST = hashlib.sha256(b"no such workshop").hexdigest()


def new_join_code() -> str:
    """Eight characters from an unambiguous alphabet (about 39 bits)."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(text: str | None) -> str:
    """What the user typed, as stored: upper case, spaces and dashes dropped."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -\t")[:32]


def format_join_code(code: str) -> str:
    """ABCD-EFGH: easier to read out than eight letters in a row."""
    return f"{code[:4]}-{code[4:]}" if len(code) == JOIN_CODE_LENGTH else code


def new_secret() -> str:
    """A facilitator key or participant token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(SECRET_BYTES)


def digest(secret: str) -> str:
    """The only form in which a secret is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


TICKET_PREFIX = "t1"
TICKET_HOURS = 12


def ticket(workshop_id: int, key_digest: str, expires_s: int) -> str:
    """A facilitator's pass for one browser session: 't1.<expiry>.<mac>', signed with the workshop's key digest.

    The key digest never leaves the server, so only the server can make or check
    a ticket; a new key changes the digest and ends every ticket made before.
    """
    mac = hmac.new(key_digest.encode(), f"{TICKET_PREFIX}.{workshop_id}.{expires_s}".encode(), "sha256").hexdigest()
    return f"{TICKET_PREFIX}.{expires_s}.{mac}"


def ticket_matches(given: str | None, workshop_id: int, key_digest: str | None, now_s: int) -> bool:
    """Whether `given` is an unexpired ticket for this workshop and its current key."""
    parts = (given or "").split(".")
    if (
        len(parts) != len(("prefix", "expiry", "mac"))
        or parts[0] != TICKET_PREFIX
        or not parts[1].isdigit()
        or not key_digest
    ):
        return False
    expires_s = int(parts[1])
    expected = ticket(workshop_id, key_digest, expires_s)
    return hmac.compare_digest(expected, given or "") and now_s < expires_s


def matches(secret: str | None, stored_digest: str | None) -> bool:
    """Constant-time check of a secret against a stored digest; False for anything missing."""
    given = digest(secret or "")
    return hmac.compare_digest(given, stored_digest or _DUMMY_DIGEST) and bool(secret) and bool(stored_digest)
