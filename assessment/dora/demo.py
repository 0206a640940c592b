"""DORA data for two demo teams, generated through the real import path.

Checkout says it names a failing service within 15 minutes and writes a
postmortem for every incident, but its incidents take hours to resolve and there
are dozens of them: the cross-check finds both contradictions. Platform's data
agrees with its strong answers, so it gets none. Loading twice adds nothing.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TypedDict

from sqlmodel import Session, select

from assessment.dora.crosscheck import refresh_team_findings
from assessment.dora.formats import FORMATS, Kind
from assessment.dora.ingest.pipeline import FileInput, ImportOptions, parse_inputs, write_import
from assessment.models.assessments import Team
from assessment.models.dora import DoraDeployment

DAYS = 90


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _csv(kind: Kind, rows: list[dict[str, str]]) -> bytes:
    names = [c.name for c in FORMATS[kind] if c.name != "team"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    writer.writerows({n: row.get(n, "") for n in names} for row in rows)
    return out.getvalue().encode()


def _times(rng: random.Random, start: datetime, per_day: float) -> Iterator[datetime]:
    """Working-hours moments, about `per_day` a day, from `start` for DAYS days."""
    for day in range(DAYS):
        date = start + timedelta(days=day)
        if date.weekday() >= 5:
            continue
        for _ in range(max(0, round(rng.gauss(per_day, per_day / 3)))):
            yield date + timedelta(hours=rng.uniform(8, 18))


def team_data(
    name: str,
    *,
    per_day: float,
    lead_hours: tuple[float, float],
    incidents: int,
    restore_hours: tuple[float, float],
    end: datetime,
) -> dict[Kind, list[dict[str, str]]]:
    """Deployments with their changes, and incidents, for one demo team (seeded by its name)."""
    rng = random.Random(name)
    services = [f"{name.lower()}-{s}" for s in ("api", "web", "worker")]
    deployments, changes = [], []
    for n, moment in enumerate(sorted(_times(rng, end - timedelta(days=DAYS), per_day)), start=1):
        ids = [f"{name[:2].lower()}-c{n}-{k}" for k in range(rng.randint(1, 3))]
        changes += [{"id": c, "committed_at": _iso(moment - timedelta(hours=rng.uniform(*lead_hours)))} for c in ids]
        deployments.append(
            {
                "id": f"{name[:2].lower()}-d{n}",
                "service": rng.choice(services),
                "deployed_at": _iso(moment),
                "change_ids": ";".join(ids),
                "status": "success" if rng.random() > 0.05 else "failed",
            }
        )
    chosen = sorted(rng.sample(deployments, min(incidents, len(deployments))), key=lambda d: d["deployed_at"])
    rows = []
    for n, deployment in enumerate(chosen, start=1):
        started = datetime.fromisoformat(deployment["deployed_at"]) + timedelta(minutes=rng.uniform(5, 120))
        resolved = started + timedelta(hours=rng.uniform(*restore_hours))
        rows.append(
            {
                "id": f"INC-{n}",
                "service": deployment["service"],
                "started_at": _iso(started),
                "resolved_at": _iso(resolved) if n % 13 else "",
                "deployment_id": deployment["id"] if n % 2 else "",
            }
        )
    return {Kind.DEPLOYMENTS: deployments, Kind.CHANGES: changes, Kind.INCIDENTS: rows}


class _DemoTeamDora(TypedDict):
    """The shape of one team's generated DORA data: team_data()'s keyword arguments."""

    per_day: float
    lead_hours: tuple[float, float]
    incidents: int
    restore_hours: tuple[float, float]


DEMO_DORA: dict[str, _DemoTeamDora] = {
    "Checkout": {"per_day": 2.0, "lead_hours": (20, 120), "incidents": 40, "restore_hours": (2.5, 14)},
    "Platform": {"per_day": 8.0, "lead_hours": (0.3, 3), "incidents": 5, "restore_hours": (0.1, 0.6)},
}


def load_demo_dora(session: Session, *, organisation_id: int, now: datetime | None = None) -> list[str]:
    """Import the demo DORA data of the teams that have none yet; return their names."""
    end = (now or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    loaded = []
    for name, spec in DEMO_DORA.items():
        team = session.exec(select(Team).where(Team.organisation_id == organisation_id, Team.name == name)).first()
        if (
            team is None
            or session.exec(select(DoraDeployment.id).where(DoraDeployment.team_id == team.id).limit(1)).first()
            is not None
        ):
            continue
        data = team_data(name, end=end, **spec)
        parsed = parse_inputs(
            [FileInput(kind, f"demo-{name.lower()}-{kind.value}.csv", _csv(kind, rows)) for kind, rows in data.items()],
            ImportOptions(),
        )
        write_import(
            session,
            organisation_id=organisation_id,
            team_id=team.id,
            parsed=parsed,
            by="demo data",
            after=refresh_team_findings,
        )
        loaded.append(name)
    return loaded
