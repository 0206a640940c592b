"""Engine factory, SQLite pragmas, short sessions and the migration gate.

SQLite writers take the write lock at BEGIN (BEGIN IMMEDIATE), so a write
transaction waits for the busy timeout instead of failing half-way with
"database is locked" when it tries to upgrade a read lock.
"""

from __future__ import annotations

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

from assessment.core.config import get_settings
from assessment.core.errors import FoundationsError, SchemaStateError

_IMMEDIATE = "foundations_begin_immediate"


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for `url` (default: FOUNDATIONS_DATABASE_URL) with our connection rules."""
    settings = get_settings()
    url = url or settings.database_url
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise FoundationsError(f"FOUNDATIONS_DATABASE_URL is not a database URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event emit BEGIN
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        immediate = conn.get_execution_options().get(_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """One engine per URL per process (pages and CLI share it)."""
    return make_engine(url)


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A short session for reading; nothing it does is committed."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A short write transaction: committed on success, rolled back on any error."""
    bound = engine.execution_options(**{_IMMEDIATE: True})
    with Session(bound, expire_on_commit=False) as session, session.begin():
        yield session


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


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (idempotent)."""
    command.upgrade(alembic_config(engine), revision)


def check_schema(engine: Engine) -> None:
    """Refuse to run against a database this code cannot safely use."""
    try:
        current = current_revision(engine)
    except sa.exc.OperationalError as exc:
        raise SchemaStateError(f"cannot open the database: {exc.orig}") from None
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaStateError("the database has no Foundations schema yet: run `foundations db upgrade` first")
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config(engine)).walk_revisions()}
    if current not in known:
        raise SchemaStateError(
            f"the database schema ({current}) is newer than this version of Foundations knows: upgrade Foundations"
        )
    raise SchemaStateError(
        f"the database schema ({current}) is behind this version ({head}): run `foundations db upgrade`"
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
