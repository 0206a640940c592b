"""Which sign-ins shared mode accepts: a verified address from a trusted issuer, bound to one account, not signed out.

Each refusal is written to the audit log (install-wide: no organisation), and
nothing is bound by a refused sign-in.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from assessment.access.identity import Claims, SignInRefused, check, sign_out, unbind
from assessment.access.policy import signed_in
from assessment.core import db
from assessment.core.config import get_settings
from assessment.models.access import AuditEvent, SignInIdentity
from tests.support.access_world import TEST_ISSUER

pytestmark = pytest.mark.usefixtures("shared_mode")

ANA = "ana@northwind.example"


def token(email: str = ANA, **changed: object) -> Claims:
    """The claims of an ID token for `email` from the trusted issuer, issued now; `changed` overrides."""
    claims: dict[str, object] = {
        "iss": TEST_ISSUER,
        "sub": "ana-subject",
        "email": email,
        "email_verified": True,
        "iat": int(time.time()),
    }
    return Claims.of({**claims, **changed})


def audit(engine: Engine) -> list[AuditEvent]:
    with db.read_session(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))))


def bound(engine: Engine) -> list[tuple[str, str, str]]:
    with db.read_session(engine) as session:
        return [(b.email, b.issuer, b.subject) for b in session.exec(select(SignInIdentity))]


def refused(engine: Engine, claims: Claims, message: str) -> AuditEvent:
    """Check that `claims` are refused with `message`, and return the audit row the refusal wrote."""
    before = len(audit(engine))
    with pytest.raises(SignInRefused, match=message):
        check(engine, claims)
    rows = audit(engine)[before:]
    assert [(r.action, r.outcome, r.organisation_id) for r in rows] == [("sign_in", "denied", None)]
    return rows[0]


def test_a_verified_address_from_a_trusted_issuer_signs_in_and_is_bound(engine: Engine) -> None:
    assert check(engine, token(email=" Ana@Northwind.example ")) == signed_in(ANA)
    assert bound(engine) == [(ANA, TEST_ISSUER, "ana-subject")]
    assert check(engine, token()) == signed_in(ANA)  # the same account again
    assert [(r.action, r.outcome, r.actor) for r in audit(engine)] == [("sign_in", "done", ANA)]


@pytest.mark.parametrize("verified", [False, None, "false", "yes", 1])
def test_an_unverified_address_is_refused(engine: Engine, verified: object) -> None:
    event = refused(engine, token(email_verified=verified), "has not verified the address ana@northwind.example")
    assert event.actor == ANA
    assert event.detail == "email_verified is not true"
    assert bound(engine) == []


def test_the_string_true_counts_as_verified(engine: Engine) -> None:
    """Some providers send email_verified as a string."""
    assert check(engine, token(email_verified="true")) == signed_in(ANA)


@pytest.mark.parametrize("issuer", ["https://evil.example", TEST_ISSUER + "/", "", None])
def test_an_issuer_not_in_the_configured_list_is_refused(engine: Engine, issuer: str | None) -> None:
    event = refused(engine, token(iss=issuer), "Foundations does not accept sign-ins from")
    assert "is not in FOUNDATIONS_TRUSTED_ISSUERS" in event.detail
    assert bound(engine) == []


def test_the_same_address_from_another_subject_is_refused_and_audited(engine: Engine) -> None:
    check(engine, token())
    event = refused(engine, token(sub="mallory"), "belongs to another account of your sign-in provider")
    assert event.actor == ANA
    assert event.detail == (f"subject mallory at {TEST_ISSUER}; the address is bound to ana-subject at {TEST_ISSUER}")
    assert bound(engine) == [(ANA, TEST_ISSUER, "ana-subject")]
    assert check(engine, token()) == signed_in(ANA)  # the owner of the address is not locked out


def test_the_same_subject_of_another_trusted_issuer_is_another_account(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOUNDATIONS_TRUSTED_ISSUERS", f"{TEST_ISSUER}, https://second.test")
    get_settings.cache_clear()
    check(engine, token())
    refused(engine, token(iss="https://second.test"), "belongs to another account")


def test_an_address_bound_by_mistake_is_unbound_from_the_command_line(engine: Engine) -> None:
    check(engine, token(sub="mallory"))
    assert unbind(engine, ANA) == (
        f"{ANA} is no longer bound to mallory at {TEST_ISSUER}: its next sign-in binds it again"
    )
    assert check(engine, token()) == signed_in(ANA)
    assert bound(engine) == [(ANA, TEST_ISSUER, "ana-subject")]
    assert unbind(engine, "nobody@example.org") == "nobody@example.org is not bound to any sign-in account"


@pytest.mark.parametrize(("claim", "value"), [("sub", None), ("iat", None), ("sub", "s" * 501)])
def test_a_token_without_subject_or_issue_time_is_refused(engine: Engine, claim: str, value: object) -> None:
    refused(engine, token(ANA, **{claim: value}), r"did not say who you are \(sub\) or when you signed in \(iat\)")


def test_no_email_is_refused(engine: Engine) -> None:
    event = refused(engine, token(email=""), "did not tell us your e-mail address")
    assert event.actor == "subject ana-subject"


def test_signing_out_refuses_every_session_issued_before_and_accepts_a_new_one(engine: Engine) -> None:
    now = int(time.time())
    this, other_browser = token(iat=now), token(iat=now - 3600)
    check(engine, this)
    check(engine, other_browser)
    sign_out(engine, this)
    refused(engine, this, "This session ended when you signed out")  # a copy of the cookie replayed
    refused(engine, other_browser, "This session ended when you signed out")
    with db.read_session(engine) as session:
        ended = session.get_one(SignInIdentity, ANA).signed_out_at
    assert ended is not None
    assert ended >= datetime.fromtimestamp(now + 1, UTC)  # even when the provider's clock is ahead of ours
    assert check(engine, token(iat=int(ended.timestamp()))) == signed_in(ANA)  # signed in again after
    assert [(r.action, r.outcome) for r in audit(engine)].count(("sign_out", "done")) == 1


def test_a_session_issued_ahead_of_our_clock_is_still_ended_by_its_sign_out(engine: Engine) -> None:
    ahead = token(iat=int(time.time()) + 120)  # the provider's clock two minutes ahead
    check(engine, ahead)
    sign_out(engine, ahead)
    refused(engine, ahead, "This session ended")


def test_signing_out_with_another_accounts_token_ends_nothing(engine: Engine) -> None:
    check(engine, token())
    with pytest.raises(SignInRefused):
        check(engine, token(sub="mallory"))
    sign_out(engine, token(sub="mallory"))
    assert check(engine, token()) == signed_in(ANA)
