"""Run the `foundations` CLI, stopping it half-way through its first write into one folder, for a kill -9.

`python -m tests.support.paused_writer FOLDER ARGS...` runs `foundations ARGS...`
unchanged except for `os.write`: the first write into FOLDER writes half its bytes,
forces them to disk, prints "paused half-way" on standard error and sleeps until
killed. A writer that never writes into FOLDER through `os.write` (a plain
`Path.write_text` writes straight to the target) runs to the end instead, and the
test waiting for the pause sees it finish.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

PAUSED = "paused half-way"


def _pausing_write(folder: str) -> Any:
    real_write = os.write

    def write(fd: int, data: Any) -> int:
        try:
            where = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            where = ""
        if os.path.dirname(where) == folder:
            half = bytes(data[: len(data) // 2])
            real_write(fd, half)
            os.fsync(fd)
            sys.stderr.write(PAUSED + "\n")
            sys.stderr.flush()
            time.sleep(3600)
        return real_write(fd, data)

    return write


def main() -> int:
    folder, argv = os.path.realpath(sys.argv[1]), sys.argv[2:]
    os.write = _pausing_write(folder)
    from cli.main import main as foundations

    return foundations(argv)


if __name__ == "__main__":
    sys.exit(main())
