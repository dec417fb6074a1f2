#!/usr/bin/env bash
# Prints the path of a working Python 3.10 (Rasa 3.6.21 does not install on 3.11+),
# or explains how to get one and exits 1.
set -u
candidates=(python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10)
# pyenv installs 3.10 without putting it on PATH unless it is the active version.
for d in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10; do candidates+=("$d"); done
for c in "${candidates[@]}"; do
  if "$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
    "$c" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
cat >&2 <<'MSG'
ERROR: Python 3.10 was not found.
IEP Guide runs on Rasa 3.6.21, which only installs on Python 3.8-3.10.
Install Python 3.10 (e.g. `apt-get install python3.10 python3.10-venv`, or
`pyenv install 3.10`) and run the command again.
MSG
exit 1
