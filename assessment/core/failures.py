"""Database failures as one sentence a person can act on: what was not done, why, and what to do.

The sessions in `assessment.core.db` turn every driver error that is about the
database itself (locked, full, read-only, missing, unreachable, damaged) into a
`StorageError`. It is a `FoundationsError`, so every page and command that already
shows a refused input shows it too: the CLI as one line and exit 1, the app next to
the answer that was not saved. Advice follows the cause: waiting helps a busy
database, not a full disk; `db upgrade` helps neither.
"""

from __future__ import annotations

import errno
import os
import resource
from dataclasses import dataclass

import sqlalchemy as sa

from assessment.core.errors import FoundationsError

NOT_SAVED = "Nothing was saved"
NOT_READ = "Nothing could be read"
ADMIN = "ask the administrator"

# PostgreSQL SQLSTATEs by what a person can do about them.
_PG_BUSY = {"40001", "40P01", "55P03", "57014"}  # serialization, deadlock, lock not available, cancelled
_PG_FULL = {"53100", "53200"}  # disk full, out of memory
_PG_READ_ONLY = {"25006"}
_PG_CREDENTIALS = {"28000", "28P01"}
_PG_GONE = {"57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006"}


class StorageError(FoundationsError):
    """The database could not do what was asked; the message says what was not done and what to do."""

    def __init__(self, reason: str, advice: str, *, what: str = NOT_SAVED) -> None:
        self.reason, self.advice, self.what = reason, advice, what
        super().__init__(self.about(what))

    def about(self, what: str) -> str:
        """The same sentence, starting with what this caller failed to do ("Your answer was not saved")."""
        return f"{what}: {self.reason}; {self.advice}"


@dataclass(frozen=True)
class Cause:
    """Why the database refused, and what helps."""

    reason: str
    advice: str


def database_file(url: sa.URL) -> str | None:
    """The absolute path of a SQLite database file, None for PostgreSQL or an in-memory database."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return os.path.abspath(url.database or "")


def explain(exc: BaseException, url: sa.URL, *, what: str = NOT_SAVED) -> StorageError:
    """The StorageError for a driver or file-system error met while using the database at `url`."""
    cause = _sqlite_cause(exc, url) if url.get_backend_name() == "sqlite" else _postgres_cause(exc, url)
    return StorageError(cause.reason, cause.advice, what=what)


def is_about_storage(exc: BaseException) -> bool:
    """True for errors about the database itself; a broken constraint is a bug or a race, told elsewhere."""
    if isinstance(exc, sa.exc.IntegrityError | sa.exc.ProgrammingError):
        return False
    return isinstance(exc, sa.exc.OperationalError | sa.exc.DatabaseError | sa.exc.InterfaceError | OSError)


def _message(exc: BaseException) -> str:
    inner = getattr(exc, "orig", None) or exc
    return " ".join(str(inner).split()).lower()


def _sqlite_cause(exc: BaseException, url: sa.URL) -> Cause:
    path = database_file(url) or "the in-memory database"
    text = _message(exc)
    oserror = exc.errno if isinstance(exc, OSError) else None
    if "locked" in text or "busy" in text:
        return Cause(
            "the database is busy with another write (an import or another save) that did not finish in time",
            "try again in a moment",
        )
    if "full" in text or oserror in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return Cause(f"the disk holding {path} is full", f"free disk space (or {ADMIN}), then try again")
    read_only = "readonly" in text or "read-only" in text or oserror in (errno.EROFS, errno.EACCES, errno.EPERM)
    if read_only or ("unable to open" in text and _cannot_write(path)):
        return Cause(f"the database file {path} is read-only", f"{ADMIN} to make it and its folder writable")
    if "unable to open" in text or "no database" in text:
        if not os.path.exists(path):
            return Cause(
                f"there is no database file at {path}",
                "create it with `foundations db upgrade`, or, if it was deleted or moved, "
                f"{ADMIN} to restore it from a backup",
            )
        return Cause(f"the database file {path} cannot be opened", f"{ADMIN} to check its permissions")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return Cause(f"{path} is damaged or not a Foundations database", f"{ADMIN} to restore it from a backup")
    limit = _file_size_limit()
    if "disk i/o" in text and limit is not None:  # a write past RLIMIT_FSIZE fails with EFBIG: SQLite says I/O error
        return Cause(
            f"{path} cannot grow past this process's file size limit ({limit:,} bytes)",
            f"raise the limit (ulimit -f, LimitFSIZE in a systemd unit) or {ADMIN}, then try again",
        )
    if "disk i/o" in text or oserror == errno.EIO:
        return Cause(f"the disk reported an error on {path}", f"{ADMIN} to check the disk")
    return Cause(f"the database reported an error ({_message(exc)})", f"try again, and {ADMIN} if it persists")


def _file_size_limit() -> int | None:
    """The largest file this process may write (RLIMIT_FSIZE), None when unlimited."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    return None if soft == resource.RLIM_INFINITY else soft


def _cannot_write(path: str) -> bool:
    """An existing file SQLite cannot open: read-only when its file system, the file or its folder is.

    SQLite needs to write beside a WAL database (its -shm file) even to read it, so a
    read-only file often fails to open instead of failing to write.
    """
    if not os.path.exists(path):
        return False
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return True
    except OSError:
        pass
    return not (os.access(path, os.W_OK) and os.access(os.path.dirname(path), os.W_OK))


def _postgres_cause(exc: BaseException, url: sa.URL) -> Cause:
    inner = getattr(exc, "orig", None)
    state = getattr(inner, "sqlstate", None) or ""
    server = f"{url.host or 'localhost'}:{url.port or 5432}"
    if state in _PG_BUSY:
        return Cause("the database was busy with another change to the same records", "try again in a moment")
    if state in _PG_FULL:
        return Cause(f"the database server at {server} is out of disk space", f"{ADMIN} to free disk space")
    if state in _PG_READ_ONLY:
        return Cause(
            f"the database server at {server} accepts only reads", f"{ADMIN} to point Foundations at the primary"
        )
    if state in _PG_CREDENTIALS:
        return Cause(
            f"the database server at {server} refused Foundations' user name or password",
            f"{ADMIN} to check FOUNDATIONS_DATABASE_URL",
        )
    if state == "3D000":
        return Cause(
            f"there is no database {url.database!r} on {server}",
            f"{ADMIN} to create it, then run `foundations db upgrade`",
        )
    if state == "53300":
        return Cause(f"the database server at {server} has too many connections", "try again in a moment")
    if state in _PG_GONE or (state == "" and isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError)):
        return Cause(
            f"the database server at {server} cannot be reached",
            f"try again in a moment, and {ADMIN} if it persists",
        )
    return Cause(f"the database reported an error ({_message(exc)})", f"try again, and {ADMIN} if it persists")
