"""Hostile DORA files: a fingerprint of every DORA table, and `foundations dora import` run on files written for a test.

A refused import must leave the database exactly as it was; counting rows would miss an
update in place, so the fingerprint hashes every row of every DORA table (and of the
organisation and team tables, since an import can create teams).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.support.cli import run

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


def dora_fingerprint(engine: Engine) -> dict[str, str]:
    """Table -> row count and a hash of every row (in primary key order)."""
    found: dict[str, str] = {}
    meta = sa.MetaData()
    meta.reflect(engine, only=FINGERPRINTED)
    with engine.connect() as conn:
        for name in FINGERPRINTED:
            table = meta.tables[name]
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()[:16]
            found[name] = f"{len(rows)} rows, {digest}"
    return found


def write(folder: Path, name: str, data: bytes) -> str:
    """Write a file for the command line to read; returns its path as text."""
    path = folder / name
    path.write_bytes(data)
    return str(path)


def import_refused(capsys: pytest.CaptureFixture[str], engine: Engine, *argv: str) -> list[str]:
    """`foundations dora import ARGV` must exit 1 with nothing saved; returns its error lines."""
    before = dora_fingerprint(engine)
    code, out, err = run(capsys, "dora", "import", *argv)
    assert (code, out) == (1, ""), (code, out, err)
    assert dora_fingerprint(engine) == before
    return err.splitlines()
