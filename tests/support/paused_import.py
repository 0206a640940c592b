"""Run `foundations dora import ARGS...`, stopping it half-way through writing rows, for a kill -9.

The import reports its progress to the command's progress bar: reading takes the
first 30 %, writing the rest. The first report past 60 % is inside the write
transaction; there the process prints "paused while importing" on standard error
and sleeps until killed.
"""

from __future__ import annotations

import sys
import time

PAUSED = "paused while importing"


def main() -> int:
    from cli import dora

    def pause_half_way(self: dora.ProgressBar, fraction: float, message: str) -> None:
        if fraction >= 0.6:
            sys.stderr.write(PAUSED + "\n")
            sys.stderr.flush()
            time.sleep(3600)

    dora.ProgressBar.__call__ = pause_half_way  # type: ignore[method-assign]
    from cli.main import main as foundations

    return foundations(["dora", "import", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
