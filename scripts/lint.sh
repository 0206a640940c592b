#!/usr/bin/env bash
# Lint and types: ruff's rules, ruff's formatting and mypy, all configured in pyproject.toml.
# Every check runs, then the script fails if any of them found anything.
set -euo pipefail
cd "$(dirname "$0")/.."
FOUNDATIONS_EXTRAS="[test,dev]" bash scripts/setup.sh  # mypy reads the tests too, so their packages as well
failed=()
echo "== ruff check"
.venv/bin/ruff check . || failed+=("ruff check")
echo "== ruff format --check"
.venv/bin/ruff format --check . || failed+=("ruff format")
echo "== mypy"
.venv/bin/mypy || failed+=("mypy")
if [ ${#failed[@]} -gt 0 ]; then
  echo "lint failed: ${failed[*]}" >&2
  exit 1
fi
