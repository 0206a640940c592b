#!/usr/bin/env bash
# Set up, migrate, load the demo organisation and start the app on SQLite (or FOUNDATIONS_DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/foundations db upgrade
.venv/bin/foundations demo
exec .venv/bin/streamlit run app.py "$@"
