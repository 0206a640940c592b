"""Run `foundations db upgrade ARGS...`, stopping it after its first migration step, for a kill -9.

The first step's work and version stamp are done; the process prints "paused
between migrations" on standard error and sleeps until killed, so a test can kill
an upgrade half-way every time and look at what the database holds.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from alembic.runtime.migration import HeadMaintainer

PAUSED = "paused between migrations"


def main() -> int:
    real_update = HeadMaintainer.update_to_step

    def update_then_pause(self: HeadMaintainer, step: Any) -> None:
        real_update(self, step)
        sys.stderr.write(PAUSED + "\n")
        sys.stderr.flush()
        time.sleep(3600)

    HeadMaintainer.update_to_step = update_then_pause  # type: ignore[method-assign]
    from cli.main import main as foundations

    return foundations(["db", "upgrade", *sys.argv[1:]])


if __name__ == "__main__":
    sys.exit(main())
