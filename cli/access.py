"""`foundations access ...`: grant, revoke and list memberships, and unbind a sign-in, from the command line.

Whoever runs the CLI holds the database, so it acts as an install administrator
(`COMMAND_LINE`); its changes are still written to the audit log under that name.
Plugged into `cli.main` with one call, like the workshop commands.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from sqlalchemy.engine import Engine

from assessment.access.identity import unbind
from assessment.access.policy import COMMAND_LINE, Role
from assessment.core import db
from assessment.interchange.assessment_json import dumps
from assessment.organisations.directory import find_organisation
from assessment.organisations.members import create_organisation, grant, members, revoke
from cli.arguments import no_organisation


def _organisation_id(engine: Engine, name: str, *, create: bool = False) -> int:
    with db.read_session(engine) as session:
        org = find_organisation(session, name=name)
    if org is not None:
        return org.id or 0
    if create:
        return create_organisation(engine, actor=COMMAND_LINE, name=name)
    raise no_organisation(name, "--create-org")


def cmd_access_grant(args: argparse.Namespace) -> int:
    engine = db.ready_engine()
    org_id = _organisation_id(engine, args.org, create=args.create_org)
    print(grant(engine, actor=COMMAND_LINE, organisation_id=org_id, email=args.email, role=args.role))
    return 0


def cmd_access_revoke(args: argparse.Namespace) -> int:
    engine = db.ready_engine()
    print(revoke(engine, actor=COMMAND_LINE, organisation_id=_organisation_id(engine, args.org), email=args.email))
    return 0


def cmd_access_list(args: argparse.Namespace) -> int:
    engine = db.ready_engine()
    rows = members(engine, actor=COMMAND_LINE, organisation_id=_organisation_id(engine, args.org))
    if args.json:
        data: list[dict[str, Any]] = [{**asdict(m), "role": m.role.value} for m in rows]
        print(dumps(data))
        return 0
    if not rows:
        print(f"{args.org} has no members yet (foundations access grant --org ... --email ... --role owner)")
    for m in rows:
        print(f"{m.role.value:<12} {m.email}  (since {m.granted_at:%Y-%m-%d}, by {m.granted_by or 'unknown'})")
    return 0


def cmd_access_unbind(args: argparse.Namespace) -> int:
    print(unbind(db.ready_engine(), args.email))
    return 0


def add_access_commands(sub: Any) -> None:
    """Add `access grant|revoke|list` to the CLI's subcommands."""
    roles = ", ".join(r.value for r in Role)
    acc = sub.add_parser("access", help="who may use an organisation in a shared install").add_subparsers(
        dest="access_command", required=True
    )
    grant_p = acc.add_parser("grant", help="give an e-mail address a role in an organisation (or change it)")
    grant_p.add_argument("--org", required=True, help="organisation name")
    grant_p.add_argument("--email", required=True, help="the address the person signs in with")
    grant_p.add_argument("--role", required=True, choices=[r.value for r in Role], help=f"one of {roles}")
    grant_p.add_argument("--create-org", action="store_true", help="create the organisation if missing")
    grant_p.set_defaults(func=cmd_access_grant)
    revoke_p = acc.add_parser("revoke", help="remove an e-mail address from an organisation")
    revoke_p.add_argument("--org", required=True, help="organisation name")
    revoke_p.add_argument("--email", required=True)
    revoke_p.set_defaults(func=cmd_access_revoke)
    list_p = acc.add_parser("list", help="the members of an organisation and their roles")
    list_p.add_argument("--org", required=True, help="organisation name")
    list_p.add_argument("--json", action="store_true", help="print JSON")
    list_p.set_defaults(func=cmd_access_list)
    unbind_p = acc.add_parser(
        "unbind", help="forget the sign-in account an address is bound to (its next sign-in binds it again)"
    )
    unbind_p.add_argument("--email", required=True, help="the address whose account changed")
    unbind_p.set_defaults(func=cmd_access_unbind)
