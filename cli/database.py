"""`foundations db ...`: migrate and inspect a database's schema, and write and check migrations.

`upgrade` and `status` work on the configured database. `check` and `revision` are
for developers changing the models: they run every migration on a throwaway SQLite
file (or on the database given with --url, upgraded first), so the user's database is
never touched unless asked.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.core.backup import RESTORE, backup_sqlite
from assessment.core.errors import FoundationsError
from assessment.core.failures import database_file
from assessment.migrations.authoring import differences, new_revision, scratch_engine
from cli.arguments import output_file

TEMPORARY = "a temporary SQLite database"
URL_HELP = "use this database instead of a temporary SQLite file (it is upgraded to the newest migration first)"


def _safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    engine = db.get_engine()
    db.refuse_newer_schema(engine)
    if not args.no_backup:
        _backup_before_upgrading(engine)
    if db.upgrade(engine):
        print(f"created a new, empty database at {database_file(engine.url)}")
    print(f"database schema at {db.current_revision(engine)} ({_safe_url(engine)})")
    return 0


def _backup_before_upgrading(engine: Engine) -> None:
    """A SQLite database about to be migrated is copied first; one already current is left alone."""
    path = database_file(engine.url)
    if path is None or not os.path.exists(path):
        return
    with db.storage_errors(engine, db.NOT_UPGRADED):
        current = db.current_revision(engine)
    head = db.head_revision()
    if current == head:
        return
    try:
        saved = backup_sqlite(engine, label=f"before-{head}")
    except FoundationsError as exc:
        raise FoundationsError(f"the database was not upgraded, because its backup failed: {exc}") from None
    print(f"backed up the database to {saved} before upgrading ({RESTORE.format(path=path)})")


def cmd_db_backup(args: argparse.Namespace) -> int:
    engine = db.get_engine()
    saved = backup_sqlite(engine, output_file(args.output) if args.output else None)
    path = database_file(engine.url)
    print(f"backed up {path} to {saved} ({saved.stat().st_size // 1024} KiB); {RESTORE.format(path=path)}")
    return 0


def cmd_db_status(args: argparse.Namespace) -> int:
    engine = db.get_engine()
    db.check_schema(engine)
    print(f"database schema at {db.current_revision(engine)}, up to date ({_safe_url(engine)})")
    return 0


def cmd_db_check(args: argparse.Namespace) -> int:
    with scratch_engine(args.url) as engine:
        found = differences(engine)
        where = _safe_url(engine) if args.url else TEMPORARY
    if found:
        raise FoundationsError(
            f"the models and the migrations differ ({len(found)}): {'; '.join(found)} "
            '(write a migration: foundations db revision -m "what changed")'
        )
    print(f"the models and the migrations agree (schema {db.head_revision()}, checked on {where})")
    return 0


def cmd_db_revision(args: argparse.Namespace) -> int:
    with scratch_engine(args.url) as engine:
        path, found = new_revision(engine, args.message)
    if found:
        print(f"wrote {_shown(path)}: {'; '.join(found)}")
        print("Read it through, then run `foundations db check`.")
    else:
        print(f"wrote {_shown(path)}: the models and the migrations agree, so it is empty")
        print("Fill in upgrade() and downgrade() by hand (a data migration), then run `foundations db check`.")
    return 0


def _shown(path: Path) -> str:
    """The new file relative to the current folder when it is below it, as a developer would type it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def add_database_commands(sub: Any) -> None:
    """Add `db upgrade|status|check|revision` to the CLI's subcommands."""
    dbp = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    upgrade = dbp.add_parser(
        "upgrade", help="create or migrate the schema to this version (a SQLite database is backed up first)"
    )
    upgrade.add_argument("--no-backup", action="store_true", help="do not copy a SQLite database before migrating it")
    upgrade.set_defaults(func=cmd_db_upgrade)
    backup = dbp.add_parser("backup", help="copy a SQLite database while the app runs (PostgreSQL: use pg_dump)")
    backup.add_argument("-o", "--output", metavar="FILE", help="where (default: beside the database, named by time)")
    backup.set_defaults(func=cmd_db_backup)
    dbp.add_parser("status", help="say whether the schema is up to date").set_defaults(func=cmd_db_status)
    check = dbp.add_parser("check", help="developers: exit 1 when the models and the migrations differ")
    check.add_argument("--url", help=URL_HELP)
    check.set_defaults(func=cmd_db_check)
    revision = dbp.add_parser("revision", help="developers: write the next migration for what the models changed")
    revision.add_argument("-m", "--message", required=True, help='what the migration does, e.g. "team nickname"')
    revision.add_argument("--url", help=URL_HELP)
    revision.set_defaults(func=cmd_db_revision)
