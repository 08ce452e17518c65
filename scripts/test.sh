#!/usr/bin/env bash
# Install what the tests need (Debian packages, a virtualenv with the project and its test
# extras) and run the whole suite. README.md's second command and .ci/run both call this.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if ! "$PY" -c "import ensurepip" >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

# PostgreSQL for the storage tests: use the one the machine runs; start it if it stopped.
export RAREONCO_TEST_PG_URL=${RAREONCO_TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 20); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

if [ $# -eq 0 ]; then
  # Lint and types first (zero findings; pyproject.toml holds both configurations), then the
  # whole suite; branch coverage of the clinical rules must stay at 100 % (issue 3).
  .venv/bin/ruff check src tests benchmarks scripts
  .venv/bin/mypy
  exec .venv/bin/python -m pytest --cov=rareonco.clinical --cov-branch \
    --cov-report=term-missing:skip-covered --cov-fail-under=100
fi
exec .venv/bin/python -m pytest "$@"
