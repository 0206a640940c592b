"""Who signed in: the provider's claims checked, each address bound to one account, sign-out that ends sessions.

Shared mode trusts an ID token's e-mail address only when the provider says it
verified it (`email_verified`) and the token comes from an issuer the install
lists (`FOUNDATIONS_TRUSTED_ISSUERS`). The first sign-in binds the address to that
issuer and subject; a later token carrying the same address for another account
is refused and audited, so a provider that lets anyone type any address (or a
second tenant of a multi-tenant provider) cannot sign in as someone else.

The sign-in cookie is signed but stays valid for 30 days, and a copy of it works
anywhere. Signing out records, per address, the second before which sessions are
refused; the token's `iat` (issue time, from the provider's clock) is checked
against it on every page, so a cookie replayed after sign-out opens nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.access.policy import DENIED, DONE, INSTALL, Actor, record_event, signed_in
from assessment.core import db
from assessment.core.config import get_settings
from assessment.core.emails import clean_email
from assessment.core.errors import FoundationsError
from assessment.core.types import utcnow
from assessment.models.access import SignInIdentity

SIGN_IN, SIGN_OUT = "sign_in", "sign_out"
MAX_CLAIM = 500  # the sign_in_identity columns' length: a longer subject is refused, never a database error


class SignInRefused(FoundationsError):
    """The provider signed someone in, but Foundations does not accept it; `reason` is what the audit row says."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Claims:
    """What an ID token says about who signed in (Streamlit copies the token's claims into `st.user`)."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    issued_at: int | None

    @classmethod
    def of(cls, user: Mapping[str, Any]) -> Claims:
        """The claims of a signed-in user's mapping; missing ones come out empty, for `check` to refuse."""
        issued = user.get("iat")
        return cls(
            issuer=str(user.get("iss") or ""),
            subject=str(user.get("sub") or ""),
            email=str(user.get("email") or ""),
            email_verified=_true(user.get("email_verified")),
            issued_at=int(issued) if isinstance(issued, int | float) and math.isfinite(issued) else None,
        )

    @property
    def key(self) -> tuple[str, str, str, int | None]:
        """One session's identity: the same token always gives the same key."""
        return (self.issuer, self.subject, self.email, self.issued_at)


def _true(value: object) -> bool:
    """`email_verified` is a JSON boolean; a few providers send the string "true"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _address(claims: Claims) -> str:
    try:
        return clean_email(claims.email)
    except FoundationsError:
        raise SignInRefused(
            "Your sign-in provider did not tell us your e-mail address, so we cannot find your organisations. "
            "Ask the administrator to request the email scope.",
            "no usable e-mail address",
        ) from None


def _checked_claims(claims: Claims) -> str:
    """The address, once the token is of a trusted issuer, verified, and dated; else the refusal."""
    address = _address(claims)
    if claims.issuer not in get_settings().issuers:
        raise SignInRefused(
            f"Foundations does not accept sign-ins from {claims.issuer or 'an unnamed issuer'}. "
            "Ask the administrator which sign-in to use.",
            f"issuer {claims.issuer or '(none)'} is not in FOUNDATIONS_TRUSTED_ISSUERS",
        )
    if not claims.email_verified:
        raise SignInRefused(
            f"Your sign-in provider has not verified the address {address}, so Foundations cannot trust it. "
            "Verify it with your provider, then sign in again.",
            "email_verified is not true",
        )
    if not 0 < len(claims.subject) <= MAX_CLAIM or claims.issued_at is None:
        raise SignInRefused(
            "Your sign-in provider did not say who you are (sub) or when you signed in (iat). "
            "Ask the administrator to check the provider.",
            "no sub or iat claim",
        )
    return address


def _bind(engine: Engine, address: str, claims: Claims) -> SignInIdentity:
    """The address's binding, made now from these claims if it is the first sign-in."""
    with db.read_session(engine) as session:
        found = session.get(SignInIdentity, address)
    if found is not None:
        return found
    try:
        with db.write_session(engine) as session:
            session.add(SignInIdentity(email=address, issuer=claims.issuer, subject=claims.subject))
    except sa.exc.IntegrityError:  # a first sign-in elsewhere at the same moment: compare with that one
        with db.read_session(engine) as session:
            return session.get_one(SignInIdentity, address)
    record_event(engine, _event(address, SIGN_IN, DONE, f"bound to {claims.subject} at {claims.issuer}"))
    return SignInIdentity(email=address, issuer=claims.issuer, subject=claims.subject)


def check(engine: Engine, claims: Claims) -> Actor:
    """The actor these claims sign in, or SignInRefused, written to the audit log.

    The app checks on every page (a sign-out elsewhere ends this session at once)
    and remembers a refusal for the browser session, so a refused token is logged
    once per visit rather than on every click.
    """
    try:
        return _check(engine, claims)
    except SignInRefused as refused:
        who = claims.email.strip().lower()[:200] or f"subject {claims.subject}"[:200]
        record_event(engine, _event(who, SIGN_IN, DENIED, refused.reason))
        raise


def _check(engine: Engine, claims: Claims) -> Actor:
    address = _checked_claims(claims)
    bound = _bind(engine, address, claims)
    if (bound.issuer, bound.subject) != (claims.issuer, claims.subject):
        raise SignInRefused(
            f"The address {address} belongs to another account of your sign-in provider here, so this "
            "sign-in is refused and recorded. If your account changed, ask an install administrator.",
            f"subject {claims.subject} at {claims.issuer}; the address is bound to {bound.subject} at {bound.issuer}",
        )
    assert claims.issued_at is not None  # _checked_claims refuses a token without one
    if bound.signed_out_at is not None and claims.issued_at < bound.signed_out_at.timestamp():
        raise SignInRefused(
            "This session ended when you signed out. Sign in again.",
            "a session issued before the last sign-out",
        )
    return signed_in(address)


def _event(actor: str, action: str, outcome: str, detail: str) -> dict[str, Any]:
    return {
        "actor": actor,
        "action": action,
        "outcome": outcome,
        "organisation_id": None,
        "target": str(INSTALL),
        "detail": detail,
    }


def sign_out(engine: Engine, claims: Claims) -> None:
    """End every session of the address issued until now (this one included, whatever the provider's clock says)."""
    address = _checked_claims(claims)
    now = utcnow().replace(microsecond=0)
    issued = datetime.fromtimestamp((claims.issued_at or 0) + 1, UTC)
    until = max(now, issued)
    with db.write_session(engine) as session:
        bound = session.get(SignInIdentity, address)
        if bound is None or (bound.issuer, bound.subject) != (claims.issuer, claims.subject):
            return  # not this account's address: nothing of theirs to end
        bound.signed_out_at = max(until, bound.signed_out_at) if bound.signed_out_at else until
        session.add(bound)
    record_event(engine, _event(address, SIGN_OUT, DONE, f"sessions issued before {until:%Y-%m-%d %H:%M:%S} UTC end"))


def unbind(engine: Engine, email: str) -> str:
    """Forget the account an address is bound to (its next sign-in binds it again); for the command line."""
    address = clean_email(email)
    with db.write_session(engine) as session:
        bound = session.get(SignInIdentity, address)
        if bound is None:
            return f"{address} is not bound to any sign-in account"
        session.delete(bound)
    said = f"{address} is no longer bound to {bound.subject} at {bound.issuer}: its next sign-in binds it again"
    record_event(engine, _event("command line", "unbind_sign_in", DONE, said))
    return said
