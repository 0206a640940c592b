"""Hand-made DORA data sets: rows as dicts, written as canonical CSV and imported for real."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import Engine

from assessment import db
from assessment.dora.formats import FORMATS, Kind
from assessment.dora.service import FileInput, ImportOptions, parse_inputs, write_import
from assessment.dora.store import ImportResult
from assessment.repository import ensure_organisation, ensure_team, find_team

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


def write_files(folder: Path, data: dict[Kind, Sequence[Row]]) -> dict[Kind, Path]:
    """Write one CSV per kind (with the team column) and return the paths."""
    paths = {}
    for kind, rows in data.items():
        path = folder / f"{kind.value}.csv"
        path.write_bytes(csv_bytes(kind, rows, with_team=True))
        paths[kind] = path
    return paths


def import_rows(engine: Engine, data: dict[Kind, Sequence[Row]], *, team: str | None = "Team",
                organisation: str = "Org", tz: str | None = None) -> ImportResult:
    """Import the rows through the real parse-and-store path; returns the import result."""
    inputs = [FileInput(kind, f"{kind.value}.csv", csv_bytes(kind, rows, with_team=team is None))
              for kind, rows in data.items()]
    parsed = parse_inputs(inputs, ImportOptions(tz=tz))
    with db.write_session(engine) as session:
        org = ensure_organisation(session, name=organisation)
        team_id = ensure_team(session, organisation_id=org.id or 0, name=team).id if team else None
        return write_import(session, organisation_id=org.id or 0, team_id=team_id, parsed=parsed, by="test")


def team_id(engine: Engine, name: str = "Team", organisation: str = "Org") -> int:
    with db.read_session(engine) as session:
        return find_team(session, team=name, organisation=organisation).id or 0
