"""Alembic environment: runs against the engine handed over by `assessment.db`."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import assessment.models  # noqa: F401  - registers the tables on SQLModel.metadata
import assessment.dora.models  # noqa: F401  - the DORA tables
import assessment.workshop_models  # noqa: F401  - the workshop tables
import assessment.score_models  # noqa: F401  - stored scores the portfolio aggregates
import assessment.access_models  # noqa: F401  - memberships and the audit log

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
