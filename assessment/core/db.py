"""Engine factory, short sessions and the migration gate.

SQLite writers take the write lock at BEGIN (BEGIN IMMEDIATE), so a write
transaction waits for the busy timeout instead of failing half-way with
"database is locked" when it tries to upgrade a read lock (`assessment.core.sqlite`,
which also refuses writes to a database file deleted or replaced underneath).
Sessions turn failures of the database itself into one StorageError sentence.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import class_mapper
from sqlalchemy.pool import PoolProxiedConnection
from sqlmodel import Session, SQLModel

from assessment.core import sqlite
from assessment.core.config import get_settings
from assessment.core.errors import FoundationsError, SchemaStateError
from assessment.core.failures import NOT_READ, NOT_SAVED, StorageError, database_file, explain, is_about_storage

NOT_UPGRADED = "The database was not upgraded"
NOT_USABLE = "Foundations cannot use the database"


def make_engine(url: str | None = None, **pool: Any) -> Engine:
    """Create an engine for `url` (default: FOUNDATIONS_DATABASE_URL) with our connection rules.

    `pool` takes SQLAlchemy's pool options (pool_size=1, ...), for tests that need a small pool.
    """
    settings = get_settings()
    url = url or settings.database_url
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise FoundationsError(f"FOUNDATIONS_DATABASE_URL is not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        return sqlite.engine_for(
            url, database_file(parsed), settings.sqlite_busy_timeout_ms, settings.sqlite_synchronous, **pool
        )
    return sa.create_engine(url, pool_pre_ping=True, **pool)


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process (pages and CLI share it)."""
    return make_engine(url)


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A short session for reading; nothing it does is committed. A database failure is a StorageError."""
    with storage_errors(engine, NOT_READ), Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A short write transaction: committed on success, rolled back on any error.

    A failure of the database itself (locked, full, read-only, gone) is a StorageError
    saying that nothing was saved and what to do.
    """
    bound = engine.execution_options(**{sqlite.IMMEDIATE: True})
    with storage_errors(engine, NOT_SAVED), Session(bound, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def staging_connection(engine: Engine) -> Iterator[sa.Connection]:
    """One connection for a write prepared before its transaction (SQLite temporary tables live on it).

    Closed afterwards instead of going back to the pool, so whatever it staged goes with it."""
    with storage_errors(engine, NOT_SAVED), engine.connect() as connection:
        try:
            yield connection
        finally:
            connection.invalidate()


@contextmanager
def session_on(connection: sa.Connection, *, write: bool) -> Iterator[Session]:
    """A transaction on `connection`, committed on success; `write` takes SQLite's write lock at BEGIN."""
    if write:
        connection.execution_options(**{sqlite.IMMEDIATE: True})
    with Session(connection, expire_on_commit=False) as session, session.begin():
        yield session


@contextmanager
def storage_errors(engine: Engine, what: str) -> Iterator[None]:
    """Turn a failure of the database under `engine` into one sentence starting with `what`."""
    try:
        yield
    except StorageError as exc:
        raise StorageError(exc.reason, exc.advice, what=what) from None
    except Exception as exc:
        if not is_about_storage(exc):
            raise
        raise explain(exc, engine.url, what=what) from None


def table_of(model: type[SQLModel]) -> sa.Table:
    """The Core table of a table model, for bulk statements (SQLModel sets `__table__` but types it nowhere)."""
    table = class_mapper(model, configure=False).local_table
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not mapped to one table")
    return table


def driver_connection(source: Session | PoolProxiedConnection) -> DBAPIConnection:
    """The driver's own connection under a session or a pooled connection, for raw cursors.

    SQLAlchemy types it optional (it is None once the pooled connection is detached).
    """
    pooled = source.connection().connection if isinstance(source, Session) else source
    dbapi_connection = pooled.dbapi_connection
    if dbapi_connection is None:
        raise RuntimeError("the database connection is detached")
    return dbapi_connection


def migrations_folder() -> str:
    """The folder alembic runs: `env.py`, the template and `versions/` (in the source tree when installed editable)."""
    return str(resources.files("assessment").joinpath("migrations"))


def alembic_config(engine: Engine) -> Config:
    """Alembic's configuration for our migrations, run on `engine` (env.py takes the engine from it)."""
    cfg = Config()
    cfg.set_main_option("script_location", migrations_folder())
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str | None:
    """The newest migration this code knows."""
    return ScriptDirectory.from_config(alembic_config(sa.create_engine("sqlite://"))).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> bool:
    """Bring the schema up to `revision` (idempotent); True when it created the SQLite database file first.

    The one place a database is ever created: every connection opens an existing file only.
    """
    path = database_file(engine.url)
    created = sqlite.create_file(path) if path else False
    with storage_errors(engine, NOT_UPGRADED):
        command.upgrade(alembic_config(engine), revision)
    return created


def check_schema(engine: Engine) -> None:
    """Refuse to run against a database this code cannot safely use."""
    with storage_errors(engine, NOT_USABLE):
        current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaStateError("the database has no Foundations schema yet: run `foundations db upgrade` first")
    _refuse_unknown(engine, current)
    raise SchemaStateError(
        f"the database schema ({current}) is behind this version ({head}): run `foundations db upgrade`"
    )


def refuse_newer_schema(engine: Engine) -> None:
    """Before an upgrade: refuse a database migrated by a newer Foundations, which this code cannot upgrade."""
    path = database_file(engine.url)
    if path and not os.path.exists(path):
        return  # nothing there yet: `upgrade` creates it
    with storage_errors(engine, NOT_UPGRADED):
        current = current_revision(engine)
    _refuse_unknown(engine, current, " (nothing was changed)")


def _refuse_unknown(engine: Engine, current: str | None, after: str = "") -> None:
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config(engine)).walk_revisions()}
    if current is not None and current not in known:
        raise SchemaStateError(
            f"the database schema ({current}) is newer than this version of Foundations knows: upgrade Foundations"
            + after
        )


def ready_engine(url: str | None = None) -> Engine:
    """The process engine, after checking its schema is exactly the one this code expects."""
    engine = get_engine(url)
    check_schema(engine)
    return engine


@contextmanager
def scratch_schema(base_url: str, prefix: str = "scratch") -> Iterator[str]:
    """A URL of `base_url` whose connections work in a new, empty PostgreSQL schema, dropped afterwards.

    For tests and benchmarks: each run gets a database of its own without needing
    the right to create databases, and nothing is left behind in the shared one.
    """
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base_url)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        try:
            yield (
                sa.make_url(base_url)
                .update_query_dict({"options": f"-csearch_path={schema}"})
                .render_as_string(hide_password=False)
            )
        finally:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        admin.dispose()
