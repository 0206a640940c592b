"""Backups of a SQLite database: a consistent copy taken while the app runs, written whole or not at all.

SQLite's online backup API copies the database page by page under a read
transaction, so saves made by a running app either are in the copy or are not;
the copy never holds half a transaction. The copy goes to a temporary file beside
the target and is renamed once complete and checked (`PRAGMA quick_check`).
PostgreSQL has its own tool for this (`pg_dump`), which the refusal names.
"""

from __future__ import annotations

import errno
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assessment.core.errors import FoundationsError
from assessment.core.failures import ADMIN, database_file
from assessment.core.files import fill_atomically

RESTORE = "to restore it, stop Foundations and copy it over {path}"


def pg_dump_advice(url: sa.URL) -> str:
    """What to run instead on PostgreSQL, with the server and database of `url` (never its password)."""
    target = url.set(drivername="postgresql", password=None, query={}).render_as_string(hide_password=True)
    return (
        "`foundations db backup` copies SQLite databases; back up PostgreSQL with "
        f"pg_dump --format=custom --file=foundations.dump '{target}' (restore with pg_restore --clean)"
    )


def default_backup_path(path: str, label: str) -> Path:
    """`foundations.db` -> `foundations-<label>-20261207T202800Z.db`, beside the database."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    source = Path(path)
    return source.with_name(f"{source.stem}-{label}-{stamp}{source.suffix or '.db'}")


def backup_sqlite(engine: Engine, target: Path | None = None, *, label: str = "backup") -> Path:
    """Copy the SQLite database of `engine` to `target` (default: beside it, named by `label` and time)."""
    path = database_file(engine.url)
    if path is None:
        raise FoundationsError(pg_dump_advice(engine.url) if engine.dialect.name == "postgresql" else NO_FILE)
    if not Path(path).exists():
        raise FoundationsError(f"there is no database file at {path} to back up")
    destination = target or default_backup_path(path, label)
    if Path(destination).resolve() == Path(path).resolve():
        raise FoundationsError(f"{destination}: that is the database itself; name another file")

    def fill(temporary: Path) -> None:
        source = sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True)
        copy = sqlite3.connect(temporary)
        try:
            source.backup(copy)
            (verdict,) = copy.execute("PRAGMA quick_check").fetchone()
        except sqlite3.Error as exc:  # the disk, mostly: told as the file-system error it is
            raise OSError(errno.ENOSPC if "full" in str(exc) else errno.EIO, str(exc)) from None
        finally:
            copy.close()
            source.close()
        if verdict != "ok":
            raise FoundationsError(
                f"{path} failed SQLite's check ({verdict}), so no backup was written; {ADMIN} to restore an earlier one"
            )

    fill_atomically(destination, fill)
    return Path(destination)


NO_FILE = "an in-memory database cannot be backed up"
