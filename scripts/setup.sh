#!/usr/bin/env bash
# Shared set-up for run.sh, test.sh and lint.sh: system libraries, a virtual environment, the package.
# Every package is installed at the exact version constraints.txt pins (scripts/lock.sh refreshes it), so an
# install today and one next month run the same code. Safe to run again: every step skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -e /usr/lib/x86_64-linux-gnu/libharfbuzz-subset.so.0 ] || ls /usr/lib/*/libharfbuzz-subset.so.0 >/dev/null 2>&1 || need_apt+=(libharfbuzz-subset0)
ls /usr/lib/*/libpango-1.0.so.0 >/dev/null 2>&1 || need_apt+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ "${FOUNDATIONS_WITH_BROWSER:-0}" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
  command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
  # the README's load-balancer example is run in front of two instances (tests/workshop/test_nginx_example.py)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing system packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".${FOUNDATIONS_EXTRAS:-}"
