"""`foundations workshop ...`: create, status, close, reopen, reset-key.

Kept beside the workshop domain and plugged into `cli.main` with one call,
so the shared CLI module only grows by two lines. The facilitator key is printed
once, at creation or reset; it is not stored and cannot be printed again.
"""

from __future__ import annotations

import argparse
from typing import Any

from assessment.bank.loader import load_bank
from assessment.core import db
from assessment.core.config import get_settings
from assessment.interchange.assessment_json import dumps
from assessment.workshops.admin import (
    DEFAULT_VALID_DAYS,
    close_workshop,
    create_workshop,
    get_workshop,
    reopen_workshop,
    reset_facilitator_key,
    workshop_status,
)
from assessment.workshops.links import DEFAULT_BASE_URL, dashboard_link, join_link
from assessment.workshops.tokens import format_join_code
from cli.arguments import positive_id


def cmd_workshop_create(args: argparse.Namespace) -> int:
    bank = load_bank(args.bank)
    with db.write_session(db.ready_engine()) as session:
        created = create_workshop(
            session,
            organisation=args.org,
            teams=args.team,
            bank=bank,
            facilitator=args.by or get_settings().default_user,
            title=args.title,
            valid_days=args.days,
        )
    links = {
        "join_link": join_link(args.base_url, created.join_code),
        "dashboard_link": dashboard_link(args.base_url, created.id),
    }
    if args.json:
        print(
            dumps(
                {
                    "id": created.id,
                    "join_code": format_join_code(created.join_code),
                    "facilitator_key": created.facilitator_key,
                    "expires_at": created.expires_at,
                    "assessments": created.assessment_ids,
                    **links,
                }
            )
        )
        return 0
    print(
        f"workshop {created.id} is open until {created.expires_at:%Y-%m-%d %H:%M} UTC "
        f"for {', '.join(created.assessment_ids)}"
    )
    print(f"  join code:        {format_join_code(created.join_code)}")
    print(f"  join link:        {links['join_link']}")
    print(f"  facilitator key:  {created.facilitator_key}")
    print(f"  dashboard:        {links['dashboard_link']} (type the key there; links never carry it)")
    print(
        "The facilitator key is shown only now; keep it private "
        f"(a lost key: foundations workshop reset-key {created.id})."
    )
    return 0


def cmd_workshop_status(args: argparse.Namespace) -> int:
    with db.read_session(db.ready_engine()) as session:
        status: dict[str, Any] = workshop_status(session, workshop_id=args.workshop_id)
    if args.json:
        print(dumps(status))
        return 0
    state = "accepting participants" if status["accepting_participants"] else status["status"]
    print(
        f"workshop {status['id']}: {status['title']} ({status['organisation']}), {state}, "
        f"code {status['join_code']}, links valid until {status['expires_at']:%Y-%m-%d %H:%M} UTC"
    )
    for t in status["teams"]:
        print(
            f"  {t['team']}: {t['participants']} joined, {t['finished']} finished, "
            f"{t['individual_answers']} individual answers, {t['agreed_answers']} agreed "
            f"(assessment {t['assessment_id']})"
        )
    return 0


def cmd_workshop_close(args: argparse.Namespace) -> int:
    with db.write_session(db.ready_engine()) as session:
        close_workshop(get_workshop(session, workshop_id=args.workshop_id))
    print(f"workshop {args.workshop_id} is closed: its join code and participant links no longer work")
    return 0


def cmd_workshop_reopen(args: argparse.Namespace) -> int:
    with db.write_session(db.ready_engine()) as session:
        workshop = get_workshop(session, workshop_id=args.workshop_id)
        reopen_workshop(workshop, valid_days=args.days)
    print(f"workshop {args.workshop_id} is open again until {workshop.expires_at:%Y-%m-%d %H:%M} UTC")
    return 0


def cmd_workshop_reset_key(args: argparse.Namespace) -> int:
    with db.write_session(db.ready_engine()) as session:
        key = reset_facilitator_key(get_workshop(session, workshop_id=args.workshop_id))
    print(f"new facilitator key:  {key}")
    print(f"dashboard:            {dashboard_link(args.base_url, args.workshop_id)} (type the key there)")
    print("The old key no longer works; this one is shown only now.")
    return 0


def add_workshop_commands(sub: Any) -> None:
    """Register `workshop` and its subcommands on the CLI's subparsers."""
    wp = sub.add_parser("workshop", help="facilitated workshops").add_subparsers(dest="w_command", required=True)
    create = wp.add_parser("create", help="open a workshop for one or more teams (creates them if missing)")
    create.add_argument("--org", required=True, help="organisation (created if missing)")
    create.add_argument("--team", required=True, action="append", help="a team taking part; repeat for more")
    create.add_argument("--title", help="a name for the workshop and its rounds")
    create.add_argument("--by", help="facilitator's name")
    create.add_argument("--days", type=int, default=DEFAULT_VALID_DAYS, help="how long links work (default 7)")
    create.add_argument("--bank", help="question bank file (default: the shipped bank)")
    create.add_argument("--base-url", default=DEFAULT_BASE_URL, help=f"the app's address (default {DEFAULT_BASE_URL})")
    create.add_argument("--json", action="store_true", help="print JSON")
    create.set_defaults(func=cmd_workshop_create)
    for name, func, text in (
        ("status", cmd_workshop_status, "progress per team"),
        ("close", cmd_workshop_close, "stop the join code and participant links"),
        ("reopen", cmd_workshop_reopen, "let the code and links work again"),
        ("reset-key", cmd_workshop_reset_key, "replace a lost facilitator key"),
    ):
        cmd = wp.add_parser(name, help=text)
        cmd.add_argument("workshop_id", type=positive_id("a workshop id"), metavar="WORKSHOP_ID")
        cmd.set_defaults(func=func)
        if name == "status":
            cmd.add_argument("--json", action="store_true", help="print JSON")
        if name == "reopen":
            cmd.add_argument("--days", type=int, default=DEFAULT_VALID_DAYS, help="how long links work (default 7)")
        if name == "reset-key":
            cmd.add_argument("--base-url", default=DEFAULT_BASE_URL, help="the app's address")
