"""`foundations dora import|metrics`: the DORA import and figures from the command line.

Plugged into `cli.main` with one call. A refused import prints every
problem (file, line, column, value) on standard error and saves nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from sqlmodel import Session

from assessment.core import db
from assessment.core.config import get_settings
from assessment.core.errors import FoundationsError
from assessment.dora import service
from assessment.dora.service import (
    DEFAULT_LOOKBACK_HOURS,
    DEFAULT_MAX_BYTES,
    LIST_SEPARATORS,
    DoraImportError,
    FileInput,
    ImportOptions,
    ImportPlan,
    ImportResult,
    Kind,
    Mapping,
    NotConfirmed,
    ParsedFile,
    Problem,
    UnknownTeams,
    WriteOptions,
)
from assessment.interchange.assessment_json import dumps
from assessment.organisations.directory import ensure_organisation, ensure_team, find_organisation, find_team
from cli.arguments import iso_date, no_organisation
from cli.dora_figures import add_figures_command


class ProgressBar:
    """A one-line bar on a terminal; silent when the output is a file or a pipe."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.drawn = False  # a bar is on the current line

    def __call__(self, fraction: float, message: str) -> None:
        if self.live:
            filled = int(30 * fraction)
            self.stream.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {message[:60]:<60}")
            self.stream.flush()
            self.drawn = True

    def done(self) -> None:
        """End the bar's line (once), so what is printed next starts on a line of its own."""
        if self.drawn:
            self.stream.write("\n")
            self.drawn = False


def _read(path: str | None, kind: Kind, max_bytes: int | None) -> FileInput | None:
    if path is None:
        return None
    file = Path(path)
    if not file.is_file():
        raise DoraImportError([Problem(path, "file not found")])
    if max_bytes is not None and file.stat().st_size > max_bytes:
        size = file.stat().st_size / 1024 / 1024
        raise DoraImportError(
            [
                Problem(
                    path,
                    f"the file is {size:.1f} MB, over the limit of "
                    f"{max_bytes / 1024 / 1024:.1f} MB; split it or raise --max-mb",
                )
            ]
        )
    return FileInput(kind, path, file.read_bytes())


def cmd_dora_import(args: argparse.Namespace) -> int:
    max_bytes = None if args.max_mb == 0 else int(args.max_mb * 1024 * 1024)
    bar = ProgressBar(sys.stderr)
    try:
        inputs = [
            i
            for i in (
                _read(args.deployments, Kind.DEPLOYMENTS, max_bytes),
                _read(args.changes, Kind.CHANGES, max_bytes),
                _read(args.incidents, Kind.INCIDENTS, max_bytes),
            )
            if i is not None
        ]
        mapping = _mapping(args)
        options = ImportOptions(mapping=mapping, tz=args.tz, max_bytes=max_bytes, skip_invalid=args.skip_invalid)
        parsed = service.parse_files(inputs, options, progress=bar)
        for warning in (w for p in parsed for w in p.warnings):  # said before anything is written
            print(f"warning: {warning}", file=sys.stderr)
        result = _write(args, parsed, bar)
        bar.done()
    except NotConfirmed:
        bar.done()
        print("dry run: nothing was imported")
        return 0
    except DoraImportError as exc:
        bar.done()
        for line in exc.lines(limit=50):
            print(f"error: {line}", file=sys.stderr)
        if isinstance(exc, UnknownTeams):
            hint = " (add --create-teams to create these teams)"
        else:
            hint = " (add --skip-invalid to import the other rows)" if exc.skippable else ""
        print(f"error: nothing was imported{hint}", file=sys.stderr)
        return 1
    print(result.sentence())
    for problem in result.skipped[:50]:
        print(f"skipped: {problem}")
    return 0


def _mapping(args: argparse.Namespace) -> Mapping:
    """The mapping file or the preset, with the separator and the service the options name."""
    if args.mapping and args.preset:
        raise FoundationsError("give --mapping or --preset, not both (a mapping file can start from a preset's)")
    mapping = service.read_mapping_file(args.mapping) if args.mapping else None
    mapping = service.preset_mapping(args.preset) if args.preset else mapping
    mapping = service.with_list_separator(mapping, args.list_separator)
    return service.with_service(mapping, args.service)


def _write(args: argparse.Namespace, parsed: list[ParsedFile], bar: ProgressBar) -> ImportResult:
    by = args.by or get_settings().default_user

    def say(plan: ImportPlan) -> bool:
        """Print what the import would change before it commits; a dry run stops here."""
        if args.dry_run or plan.new_teams or plan.notes or any(p.updated for p in plan.files):
            bar.done()
            for line in plan.lines():
                print(line)
        return not args.dry_run

    options = WriteOptions(
        replace=args.replace, create_teams=args.create_teams, other_teams=args.team is None, confirm=say
    )
    target = service.Target(find=lambda session: _found(session, args), make=lambda session: _target(session, args))
    return service.import_into(db.ready_engine(), target=target, parsed=parsed, by=by, progress=bar, options=options)


def _found(session: Session, args: argparse.Namespace) -> tuple[int, int | None] | None:
    """The organisation and team rows go to when both exist already (nothing created), else None."""
    org = find_organisation(session, name=args.org) if args.org else None
    if args.team is None:
        return (org.id or 0, None) if org is not None else None
    if args.org and org is None:
        return None
    try:
        team = find_team(session, team=args.team, organisation=args.org)
    except FoundationsError:
        return None
    return team.organisation_id, team.id


def _target(session: Session, args: argparse.Namespace) -> tuple[int, int | None]:
    """The organisation and (optional) team rows go to; files with a team column need only --org."""
    if args.team is None:
        if not args.org:
            raise FoundationsError("give --team (or --org, for files with a team column)")
        return _organisation(session, args), None
    if args.create_team and args.org:
        return (org_id := _organisation(session, args)), ensure_team(session, organisation_id=org_id, name=args.team).id
    if args.org and args.create_org:
        _organisation(session, args)
    if args.org and find_organisation(session, name=args.org) is None:
        raise no_organisation(args.org, "--create-org")
    team = find_team(session, team=args.team, organisation=args.org)
    return team.organisation_id, team.id


def _organisation(session: Session, args: argparse.Namespace) -> int:
    """The id of --org, created with --create-org; otherwise a missing one is an error that names the option."""
    org = find_organisation(session, name=args.org)
    if org is None and args.create_org:
        org = ensure_organisation(session, name=args.org)
    if org is None:
        raise no_organisation(args.org, "--create-org")
    return org.id or 0


def cmd_dora_metrics(args: argparse.Namespace) -> int:
    with db.read_session(db.ready_engine()) as session:
        team = find_team(session, team=args.team, organisation=args.org)
        latest = service.latest_event(session, team_id=team.id or 0)
        window = service.window_for(args.since, args.until, latest_s=latest)
        summary = service.team_summary(session, team_id=team.id or 0, window=window, lookback_hours=args.lookback_hours)
    if args.json:
        print(dumps({"team": args.team, **service.summary_data(summary)}))
        return 0
    print(f"{args.team}: {summary.window}; nearest cluster: {summary.cluster_text} ({summary.edition})")
    for figure in summary.figures:
        band = f" [{figure.band.label}]" if figure.band else ""
        print(f"  {figure.title:<32} {figure.text}{band}")
    for reason, count in summary.metrics.quality.counts().items():
        print(f"  left out: {count} {reason}")
    return 0


def add_dora_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `dora import` and `dora metrics` on the main parser."""
    dora = sub.add_parser("dora", help="DORA data: import files, type figures, print metrics").add_subparsers(
        dest="dora_command", required=True
    )
    add_figures_command(dora)
    imp = dora.add_parser("import", help="import deployments, changes and incidents (CSV or JSON), all or nothing")
    imp.add_argument("--team", help="the team the rows belong to (files with a team column need only --org)")
    imp.add_argument("--org", help="organisation (needed when several have a team of that name)")
    for kind in Kind:
        imp.add_argument(f"--{kind.value}", metavar="FILE", help=f"{kind.value} file (see docs/DORA.md)")
    imp.add_argument("--mapping", metavar="FILE", help="column mapping file for exports with other column names")
    imp.add_argument(
        "--preset",
        metavar="TOOL",
        help=f"the column mapping of a tool's export: {', '.join(service.PRESETS)} (see docs/DORA.md)",
    )
    imp.add_argument(
        "--service",
        metavar="NAME",
        help="the service of every row whose file names none (GitHub, GitLab and Opsgenie exports)",
    )
    imp.add_argument(
        "--list-separator",
        choices=list(LIST_SEPARATORS),
        help="how the deployments' change_ids cells separate ids (default: what most cells use)",
    )
    imp.add_argument("--tz", metavar="ZONE", help="time zone of times written without an offset, e.g. Europe/Paris")
    imp.add_argument("--skip-invalid", action="store_true", help="import the valid rows and list the others")
    imp.add_argument(
        "--max-mb",
        type=float,
        default=DEFAULT_MAX_BYTES / 1024 / 1024,
        help="largest file accepted, in MB (default 50; 0: no limit)",
    )
    imp.add_argument("--create-team", action="store_true", help="create the team in --org if it does not exist")
    imp.add_argument(
        "--create-teams",
        action="store_true",
        help="create the teams a team column names that --org does not have (they are listed otherwise)",
    )
    imp.add_argument("--create-org", action="store_true", help="create --org if it does not exist")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="a value the file leaves empty empties the stored one (default: merge, the stored value stays)",
    )
    imp.add_argument("--dry-run", action="store_true", help="say what the import would change, save nothing")
    imp.add_argument("--by", help="who imports (recorded with the import)")
    imp.set_defaults(func=cmd_dora_import)

    met = dora.add_parser("metrics", help="the four keys of a team over a window, with bands and data quality")
    met.add_argument("--team", required=True)
    met.add_argument("--org", help="organisation (needed when several have a team of that name)")
    met.add_argument(
        "--since", type=iso_date, metavar="DATE", help="first day included (default: 90 days before --until)"
    )
    met.add_argument(
        "--until", type=iso_date, metavar="DATE", help="last day included (default: the latest event's day)"
    )
    met.add_argument(
        "--lookback-hours",
        type=float,
        default=None,
        help="how long before an incident a deployment can be blamed for it, for this view "
        f"(default: the organisation's, {DEFAULT_LOOKBACK_HOURS:g} unless set with `dora lookback`)",
    )
    met.add_argument("--json", action="store_true", help="print JSON")
    met.set_defaults(func=cmd_dora_metrics)
