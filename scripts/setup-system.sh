#!/usr/bin/env bash
# Debian packages the test suite drives for real: PostgreSQL (tracker and draft
# storage tests) and Chromium (browser tests through Playwright). `make test` runs this
# every time: it looks for the programs the tests run (the same ones tests/conftest.py
# and tests/browser/conftest.py look for) and installs only what is missing.
# `make run` does not need them.
set -euo pipefail
need=()
pg_ok=""
for bindir in /usr/lib/postgresql/*/bin; do
  ok=1
  for program in postgres initdb pg_ctl createdb; do [ -x "$bindir/$program" ] || ok=""; done
  [ -n "$ok" ] && pg_ok=1
done
[ -n "$pg_ok" ] || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -eq 0 ]; then
  echo "==> System packages present (postgresql, chromium)"
  exit 0
fi
echo "==> Installing Debian packages: ${need[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "ERROR: need root or sudo to apt-get install ${need[*]}" >&2; exit 1; }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "==> Installed: ${need[*]}"
