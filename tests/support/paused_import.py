"""Run `foundations dora import ARGS...`, stopping it at a chosen point of the write, for a kill -9.

The import reports its progress to the command's progress bar. The first report
whose message starts with FOUNDATIONS_TEST_PAUSE_AT (default "writing": inside the
write transaction, after a file's rows are in the table; "preparing": SQLite's
staging before the write lock) is where the process prints "paused while
importing" on standard error and sleeps until killed.
"""

from __future__ import annotations

import os
import sys
import time

PAUSED = "paused while importing"
PAUSE_AT = "FOUNDATIONS_TEST_PAUSE_AT"


def main() -> int:
    from cli import dora

    word = os.environ.get(PAUSE_AT, "writing")

    def pause_there(self: dora.ProgressBar, fraction: float, message: str) -> None:
        if message.startswith(word):
            sys.stderr.write(PAUSED + "\n")
            sys.stderr.flush()
            time.sleep(3600)

    dora.ProgressBar.__call__ = pause_there  # type: ignore[method-assign]
    from cli.main import main as foundations

    return foundations(["dora", "import", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
