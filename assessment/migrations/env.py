"""Alembic environment: runs against the engine handed over by `assessment.core.db`."""

from __future__ import annotations

from alembic import context

from assessment.migrations.authoring import COMPARE_OPTIONS, model_metadata


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=model_metadata(),  # looked up on each run: a test can hand in other tables
            render_as_batch=connection.dialect.name == "sqlite",
            **COMPARE_OPTIONS,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
