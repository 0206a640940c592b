"""E-mail addresses as identities: one normal form, so 'Ana@Example.org ' and 'ana@example.org' are one person.

Only the shape is checked (one @, something on each side, no spaces): whether the
address is real is for the sign-in provider to know, not for us.
"""

from __future__ import annotations

from assessment.core.errors import FoundationsError

MAX_EMAIL = 254  # RFC 5321's limit on a forward path


def clean_email(text: str | None) -> str:
    """The address in lower case without surrounding space, or FoundationsError saying what is wrong."""
    email = (text or "").strip().lower()
    local, _, domain = email.partition("@")
    if not email:
        raise FoundationsError("an e-mail address is needed")
    if not local or not domain or "@" in domain or any(ch.isspace() for ch in email):
        raise FoundationsError(f"{text!r} is not an e-mail address")
    if len(email) > MAX_EMAIL:
        raise FoundationsError(f"an e-mail address has at most {MAX_EMAIL} characters")
    return email
