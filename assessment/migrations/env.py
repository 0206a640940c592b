"""Alembic environment: runs against the engine handed over by `assessment.core.db`."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

# Imported for their side effect: each registers its tables on SQLModel.metadata.
import assessment.models.access  # memberships and the audit log
import assessment.models.assessments  # organisations, teams, assessments, answers
import assessment.models.dora  # the DORA tables
import assessment.models.scores  # stored scores the portfolio aggregates
import assessment.models.workshops  # noqa: F401 - the workshop tables

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
