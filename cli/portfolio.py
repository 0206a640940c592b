"""`foundations round ...`, the organisation exports and the portfolio PDF, plugged into `cli.main`.

Kept beside the rounds and portfolio domain so the shared CLI module only grows
by a few lines: one call that adds the `round` commands, and one dispatch line
each in `export`, `import` and `report`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from assessment.assessments.banks import bank_for_round, find_published
from assessment.assessments.comparison import RoundComparison, compare_rounds, comparison_to_data, level_text
from assessment.assessments.repository import store_bank
from assessment.assessments.rounds import confirm_answers, start_round
from assessment.bank.loader import load_bank
from assessment.core import db
from assessment.core.config import get_settings
from assessment.core.errors import FoundationsError
from assessment.core.files import write_atomically
from assessment.interchange.assessment_json import dumps
from assessment.interchange.bundle.check import parse_bundle
from assessment.interchange.bundle.export import bundle_text, organisation_json
from assessment.interchange.bundle.load import store_bundle
from assessment.interchange.bundle.schema import BUNDLE_VERSION
from assessment.interchange.exports import import_organisation, organisation_csv, parse_organisation_export
from assessment.organisations.directory import find_team
from cli.arguments import bank_name, output_file, positive_id

ROUND_ID = positive_id("an assessment id")


def add_round_commands(sub: Any) -> None:
    """Add `round new`, `round compare` and `round confirm` to the CLI's subcommands."""
    rounds = sub.add_parser("round", help="rounds of a team: start one, compare two, confirm carried answers")
    rp = rounds.add_subparsers(dest="round_command", required=True)
    new = rp.add_parser("new", help="start a team's next round, optionally pre-filled from its latest round")
    new.add_argument("--team", required=True)
    new.add_argument("--org", help="organisation (needed when several have a team of that name)")
    new.add_argument(
        "--prefill",
        action="store_true",
        help="copy the latest round's answers, each marked carried over until confirmed",
    )
    bank = new.add_mutually_exclusive_group()
    bank.add_argument("--bank", help="question bank file (default: the shipped bank)")
    bank.add_argument(
        "--published",
        type=bank_name,
        metavar="ID[@VERSION]",
        help="a bank published for the organisation (`questions published`)",
    )
    new.add_argument("--label", help="a name for the round, e.g. 'Q3 review'")
    new.add_argument("--by", help="who starts the round")
    new.add_argument("--json", action="store_true", help="print JSON")
    new.set_defaults(func=cmd_round_new)
    compare = rp.add_parser("compare", help="what moved between two rounds of one team")
    compare.add_argument("first", type=ROUND_ID, metavar="ID_A")
    compare.add_argument("second", type=ROUND_ID, metavar="ID_B")
    compare.add_argument("--json", action="store_true", help="print JSON")
    compare.set_defaults(func=cmd_round_compare)
    confirm = rp.add_parser("confirm", help="confirm carried-over answers of a round (all, or --question KEY)")
    confirm.add_argument("assessment_id", type=ROUND_ID, metavar="ASSESSMENT_ID")
    confirm.add_argument("--question", action="append", metavar="KEY", help="confirm only this answer")
    confirm.add_argument("--by", help="who confirms")
    confirm.set_defaults(func=cmd_round_confirm)


def cmd_round_new(args: argparse.Namespace) -> int:
    bank = load_bank(args.bank) if args.bank else None
    by = args.by or get_settings().default_user
    with db.write_session(db.ready_engine()) as session:
        team = find_team(session, team=args.team, organisation=args.org)
        if bank is not None:
            stored = store_bank(session, bank=bank)
        else:
            chosen = (
                find_published(
                    session, organisation_id=team.organisation_id, bank_id=args.published[0], version=args.published[1]
                ).bank_version_id
                if args.published
                else None
            )
            stored = bank_for_round(session, team_id=team.id or 0, bank_version_id=chosen)
        started = start_round(
            session,
            team_id=team.id or 0,
            bank_version_id=stored.id or 0,
            by=by,
            prefill=args.prefill,
            label=args.label,
        )
    if args.json:
        print(
            dumps(
                {
                    "id": started.assessment_id,
                    "round_number": started.round_number,
                    "previous_id": started.previous_id,
                    "carried_over": started.carried,
                    "skipped": list(started.skipped),
                    "bank": f"{stored.bank_id} {stored.version}",
                    "stale": [
                        {"question": s.key, "evidence_date": s.stale.evidence_date, "age_days": s.stale.age_days}
                        for s in started.stale
                    ],
                }
            )
        )
        return 0
    print(
        f"started assessment {started.assessment_id} ({args.team}, round {started.round_number}) "
        f"on bank {stored.bank_id} {stored.version}"
    )
    if args.prefill and started.previous_id is None:
        print("  nothing to pre-fill: this is the team's first round")
    elif args.prefill:
        print(
            f"  {started.carried} answer(s) carried over from assessment {started.previous_id}, "
            "each marked until someone confirms it"
        )
    for line in started.skipped:
        print(f"  not carried: {line}")
    for aged in started.stale:
        print(f"  re-confirm (stale): {aged}")
    return 0


def cmd_round_compare(args: argparse.Namespace) -> int:
    with db.read_session(db.ready_engine()) as session:
        result = compare_rounds(session, first_id=args.first, second_id=args.second)
    if args.json:
        print(dumps(comparison_to_data(result)))
        return 0
    for line in comparison_lines(result):
        print(line)
    return 0


def comparison_lines(c: RoundComparison) -> list[str]:
    """The comparison as plain text lines for the terminal."""
    head = (
        f"{c.organisation} / {c.team}: round {c.before.round_number} -> round {c.after.round_number}, "
        f"overall {c.before.overall_score} -> {c.after.overall_score}"
    )
    lines = [head]
    if c.bank_changed:
        lines.append(
            f"  bank {c.before.bank} -> {c.after.bank}: {len(c.questions_added)} question(s) added, "
            f"{len(c.questions_removed)} removed"
        )
    for f in c.foundations:
        delta = "" if f.delta is None else f" ({f.delta:+d})"
        lines.append(f"  {f.title:<32} level {level_text(f.before_level)} -> {level_text(f.after_level)}{delta}")
    for r in c.readiness:
        if r.before != r.after:
            lines.append(f"  {r.title}: {'ready' if r.after else 'not ready'} (was {'ready' if r.before else 'not'})")
    lines += [f"  changed: {a.short}: {a.before or '-'} -> {a.after or '-'} ({a.kind})" for a in c.answers]
    lines += [f"  new risk ({r.risk}): {r.short}: {r.answer or '-'} ({r.why})" for r in c.new_risks]
    lines += [f"  resolved risk: {r.short} ({r.why})" for r in c.resolved_risks]
    lines += [f"  roadmap item done: {i.title}" for i in c.completed_items]
    return lines


def cmd_round_confirm(args: argparse.Namespace) -> int:
    by = args.by or get_settings().default_user
    with db.write_session(db.ready_engine()) as session:
        done = confirm_answers(session, assessment_id=args.assessment_id, by=by, question_keys=args.question)
    print(f"confirmed {len(done)} carried-over answer(s)" + (f": {', '.join(done)}" if done else ""))
    return 0


def export_organisation(args: argparse.Namespace) -> int:
    """`foundations export --org NAME --format csv|json [-o FILE]`."""
    if args.org is None:
        raise FoundationsError(
            "give an ASSESSMENT_ID, or --org NAME to export a whole organisation"
            + (" (CSV export is for an organisation)" if args.format == "csv" else "")
        )
    if args.assessment_id is not None:
        raise FoundationsError("give an ASSESSMENT_ID or --org NAME, not both")
    with db.read_session(db.ready_engine()) as session:
        if args.format == "csv":
            text = organisation_csv(session, organisation=args.org)
        else:
            text = bundle_text(organisation_json(session, organisation=args.org))
    if not args.output:
        sys.stdout.write(text)
        return 0
    write_atomically(args.output, text)
    print(f"wrote {args.output}")
    return 0


def import_bundle(data: Any, source: str, *, with_access: bool = False) -> int:
    """`foundations import FILE` for an organisation export: all or nothing, in one transaction."""
    version = data.get("format_version")
    if version == 1:  # rounds only, from earlier versions: added to the organisation, as they always were
        legacy = parse_organisation_export(data, source)
        with db.write_session(db.ready_engine()) as session:
            done = import_organisation(session, doc=legacy, source=source)
        print(f"imported {len(done)} round(s) of {legacy.organisation!r} from {source}")
        return 0
    if isinstance(version, int) and not isinstance(version, bool) and version > BUNDLE_VERSION:
        raise FoundationsError(
            f"{source}: format_version {version} is newer than this version of Foundations "
            f"reads (1 to {BUNDLE_VERSION}): upgrade Foundations"
        )
    doc = parse_bundle(data, source)
    with db.write_session(db.ready_engine()) as session:
        imported = store_bundle(session, doc=doc, source=source, with_access=with_access)
    print(imported.sentence(source))
    return 0


def report_portfolio(args: argparse.Namespace) -> int:
    """`foundations report --portfolio ORG -o FILE.pdf`."""
    if args.portfolio is None:
        raise FoundationsError("give an ASSESSMENT_ID, or --portfolio ORG for an organisation's portfolio")
    if args.assessment_id is not None:
        raise FoundationsError("give an ASSESSMENT_ID or --portfolio ORG, not both")
    from reports.portfolio import portfolio_pdf  # WeasyPrint is slow to load for every other command

    target = output_file(args.output)
    pdf = portfolio_pdf(db.ready_engine(), args.portfolio)
    write_atomically(target, pdf)
    print(f"wrote {args.output} ({len(pdf) // 1024} KiB)")
    return 0
