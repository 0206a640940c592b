"""`foundations questions publish|published|diff`: an organisation's question banks from the command line.

Publishing checks the file first (every problem with its line and YAML path, as
`questions check` prints them) and stores nothing unless the whole bank is sound.
"""

from __future__ import annotations

import argparse
from typing import Any

from assessment.access.policy import COMMAND_LINE
from assessment.assessments.banks import bank_of_choice, find_published, organisation_banks, publish_bank
from assessment.bank.diff import BankDiff, diff_banks
from assessment.bank.loader import load_bank
from assessment.bank.model import Bank
from assessment.core import db
from assessment.models.assessments import Organisation
from assessment.organisations.directory import find_organisation
from cli.arguments import bank_name, no_organisation


def _organisation(name: str) -> Organisation:
    with db.read_session(db.ready_engine()) as session:
        org = find_organisation(session, name=name)
    if org is None:
        raise no_organisation(name)
    return org


def cmd_publish(args: argparse.Namespace) -> int:
    bank = load_bank(args.file)  # BankError lists every problem; nothing is stored
    org = _organisation(args.org)
    print(publish_bank(db.ready_engine(), actor=COMMAND_LINE, organisation_id=org.id or 0, bank=bank).said)
    return 0


def cmd_published(args: argparse.Namespace) -> int:
    org = _organisation(args.org)
    with db.read_session(db.ready_engine()) as session:
        choices = organisation_banks(session, organisation_id=org.id or 0)
    print(f"{org.name}: {len(choices)} bank(s) new rounds may use")
    for c in choices:
        when = f" on {c.published_at:%Y-%m-%d}" if c.published_at else ""
        print(
            f"  {c.bank_id}@{c.version}  {c.title} ({'shipped' if c.bank_version_id is None else 'published'}"
            f"{f' by {c.published_by}' if c.published_by else ''}{when})"
        )
    return 0


def _bank(organisation: str | None, name: str) -> Bank:
    """A bank file, or with an organisation one of its banks named ID or ID@VERSION."""
    if organisation is None:
        return load_bank(name)
    org = _organisation(organisation)
    bank_id, version = bank_name(name)
    with db.read_session(db.ready_engine()) as session:
        return bank_of_choice(
            session, find_published(session, organisation_id=org.id or 0, bank_id=bank_id, version=version)
        )


def cmd_diff(args: argparse.Namespace) -> int:
    first, second = (_bank(args.org, name) for name in (args.first, args.second))
    for line in diff_lines(diff_banks(first, second)):
        print(line)
    return 0


def diff_lines(d: BankDiff) -> list[str]:
    """The differences as plain lines for the terminal."""
    lines = [f"{d.before} -> {d.after}" + (": the same questions and thresholds" if d.same else "")]
    lines += [f"  added: {q.key} ({q.short})" for q in d.added]
    lines += [f"  removed: {q.key} ({q.short})" for q in d.removed]
    for c in d.changed:
        carried = "" if c.same_meaning else "; answers are not carried over"
        lines.append(f"  changed: {c.key} ({c.short}): {', '.join(c.parts)}{carried}")
    lines += [f"  threshold: {t.where}: {t.before or '-'} -> {t.after or '-'}" for t in d.thresholds]
    return lines


def add_bank_commands(questions: Any) -> None:
    """Add `publish`, `published` and `diff` to the `questions` subcommands."""
    publish = questions.add_parser("publish", help="check a bank file and publish it for an organisation's rounds")
    publish.add_argument("--org", required=True, help="organisation name")
    publish.add_argument("file", metavar="FILE", help="the bank (YAML); a published version never changes")
    publish.set_defaults(func=cmd_publish)
    listed = questions.add_parser("published", help="the banks an organisation's new rounds may use")
    listed.add_argument("--org", required=True, help="organisation name")
    listed.set_defaults(func=cmd_published)
    diff = questions.add_parser("diff", help="two banks side by side: questions added, removed, changed; thresholds")
    diff.add_argument("first", metavar="A", help="a bank file, or with --org a published ID or ID@VERSION")
    diff.add_argument("second", metavar="B")
    diff.add_argument("--org", help="read A and B among this organisation's banks")
    diff.set_defaults(func=cmd_diff)
