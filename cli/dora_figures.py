"""`foundations dora figures|lookback`: a team's four DORA figures and the organisation's look-back, headless.

The same check as the app's form: a range from the DORA Quick Check style list, or an
exact number in the metric's unit; anything else is refused naming the option, and
nothing is stored. The team's findings are recomputed, so a typed figure can contest
a claim at once.
"""

from __future__ import annotations

import argparse

from assessment.core import db
from assessment.core.config import get_settings
from assessment.core.errors import FoundationsError
from assessment.dora.service import (
    RANGES,
    Typed,
    check_typed,
    organisation_lookback,
    save_typed_figures,
    set_organisation_lookback,
    typed_figures,
)
from assessment.organisations.directory import find_organisation, find_team

# metric -> (option name, unit of a number)
OPTIONS = {
    "deployment_frequency": ("deployment-frequency", "deployments per week"),
    "lead_time": ("lead-time", "hours"),
    "change_failure_rate": ("change-failure-rate", "%"),
    "recovery_time": ("recovery-time", "hours"),
}


def typed_option(metric: str, text: str | None) -> Typed | None:
    """A range key or a number; FoundationsError naming the option and the choices otherwise."""
    if text is None:
        return None
    option, unit = OPTIONS[metric]
    if text in RANGES[metric]:
        return Typed(range=text)
    try:
        typed = Typed(number=float(text))
    except ValueError:
        choices = ", ".join(RANGES[metric])
        raise FoundationsError(f"--{option}: {text!r} is neither a number of {unit} nor one of {choices}") from None
    try:  # the app's range check (0-100 %, no negative or endless figure), worded for the option
        return check_typed(metric, typed)
    except FoundationsError:
        raise FoundationsError(f"--{option}: {text!r} is out of range for a number of {unit}") from None


def cmd_dora_figures(args: argparse.Namespace) -> int:
    values = {m: t for m in OPTIONS if (t := typed_option(m, getattr(args, m))) is not None}
    if not values:
        raise FoundationsError("give at least one figure: " + ", ".join(f"--{o}" for o, _ in OPTIONS.values()))
    with db.write_session(db.ready_engine()) as session:
        team = find_team(session, team=args.team, organisation=args.org)
        save_typed_figures(session, team_id=team.id or 0, by=args.by or get_settings().default_user, values=values)
        typed = typed_figures(session, team_id=team.id or 0)
    print(f"typed figures saved for {team.name}")
    for f in typed.figures if typed else ():
        if f.value is not None:
            print(f"  {f.title}: {f.text}" + (f" ({f.band.label} band)" if f.band else ""))
    if typed and typed.cluster:
        print(f"  nearest DORA cluster: {typed.cluster}")
    return 0


def cmd_dora_lookback(args: argparse.Namespace) -> int:
    """Show the organisation's attribution look-back, or set it with --hours."""
    with db.write_session(db.ready_engine()) as session:
        org = find_organisation(session, name=args.org)
        if org is None:
            raise FoundationsError(f"no organisation named {args.org!r}")
        if args.hours is not None:
            set_organisation_lookback(session, organisation_id=org.id or 0, hours=args.hours)
        hours = organisation_lookback(session, organisation_id=org.id or 0)
    verb = "set to" if args.hours is not None else "is"
    print(f"{org.name}: attribution look-back {verb} {hours:g} hours (change failure rate, roadmap and reports use it)")
    return 0


def add_figures_command(dora: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    look = dora.add_parser("lookback", help="the organisation's attribution look-back for change failure rate")
    look.add_argument("--org", required=True)
    look.add_argument("--hours", type=float, help="set it (more than 0, at most 720); without it, show it")
    look.set_defaults(func=cmd_dora_lookback)
    fig = dora.add_parser("figures", help="type the team's four DORA figures (a range key or a number each)")
    fig.add_argument("--team", required=True)
    fig.add_argument("--org", help="organisation (needed when several have a team of that name)")
    for metric, (option, unit) in OPTIONS.items():
        fig.add_argument(
            f"--{option}",
            dest=metric,
            metavar="RANGE|NUMBER",
            help=f"one of {', '.join(RANGES[metric])}, or a number of {unit}".replace(
                "%", "%%"
            ),  # argparse formats help
        )
    fig.add_argument("--by", help="who states the figures (recorded with them)")
    fig.set_defaults(func=cmd_dora_figures)
