"""Save organisations one write transaction at a time, printing each name once its commit returned, until killed.

`python -m tests.support.saver PREFIX` on FOUNDATIONS_DATABASE_URL: what it printed
is what a person was told was saved; a test kills it and checks every one is there.
"""

from __future__ import annotations

import sys

from assessment.core import db
from assessment.organisations.directory import ensure_organisation


def main() -> int:
    prefix = sys.argv[1]
    engine = db.ready_engine()
    number = 0
    while True:
        number += 1
        name = f"{prefix} {number}"
        with db.write_session(engine) as session:
            ensure_organisation(session, name=name)
        print(name, flush=True)


if __name__ == "__main__":
    sys.exit(main())
