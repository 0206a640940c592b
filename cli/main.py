"""The `foundations` command line: every headless job, one-line errors, JSON where asked.

Exit codes: 0 success, 1 bad input or state (one line on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy.engine import Engine

from assessment.access.policy import COMMAND_LINE, acting_as
from assessment.assessments.repository import (
    create_assessment,
    list_assessments,
    load_assessment,
    save_answer,
    store_bank,
)
from assessment.bank.answers import parse_answer_mapping
from assessment.bank.loader import BankError, default_bank_path, load_bank
from assessment.core import db
from assessment.core.config import get_settings
from assessment.core.errors import FoundationsError
from assessment.core.files import write_atomically
from assessment.demo import DEMO_ORG, load_demo
from assessment.dora.service import with_lookback
from assessment.interchange.assessment_json import (
    dumps,
    export_assessment,
    import_assessment,
    load_json_file,
    parse_export,
)
from assessment.interchange.exports import is_organisation_export
from assessment.interchange.serialise import score_to_data
from assessment.judgement import judge
from assessment.organisations.directory import ensure_organisation, ensure_team, find_organisation, find_team
from assessment.roadmap.plan import roadmap_to_data
from cli.access import add_access_commands
from cli.arguments import assessment_id, no_organisation, output_file, read_data_file
from cli.banks import add_bank_commands
from cli.database import add_database_commands
from cli.dora import add_dora_commands
from cli.organisation import add_organisation_commands
from cli.portfolio import add_round_commands, export_organisation, import_bundle, report_portfolio
from cli.workshops import add_workshop_commands

Handler = Callable[[argparse.Namespace], int]


def _engine() -> Engine:
    return db.ready_engine()


def _print_json(data: Any) -> None:
    print(dumps(data))


def cmd_demo(args: argparse.Namespace) -> int:
    engine = _engine()
    with db.write_session(engine) as session:
        created = load_demo(session, bank=load_bank(args.bank))
    if created:
        print(f"demo organisation {DEMO_ORG!r}: created {len(created)} assessment(s)")
    else:
        print(f"demo organisation {DEMO_ORG!r} is already loaded")
    return 0


def cmd_questions_check(args: argparse.Namespace) -> int:
    paths = args.paths or [default_bank_path()]
    failed = 0
    for path in paths:
        try:
            bank = load_bank(path)
        except BankError as exc:
            failed += 1
            for issue in exc.issues:
                print(str(issue), file=sys.stderr)
            continue
        print(
            f"{path}: ok ({bank.id} {bank.version}: {len(bank.foundations)} foundations, "
            f"{len(bank.questions)} questions, {len(bank.investments)} investments)"
        )
    return 1 if failed else 0


def cmd_list(args: argparse.Namespace) -> int:
    with db.read_session(_engine()) as session:
        rows = list_assessments(session)
    if args.json:
        _print_json([row.__dict__ for row in rows])
        return 0
    if not rows:
        print("no assessments yet (try `foundations demo`)")
    for r in rows:
        print(
            f"{r.id:>5}  {r.organisation} / {r.team}  round {r.round_number}  {r.status:<11} "
            f"{r.answered} answered  [{r.bank}]"
        )
    return 0


def cmd_assessment_create(args: argparse.Namespace) -> int:
    bank = load_bank(args.bank)
    mapping = read_data_file(args.answers)
    try:
        answers = parse_answer_mapping(bank, mapping)
    except FoundationsError as exc:
        raise FoundationsError(f"{args.answers}: {exc}") from None
    by = args.by or get_settings().default_user
    with db.write_session(_engine()) as session:
        if args.org:
            org = (
                find_organisation(session, name=args.org)
                if not args.create_team
                else ensure_organisation(session, name=args.org)
            )
            if org is None:
                raise no_organisation(args.org, "--create-team")
            team = (
                ensure_team(session, organisation_id=org.id or 0, name=args.team)
                if args.create_team
                else find_team(session, team=args.team, organisation=args.org)
            )
        else:
            team = find_team(session, team=args.team)
        stored = store_bank(session, bank=bank)
        assessment = create_assessment(
            session, team_id=team.id or 0, bank_version_id=stored.id or 0, created_by=by, label=args.label
        )
        for key, answer in answers.items():
            save_answer(session, assessment_id=assessment.id or 0, question_key=key, answer=answer, by=by)
    if args.json:
        _print_json({"id": assessment.id, "round_number": assessment.round_number, "answers": len(answers)})
    else:
        print(
            f"created assessment {assessment.id} ({args.team}, round {assessment.round_number}) "
            f"with {len(answers)} answer(s)"
        )
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    with db.read_session(_engine()) as session:
        data = load_assessment(session, assessment_id=args.assessment_id)
        result = judge(session, data).score
    payload = score_to_data(data, result)
    if args.json:
        _print_json(payload)
        return 0
    print(
        f"{data.organisation} / {data.title}: overall {result.overall_score}/100, "
        f"{result.answered}/{result.total} answered"
    )
    for f in result.foundations.values():
        cap = " (capped by its deciding test)" if f.gate_capped else ""
        print(f"  {f.title:<32} {f.score:>3}/100  level {f.level} {f.level_name}{cap}")
    for v in result.verdicts:
        print(f"  - {v.headline}")
        for line in v.bullets:
            print(f"      {line}")
    return 0


def cmd_roadmap(args: argparse.Namespace) -> int:
    with db.read_session(_engine()) as session:
        data = load_assessment(session, assessment_id=args.assessment_id)
        judged = judge(session, data)
    dora, evidence, roadmap = judged.dora, judged.evidence, judged.roadmap
    if args.json:
        _print_json(
            {
                "assessment": {
                    "id": data.id,
                    "organisation": data.organisation,
                    "team": data.team,
                    "round_number": data.round_number,
                },
                "dora_evidence": {
                    "source": dora.source if dora else None,
                    "window": dora.window if dora else None,
                    "lookback_hours": dora.lookback_hours if dora else None,
                    "signals": [asdict(s) for s in evidence.signals],
                },
                **roadmap_to_data(roadmap),
            }
        )
        return 0
    source = f"; DORA evidence from {with_lookback(dora.source, dora.lookback_hours)}" if dora else "; no DORA data"
    print(f"{data.organisation} / {data.title}: {len(roadmap.items)} investment(s){source}")
    for i in roadmap.items:
        print(f"  {i.position:>2}. [{i.phase.value:<5}] {i.title} ({i.effort}) - {i.reason}")
    for e in roadmap.end_states:
        print(f"  - {e.reason}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    if args.portfolio is not None or args.assessment_id is None:
        return report_portfolio(args)
    from reports.build import report_pdf  # imported here: WeasyPrint is slow to load for every other command

    target = output_file(args.output)
    pdf = report_pdf(_engine(), args.assessment_id)
    write_atomically(target, pdf)
    print(f"wrote {args.output} ({len(pdf) // 1024} KiB)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    if args.org is not None or args.assessment_id is None or args.format == "csv":
        return export_organisation(args)
    with db.read_session(_engine()) as session:
        data = export_assessment(session, assessment_id=args.assessment_id)
    text = dumps(data)
    if args.output:
        write_atomically(args.output, text + "\n")
        print(f"wrote {args.output}")
    else:
        print(text)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    data = load_json_file(args.file)
    if is_organisation_export(data):
        return import_bundle(data, args.file, with_access=args.with_access)
    doc = parse_export(data, args.file)
    with db.write_session(_engine()) as session:
        new_id, round_number = import_assessment(session, doc=doc, source=args.file)
    print(f"imported {args.file} as assessment {new_id} ({doc.organisation} / {doc.team}, round {round_number})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="foundations", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    add_database_commands(sub)

    demo = sub.add_parser("demo", help="load the demo organisation (safe to run twice)")
    demo.add_argument("--bank", help="question bank file (default: the shipped bank)")
    demo.set_defaults(func=cmd_demo)

    qp = sub.add_parser("questions", help="question banks").add_subparsers(dest="q_command", required=True)
    check = qp.add_parser("check", help="validate bank files (default: the shipped bank)")
    check.add_argument("paths", nargs="*", metavar="PATH")
    check.set_defaults(func=cmd_questions_check)
    add_bank_commands(qp)

    lst = sub.add_parser("list", help="list assessments")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_list)

    ap = sub.add_parser("assessment", help="assessments").add_subparsers(dest="a_command", required=True)
    create = ap.add_parser("create", help="create a round for a team from an answers file (YAML or JSON)")
    create.add_argument("--team", required=True)
    create.add_argument("--org", help="organisation (needed when several have a team of that name)")
    create.add_argument("--answers", required=True, metavar="FILE", help="mapping of question key to answer")
    create.add_argument("--bank", help="question bank file (default: the shipped bank)")
    create.add_argument("--label", help="a name for the round, e.g. 'Q3 baseline'")
    create.add_argument("--by", help="who gave the answers")
    create.add_argument("--create-team", action="store_true", help="create the organisation and team if missing")
    create.add_argument("--json", action="store_true", help="print JSON")
    create.set_defaults(func=cmd_assessment_create)

    score = sub.add_parser("score", help="scores, levels and readiness of an assessment")
    score.add_argument("assessment_id", type=assessment_id, metavar="ASSESSMENT_ID")
    score.add_argument("--json", action="store_true", help="print JSON")
    score.set_defaults(func=cmd_score)

    roadmap = sub.add_parser("roadmap", help="the ordered roadmap of investments for an assessment")
    roadmap.add_argument("assessment_id", type=assessment_id, metavar="ASSESSMENT_ID")
    roadmap.add_argument("--json", action="store_true", help="print JSON")
    roadmap.set_defaults(func=cmd_roadmap)

    report = sub.add_parser("report", help="write the PDF report of an assessment")
    report.add_argument("assessment_id", type=assessment_id, metavar="ASSESSMENT_ID", nargs="?")
    report.add_argument("--portfolio", metavar="ORG", help="write the portfolio report of an organisation instead")
    report.add_argument("-o", "--output", required=True, metavar="FILE", help="PDF file to write")
    report.set_defaults(func=cmd_report)

    export = sub.add_parser("export", help="export an assessment with its bank and history")
    export.add_argument("assessment_id", type=assessment_id, metavar="ASSESSMENT_ID", nargs="?")
    export.add_argument("--org", metavar="NAME", help="export every round of an organisation instead")
    export.add_argument("--format", choices=["json", "csv"], default="json", help="csv: with --org only")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    export.set_defaults(func=cmd_export)

    imp = sub.add_parser("import", help="import an assessment exported with `foundations export`")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument(
        "--with-access",
        action="store_true",
        help="an organisation export: also grant the memberships and workshop keys it carries (listed without it)",
    )
    imp.set_defaults(func=cmd_import)
    add_workshop_commands(sub)
    add_round_commands(sub)
    add_access_commands(sub)
    add_organisation_commands(sub)
    add_dora_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; user errors become one line on stderr and exit 1."""
    args = build_parser().parse_args(argv)
    try:
        with acting_as(COMMAND_LINE):  # whoever runs the CLI holds the database
            return int(args.func(args))
    except BankError as exc:
        for issue in exc.issues:
            print(f"error: {issue}", file=sys.stderr)
        return 1
    except FoundationsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader left (`| head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush cannot fail
        return 141
    except OSError as exc:  # a file the user named cannot be read: name it when the system does
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(f"error: unexpected {type(exc).__name__}: {first}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
