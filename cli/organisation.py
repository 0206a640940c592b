"""`foundations org brand ...`: an organisation's report branding from the command line.

Options given change those values and keep the others; `--no-logo` drops the
logo, `--clear` every value (the reports look as Foundations makes them again).
Every value is checked before anything is stored, as on the Access page.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from assessment.access.policy import COMMAND_LINE
from assessment.core import db
from assessment.organisations.brand import Brand, brand_of, make_brand, save_brand
from assessment.organisations.directory import find_organisation
from cli.arguments import no_organisation

TEXTS = ("name", "prepared_by", "confidentiality", "accent")


def cmd_org_brand(args: argparse.Namespace) -> int:
    engine = db.ready_engine()
    with db.read_session(engine) as session:
        org = find_organisation(session, name=args.org)
        if org is None:
            raise no_organisation(args.org)
        current = brand_of(session, organisation_id=org.id or 0) or Brand()
    changes = [name for name in (*TEXTS, "logo") if getattr(args, name) is not None] + (["logo"] * args.no_logo)
    if not (changes or args.clear):
        print(describe(org.name, current))
        return 0
    brand = Brand() if args.clear else _changed(current, args)
    print(save_brand(engine, actor=COMMAND_LINE, organisation_id=org.id or 0, brand=brand))
    if not brand.empty:
        print(describe(org.name, brand))
    return 0


def _changed(current: Brand, args: argparse.Namespace) -> Brand:
    """The stored branding with the given options applied, every value checked again."""
    values = {name: getattr(current, name) if getattr(args, name) is None else getattr(args, name) for name in TEXTS}
    logo, logo_name = current.logo, ".svg" if current.logo_type == "image/svg+xml" else ".png"
    if args.logo is not None:
        logo, logo_name = Path(args.logo).read_bytes(), args.logo
    if args.no_logo:
        logo = None
    return make_brand(**values, logo=logo, logo_name=logo_name)


def describe(organisation: str, brand: Brand) -> str:
    """The branding in lines a person reads back."""
    if brand.empty:
        return f"{organisation}: no branding (reports look as Foundations makes them)"
    logo = f"{brand.logo_type} logo, {len(brand.logo)} bytes" if brand.logo else "no logo"
    rows = [
        ("name", brand.name),
        ("prepared by", brand.prepared_by),
        ("confidentiality", brand.confidentiality),
        ("accent", brand.accent),
        ("logo", logo),
    ]
    return f"{organisation}:\n" + "\n".join(f"  {label:<16} {value or '-'}" for label, value in rows)


def add_organisation_commands(sub: Any) -> None:
    """Add `org brand` to the CLI's subcommands."""
    org = sub.add_parser("org", help="an organisation's settings").add_subparsers(dest="org_command", required=True)
    brand = org.add_parser("brand", help="the reports' branding: name, prepared by, logo, accent, confidentiality")
    brand.add_argument("--org", required=True, help="organisation name")
    brand.add_argument("--name", help="organisation or consultancy name shown on the cover and in the running heads")
    brand.add_argument("--prepared-by", dest="prepared_by", help='"prepared by" on the cover, e.g. "Acme Consulting"')
    brand.add_argument("--confidentiality", help="the line at the foot of every page")
    brand.add_argument("--accent", help="accent colour as #rrggbb; must reach 4.5:1 against white (WCAG AA)")
    brand.add_argument("--logo", help="a PNG or SVG file (an SVG is rebuilt without scripts or links)")
    brand.add_argument("--no-logo", action="store_true", help="remove the logo")
    brand.add_argument("--clear", action="store_true", help="remove all branding")
    brand.set_defaults(func=cmd_org_brand)
