"""DORA test data: hand-made data sets written as canonical CSV and imported for real.

The golden week: window 1 May 2024 00:00 UTC up to 8 May 2024 00:00 UTC (7 days), look-back
24 hours; every figure is worked out by hand in the comments next to the rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.dora.formats import FORMATS, Kind
from assessment.dora.ingest.pipeline import FileInput, ImportOptions, parse_inputs, write_import
from assessment.dora.ingest.store import ImportResult, WriteOptions
from assessment.dora.metrics.window import Window
from assessment.organisations.directory import ensure_organisation, ensure_team, find_team

Row = dict[str, str]


def csv_bytes(kind: Kind, rows: Sequence[Row], *, with_team: bool = False) -> bytes:
    """Canonical CSV with every column of the kind (the team column only when asked)."""
    names = [c.name for c in FORMATS[kind] if with_team or c.name != "team"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({name: row.get(name, "") for name in names})
    return out.getvalue().encode()


def write_files(folder: Path, data: Mapping[Kind, Sequence[Row]]) -> dict[Kind, Path]:
    """Write one CSV per kind (with the team column) and return the paths."""
    paths = {}
    for kind, rows in data.items():
        path = folder / f"{kind.value}.csv"
        path.write_bytes(csv_bytes(kind, rows, with_team=True))
        paths[kind] = path
    return paths


def import_rows(
    engine: Engine,
    data: Mapping[Kind, Sequence[Row]],
    *,
    team: str | None = "Team",
    organisation: str = "Org",
    tz: str | None = None,
    options: WriteOptions | None = None,
) -> ImportResult:
    """Import the rows through the real parse-and-store path; returns the import result.

    Without a team (rows carry a team column) the teams they name are created unless `options` say otherwise."""
    inputs = [
        FileInput(kind, f"{kind.value}.csv", csv_bytes(kind, rows, with_team=team is None))
        for kind, rows in data.items()
    ]
    parsed = parse_inputs(inputs, ImportOptions(tz=tz))
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name=organisation)
        team_id = ensure_team(session, organisation_id=org.id or 0, name=team).id if team else None
        chosen = options or WriteOptions(create_teams=team is None)
        return write_import(
            session, organisation_id=org.id or 0, team_id=team_id, parsed=parsed, by="test", options=chosen
        )


def team_id(engine: Engine, name: str = "Team", organisation: str = "Org") -> int:
    """The id of a team the rows were imported for."""
    with db.read_session(engine) as session:
        return find_team(session, team=name, organisation=organisation).id or 0


WINDOW = Window(datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 8, tzinfo=UTC))

DEPLOYMENTS = [
    # counted: d1, d2, d5, d6 (4 deployments on 3 distinct days: 1, 4 and 6 May)
    {"id": "d1", "service": "a", "deployed_at": "2024-05-01T10:00:00Z", "change_ids": "c1;c2"},
    {"id": "d2", "service": "a", "deployed_at": "2024-05-01T16:00:00Z", "change_ids": "c3"},
    {
        "id": "d3",
        "service": "b",
        "deployed_at": "2024-05-03T09:00:00Z",
        "status": "failed",
        "change_ids": "c4",
    },
    {"id": "d4", "service": "b", "deployed_at": "2024-05-03T12:00:00Z", "environment": "staging"},
    {"id": "d5", "service": "b", "deployed_at": "2024-05-04T08:00:00Z", "change_ids": "c2;c5"},
    {
        "id": "d6",
        "service": "a",
        "deployed_at": "2024-05-06T00:30:00Z",
        "first_commit_at": "2024-05-05T22:30:00Z",
    },
    {"id": "d7", "service": "a", "deployed_at": "2024-04-20T00:00:00Z"},  # outside the window
]
CHANGES = [
    {"id": "c1", "committed_at": "2024-05-01T08:00:00Z"},  # shipped by d1: 2 h
    {"id": "c2", "committed_at": "2024-05-01T06:00:00Z"},  # first shipped by d1: 4 h (d5 ships it again)
    {"id": "c3", "committed_at": "2024-05-01T15:00:00Z"},  # d2: 1 h
    {"id": "c4", "committed_at": "2024-05-02T15:00:00Z"},  # only in d3, which failed: no sample
]
# lead time samples: 2, 4, 1 and d6's 2 h -> sorted 1, 2, 2, 4: median 2, p90 = 2 + 0.7 * (4 - 2) = 3.4
INCIDENTS = [
    # i1: no id, service a, 1 h after d2 -> attributed to d2; restored in 1.5 h
    {"id": "i1", "service": "a", "started_at": "2024-05-01T17:00:00Z", "resolved_at": "2024-05-01T18:30:00Z"},
    # i2: names d5 -> linked by id; 4 h
    {
        "id": "i2",
        "service": "b",
        "started_at": "2024-05-04T09:00:00Z",
        "resolved_at": "2024-05-04T13:00:00Z",
        "deployment_id": "d5",
    },
    # i3: names change c5, first shipped by d5 -> linked by id; never resolved
    {"id": "i3", "service": "b", "started_at": "2024-05-05T10:00:00Z", "change_id": "c5"},
    # i4: service c has no deployment -> not linked; 0.5 h
    {"id": "i4", "service": "c", "started_at": "2024-05-02T00:00:00Z", "resolved_at": "2024-05-02T00:30:00Z"},
]
# failed deployments: d2 and d5 -> 2 of 4 = 50 %; restore samples 1.5, 4, 0.5 -> median 1.5,
# p90 = 1.5 + 0.8 * (4 - 1.5) = 3.5

GOLDEN = {Kind.DEPLOYMENTS: DEPLOYMENTS, Kind.CHANGES: CHANGES, Kind.INCIDENTS: INCIDENTS}


FINGERPRINTED = (
    "organisation",
    "team",
    "dora_import",
    "dora_deployment",
    "dora_change",
    "dora_incident",
    "dora_figures",
    "dora_finding",
    "dora_saved_mapping",
)


def dora_fingerprint(engine: Engine) -> dict[str, tuple[int, str]]:
    """Every row of every DORA table (with the organisations and teams it hangs on): (rows, digest) per table.

    Taken before and after a refused import, equal fingerprints prove nothing was written."""
    result = {}
    with engine.connect() as conn:
        for name in FINGERPRINTED:
            rows = conn.execute(sa.text(f"SELECT * FROM {name} ORDER BY id")).all()
            result[name] = (len(rows), hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest())
    return result
