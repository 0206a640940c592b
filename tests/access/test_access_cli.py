"""`foundations access grant|revoke|list|unbind`, in-process against a real database, in shared mode."""

from __future__ import annotations

import json

import pytest

from assessment.access.identity import Claims, SignInRefused, check
from assessment.access.policy import COMMAND_LINE
from assessment.core import db
from assessment.organisations.directory import find_organisation
from assessment.organisations.members import audit_log
from cli import main as cli
from tests.support.access_world import TEST_ISSUER
from tests.support.cli import run

ORG = "Northwind Streaming"


@pytest.fixture
def cli_demo(env_database: str, shared_mode: None, capsys: pytest.CaptureFixture[str]) -> str:
    """The demo organisation in a migrated database; the CLI acts although nobody signed in."""
    assert run(capsys, "db", "upgrade")[0] == 0
    code, _out, err = run(capsys, "demo")
    assert code == 0, err
    return env_database


def test_grant_list_and_revoke(cli_demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "access", "grant", "--org", ORG, "--email", "Ana@Example.org", "--role", "owner") == (
        0,
        f"ana@example.org joined {ORG} as owner\n",
        "",
    )
    assert run(capsys, "access", "grant", "--org", ORG, "--email", "bo@example.org", "--role", "viewer")[0] == 0
    out = run(capsys, "access", "grant", "--org", ORG, "--email", "bo@example.org", "--role", "member")[1]
    assert out == f"bo@example.org is now member in {ORG} (was viewer)\n"
    out = run(capsys, "access", "list", "--org", ORG, "--json")[1]
    listed = json.loads(out)
    assert [(m["email"], m["role"], m["granted_by"]) for m in listed] == [
        ("ana@example.org", "owner", "command line"),
        ("bo@example.org", "member", "command line"),
    ]
    out = run(capsys, "access", "list", "--org", ORG)[1]
    assert out.splitlines()[0].startswith("owner        ana@example.org  (since ")
    assert run(capsys, "access", "revoke", "--org", ORG, "--email", "BO@example.org")[1] == (
        f"bo@example.org no longer belongs to {ORG} (was member)\n"
    )
    engine = db.get_engine(cli_demo)
    with db.read_session(engine) as session:
        org = find_organisation(session, name=ORG)
    assert org is not None
    log = audit_log(engine, actor=COMMAND_LINE, organisation_id=org.id or 0)
    assert [e.actor for e in log] == ["command line"] * 4


def test_bad_input_is_one_line_and_changes_nothing(cli_demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "access", "grant", "--org", ORG, "--email", "ana@example.org", "--role", "owner")
    cases = [
        (
            ("revoke", "--org", ORG, "--email", "ana@example.org"),
            f"error: ana@example.org is the last owner of {ORG}: make someone else owner first\n",
        ),
        (
            ("grant", "--org", "Nope", "--email", "x@y.org", "--role", "owner"),
            "error: no organisation named 'Nope' (add --create-org to create it)\n",
        ),
        (
            ("grant", "--org", ORG, "--email", "x.y.org", "--role", "owner"),
            "error: 'x.y.org' is not an e-mail address\n",
        ),
        (("revoke", "--org", ORG, "--email", "x@y.org"), f"error: x@y.org is not a member of {ORG}\n"),
        (("list", "--org", "Nope"), "error: no organisation named 'Nope' (add --create-org to create it)\n"),
    ]
    for argv, message in cases:
        assert run(capsys, "access", *argv) == (1, "", message)
    with pytest.raises(SystemExit) as usage:
        cli.main(["access", "grant", "--org", ORG, "--email", "x@y.org", "--role", "boss"])
    assert usage.value.code == 2
    assert "invalid choice: 'boss'" in capsys.readouterr().err
    assert json.loads(run(capsys, "access", "list", "--org", ORG, "--json")[1])[0]["email"] == "ana@example.org"


def test_grant_can_create_the_organisation(cli_demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "access",
        "grant",
        "--org",
        "Initech",
        "--email",
        "b@i.example",
        "--role",
        "owner",
        "--create-org",
    )
    assert (code, out) == (0, "b@i.example joined Initech as owner\n")


def test_unbind_forgets_the_account_an_address_signed_in_with(
    cli_demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = db.get_engine(cli_demo)
    claims = {"iss": TEST_ISSUER, "sub": "old-account", "email": "ana@example.org", "email_verified": True, "iat": 1}
    check(engine, Claims.of(claims))
    with pytest.raises(SignInRefused):
        check(engine, Claims.of({**claims, "sub": "new-account"}))
    assert run(capsys, "access", "unbind", "--email", "Ana@Example.org") == (
        0,
        f"ana@example.org is no longer bound to old-account at {TEST_ISSUER}: its next sign-in binds it again\n",
        "",
    )
    assert check(engine, Claims.of({**claims, "sub": "new-account"})).email == "ana@example.org"
    refused = (1, "", "error: 'x.y.org' is not an e-mail address\n")
    assert run(capsys, "access", "unbind", "--email", "x.y.org") == refused
