"""The app in shared mode, signing in against a real OpenID Connect provider on loopback: for the browser tests.

The provider is `oidc-provider-mock` on a free port: its sign-in form takes a subject
and issues an ID token with the claims registered for it. Streamlit does the real
authorization-code flow against it. The install trusts the provider as
`http://localhost:PORT`; the same provider reached as `http://127.0.0.1:PORT` (the
"partner" button) is another issuer, not trusted. Importing this module imports
Playwright (through tests/support/e2e.py): only browser suites import it.
"""

from __future__ import annotations

import importlib
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from tests.support.e2e import free_port, serving

WAIT = 60_000  # ms: a page on a busy two-core machine can take a while to draw


def _provider() -> Any:
    """`oidc-provider-mock` (the test extra), imported when a test asks for it: it has no type hints."""
    return importlib.import_module("oidc_provider_mock")


@dataclass(frozen=True)
class Served:
    url: str
    issuer: str


def verified(*emails: str) -> list[Any]:
    """Provider accounts whose subject is their address, verified."""
    return [_provider().User(sub=email, claims={"email": email, "email_verified": True}) for email in emails]


@contextmanager
def shared_app(folder: Path, database_url: str, users: Sequence[Any]) -> Iterator[Served]:
    """The provider (knowing `users`) and the app in shared mode on `database_url`; both stopped afterwards."""
    with _provider().run_server_in_thread(user_claims=list(users)) as provider:
        issuer = f"http://localhost:{provider.server_port}"
        partner = f"http://127.0.0.1:{provider.server_port}"  # the same provider under another issuer name
        port = free_port()
        url = f"http://localhost:{port}"  # the redirect URI's host must be the one the browser uses
        (folder / "secrets.toml").write_text(
            f'[auth]\nredirect_uri = "{url}/oauth2callback"\ncookie_secret = "{secrets.token_urlsafe(32)}"\n'
            f'client_id = "foundations-test"\nclient_secret = "{secrets.token_urlsafe(16)}"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
            f'[auth.partner]\nclient_id = "foundations-test"\nclient_secret = "{secrets.token_urlsafe(16)}"\n'
            f'server_metadata_url = "{partner}/.well-known/openid-configuration"\n',
            encoding="utf-8",
        )
        env = {
            "FOUNDATIONS_DATABASE_URL": database_url,
            "FOUNDATIONS_MODE": "shared",
            "FOUNDATIONS_ADMIN_EMAILS": "",
            "FOUNDATIONS_TRUSTED_ISSUERS": issuer,
        }
        args = ("--secrets.files", str(folder / "secrets.toml"))
        with serving(folder, env, host="localhost", port=port, args=args) as served:
            yield Served(served, issuer)


def through_provider(page: Page, url: str, subject: str, *, button: str = "Sign in") -> None:
    """The app's sign-in button, then the provider's own form as `subject`; back at the app."""
    page.goto(url)
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_url(lambda at: not at.startswith(url))
    page.locator("input[name=sub]").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**")


def sign_in(page: Page, url: str, email: str) -> None:
    """Through the app's sign-in button and the provider's own form, back to the app signed in."""
    through_provider(page, url, email)
    expect(page.get_by_text(f"Signed in as {email}")).to_be_visible(timeout=WAIT)
