"""`foundations db ...`: migrate and inspect a database's schema, and write and check migrations.

`upgrade` and `status` work on the configured database. `check` and `revision` are
for developers changing the models: they run every migration on a throwaway SQLite
file (or on the database given with --url, upgraded first), so the user's database is
never touched unless asked.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from assessment.core import db
from assessment.core.errors import FoundationsError
from assessment.migrations.authoring import differences, new_revision, scratch_engine

TEMPORARY = "a temporary SQLite database"
URL_HELP = "use this database instead of a temporary SQLite file (it is upgraded to the newest migration first)"


def _safe_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    engine = db.get_engine()
    db.upgrade(engine)
    print(f"database schema at {db.current_revision(engine)} ({_safe_url(engine)})")
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
    dbp.add_parser("upgrade", help="create or migrate the schema to this version").set_defaults(func=cmd_db_upgrade)
    dbp.add_parser("status", help="say whether the schema is up to date").set_defaults(func=cmd_db_status)
    check = dbp.add_parser("check", help="developers: exit 1 when the models and the migrations differ")
    check.add_argument("--url", help=URL_HELP)
    check.set_defaults(func=cmd_db_check)
    revision = dbp.add_parser("revision", help="developers: write the next migration for what the models changed")
    revision.add_argument("-m", "--message", required=True, help='what the migration does, e.g. "team nickname"')
    revision.add_argument("--url", help=URL_HELP)
    revision.set_defaults(func=cmd_db_revision)
