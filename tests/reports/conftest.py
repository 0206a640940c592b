"""Report tests: one demo database per module (reports only read it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from assessment.bank.loader import default_bank
from assessment.core import db
from assessment.demo import load_demo


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The demo organisation in a SQLite file shared by one test module (reports only read it)."""
    path: Path = tmp_path_factory.mktemp("reports") / "demo.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with db.write_session(engine) as session:
        load_demo(session, bank=default_bank())
    yield engine
    engine.dispose()
