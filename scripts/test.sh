#!/usr/bin/env bash
# Set up everything the tests need (Chromium and poppler included) and run the whole suite.
# With FOUNDATIONS_TEST_DATABASE_URL set to a PostgreSQL URL, database tests run there. Tests run in parallel,
# one worker per core (pytest-xdist); FOUNDATIONS_TEST_WORKERS sets another number (0: one process, no workers).
set -euo pipefail
cd "$(dirname "$0")/.."
FOUNDATIONS_WITH_BROWSER=1 FOUNDATIONS_EXTRAS="[test,dev]" bash scripts/setup.sh
exec .venv/bin/python -m pytest -n "${FOUNDATIONS_TEST_WORKERS:-auto}" "$@"
