"""Hostile files through `foundations dora import`: each refused with the exact message, and nothing changed.

Every case runs on the database the suite is given (SQLite, or PostgreSQL with
FOUNDATIONS_TEST_DATABASE_URL) that already holds a team with a round and imported
data, and a team without a round; after each refusal a fingerprint of every DORA
table (and of the teams) must be what it was before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.dora.bounds import range_text
from assessment.dora.formats import Kind
from tests.support.builders import new_round
from tests.support.dora_data import GOLDEN, import_rows
from tests.support.dora_hostile import import_refused, write

NOTHING = "error: nothing was imported"
SKIP_HINT = "error: nothing was imported (add --skip-invalid to import the other rows)"


@pytest.fixture
def hostile_org(env_database: str) -> Engine:
    """Org with team Team (a round, the golden data imported) and team Bare (no round, no data)."""
    engine = db.get_engine()
    db.upgrade(engine)
    new_round(engine, org="Org", team="Team")
    import_rows(engine, GOLDEN)
    new_round(engine, org="Org", team="Bare")
    return engine


@dataclass(frozen=True)
class Case:
    """One hostile file: what it holds, how it is imported, and every line the command must print."""

    name: str
    kind: Kind
    file: str
    data: bytes
    expected: tuple[str, ...]
    args: tuple[str, ...] = ()
    team: str = "Team"


def _lines(case: Case, path: str, mapping: str) -> list[str]:
    return [line.format(file=path, range=range_text(), mapping=mapping) for line in case.expected]


CASES = [
    Case(
        "year 9999 for a team with a round",
        Kind.DEPLOYMENTS,
        "deployments.csv",
        b"id,service,deployed_at\nd1,api,9999-12-31T23:59:59Z\n",
        (
            "error: {file}, line 2, column 'deployed_at': is outside the accepted range, {range} "
            "(value '9999-12-31T23:59:59Z')",
            NOTHING,  # its only row: skipping would leave nothing
        ),
    ),
    Case(
        "year 9999 for a team without a round",
        Kind.INCIDENTS,
        "incidents.csv",
        b"id,service,started_at,resolved_at\ni1,api,2024-05-01T10:00:00Z,9999-12-31T23:59:59+00:00\n",
        (
            "error: {file}, line 2, column 'resolved_at': is outside the accepted range, {range} "
            "(value '9999-12-31T23:59:59+00:00')",
            NOTHING,  # its only row: skipping would leave nothing
        ),
        team="Bare",
    ),
    Case(
        "year 0 and 1989, under the file's own header",
        Kind.CHANGES,
        "changes.csv",
        b"sha,Committed On\nc1,0000-01-01T00:00:00Z\nc2,1989-12-31T23:59:59Z\nc3,1990-01-01T00:00:00Z\n",
        (
            "error: {file}, line 2, column 'Committed On' (committed_at): is outside the accepted range, {range} "
            "(value '0000-01-01T00:00:00Z')",
            "error: {file}, line 3, column 'Committed On' (committed_at): is outside the accepted range, {range} "
            "(value '1989-12-31T23:59:59Z')",
            SKIP_HINT,
        ),
        args=("--mapping", "mapping.json"),
    ),
    Case(
        "a local time in year 9999 with --tz",
        Kind.DEPLOYMENTS,
        "deployments.csv",
        b"id,service,deployed_at\nd1,api,9999-12-31 23:00:00\n",
        (
            "error: {file}, line 2, column 'deployed_at': is outside the accepted range, {range} "
            "(value '9999-12-31 23:00:00')",
            NOTHING,  # its only row: skipping would leave nothing
        ),
        args=("--tz", "Pacific/Kiritimati"),
    ),
    Case(
        "a 201-character id inside a change list",
        Kind.DEPLOYMENTS,
        "deployments.csv",
        b"id,service,deployed_at,change_ids\nd1,api,2024-05-01T10:00:00Z,c1 " + b"x" * 201 + b"\n",
        (
            "error: {file}, line 2, column 'change_ids': an id in the list is longer than 200 characters "
            "(value 'c1 " + "x" * 76 + "…')",
            NOTHING,  # its only row: skipping would leave nothing
        ),
    ),
    Case(
        "an Excel workbook named .csv",
        Kind.DEPLOYMENTS,
        "deployments.csv",
        b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40,
        (
            "error: {file}: this is a spreadsheet workbook (.xlsx, .ods) or another zip file, not CSV or JSON: "
            "open it in the spreadsheet, save the sheet as 'CSV UTF-8 (comma delimited)' and import that file",
            NOTHING,
        ),
    ),
    Case(
        "JSON nested a hundred thousand levels deep",
        Kind.INCIDENTS,
        "incidents.json",
        b"[" * 100_000 + b"]" * 100_000,
        ("error: {file}: the JSON is nested too deeply to be a list of records", NOTHING),
    ),
    Case(
        "JSON records with a new key each, past the cap",
        Kind.INCIDENTS,
        "incidents.json",
        (
            "["
            + ",".join(
                f'{{"id": "i{n}", "service": "a", "started_at": "2024-05-01T10:00:00Z", "k{n}": 1}}' for n in range(600)
            )
            + "]"
        ).encode(),
        ("error: {file}, record 498: the records use more than 500 different keys", NOTHING),
    ),
    Case(
        "a nested value in a mapped JSON column",
        Kind.INCIDENTS,
        "incidents.json",
        b'[{"id": "i1", "service": {"name": "api"}, "started_at": "2024-05-01T10:00:00Z", "extra": {"a": [1]}},'
        b' {"id": "i2", "service": "api", "started_at": "2024-05-01T11:00:00Z", "extra": {"a": [2]}}]',
        (
            "error: {file}, record 1, column 'service': expected text, a number or a list of ids "
            '(value \'{{"name": "api"}}\')',
            SKIP_HINT,
        ),
    ),
    Case(
        "every row invalid: skipping would leave nothing, so it is not suggested",
        Kind.INCIDENTS,
        "incidents.csv",
        b"id,service,started_at\ni1,api,yesterday\ni2,api,\n",
        (
            "error: {file}, line 2, column 'started_at': is not a date and time in ISO 8601 form "
            "(such as 2024-05-31T14:03:00Z) (value 'yesterday')",
            "error: {file}, line 3, column 'started_at': a value is required here",
            NOTHING,
        ),
    ),
    Case(
        "a separator the mapping cannot name",
        Kind.DEPLOYMENTS,
        "deployments.csv",
        b"id,service,deployed_at,change_ids\nd1,api,2024-05-01T10:00:00Z,c1|c2\n",
        (
            "error: {mapping}, column 'deployments.change_ids_separator': unknown separator '|' for change_ids "
            "(use one of: semicolon, comma, whitespace, json)",
            NOTHING,
        ),
        args=("--mapping", "pipes.json"),
    ),
]

MAPPINGS = {
    "mapping.json": b'{"foundations_dora_mapping": 1, "changes": {"id": "sha", "committed_at": "Committed On"}}',
    "pipes.json": b'{"foundations_dora_mapping": 1, "deployments": {"change_ids_separator": "|"}}',
}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file_is_refused_with_its_message_and_nothing_changes(
    hostile_org: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: Case
) -> None:
    path = write(tmp_path, case.file, case.data)
    args = [str(write(tmp_path, a, MAPPINGS[a])) if a in MAPPINGS else a for a in case.args]
    err = import_refused(capsys, hostile_org, "--team", case.team, "--org", "Org", f"--{case.kind.value}", path, *args)
    mapping = next((a for a in args if a.endswith(".json")), "")
    assert err == _lines(case, path, mapping)
