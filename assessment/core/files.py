"""Files the product writes appear whole or not at all.

Every export, report and download written to a path the user names goes through
`write_atomically`: the bytes go to a temporary file beside the target (same folder,
so the same file system), are flushed to disk, and only then renamed over the target.
A writer killed, out of disk space or refused half-way leaves the previous file as it
was; a reader never sees half a file. A kill -9 can leave the temporary file behind:
it is hidden (`.NAME.XXXX.partial`) and never mistaken for the result.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from assessment.core.errors import FoundationsError

CHUNK = 1 << 20  # os.write may write less than asked; big files go in bounded pieces
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_REFUSED = {errno.EACCES, errno.EPERM, errno.EROFS}


def write_atomically(target: Path | str, data: bytes | str) -> None:
    """Replace `target` with `data` (text is written as UTF-8, newlines as given) in one rename.

    A failure raises FoundationsError naming the file and what to do; the target is untouched.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data

    def fill(temporary: Path) -> None:
        fd = os.open(temporary, os.O_WRONLY | os.O_TRUNC)
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view[:CHUNK]) :]
        finally:
            os.close(fd)

    fill_atomically(target, fill)


def fill_atomically(target: Path | str, fill: Callable[[Path], None]) -> None:
    """Let `fill` write a temporary file beside `target`, then put it in place whole (a database backup, a PDF).

    `fill` gets the temporary file's path (it exists, empty). A failure raises
    FoundationsError naming `target` and what to do; the target is untouched.
    """
    path = Path(target)
    try:
        _fill_and_rename(path, fill)
    except OSError as exc:
        raise FoundationsError(not_written(path, exc)) from None


def not_written(path: Path, exc: OSError) -> str:
    """One sentence for a file that could not be written: which, why, and what to do."""
    folder = str(path.parent)
    if exc.errno == errno.ENOENT:
        return f"{path}: not written: folder {folder!r} does not exist"
    if exc.errno in _FULL:
        return f"{path}: not written: the disk is full (the previous file is unchanged); free disk space and try again"
    if exc.errno in _REFUSED:
        return f"{path}: not written: no permission to write in {folder!r}; choose another folder or ask its owner"
    if exc.errno == errno.EISDIR or path.is_dir():
        return f"{path}: not written: it is a folder; name a file"
    return f"{path}: not written: {exc.strerror or exc} (the previous file is unchanged)"


def _fill_and_rename(path: Path, fill: Callable[[Path], None]) -> None:
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(fd)
    temporary = Path(name)
    try:
        fill(temporary)
        fd = os.open(temporary, os.O_RDONLY)
        try:
            os.fchmod(fd, _mode_for(path))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _mode_for(path: Path) -> int:
    """The replaced file's permissions, or what a plain `open(path, "w")` would give a new file."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (a power loss right after it keeps the new file)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # some file systems do not open folders; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
