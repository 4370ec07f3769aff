#!/usr/bin/env bash
# Installs the pinned Apache Airflow (orchestrate/requirements-airflow.lock) into a cached venv:
#   ${PINPIPE_CACHE_DIR:-~/.cache/pinpipe}/airflow-<version>/venv
# A marker file holding the lock's checksum makes a warm run a no-op (well under a second); a
# missing or stale marker means the venv is rebuilt from scratch, so an interrupted install never
# counts as complete. Python: $AIRFLOW_PYTHON or python3 (Airflow 3.1 supports 3.10-3.13); not a
# PINPIPE_* name because those are profile overrides.
# Prints the venv path on stdout; progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lock="$here/requirements-airflow.lock"
version="$(sed -n 's/^apache-airflow==\([0-9][0-9.]*\)$/\1/p' "$lock")"
[ -n "$version" ] || { echo "install-airflow: no apache-airflow==<version> line in $lock" >&2; exit 1; }

cache="${PINPIPE_CACHE_DIR:-$HOME/.cache/pinpipe}"
root="$cache/airflow-$version"
venv="$root/venv"
marker="$venv/.pinpipe-install-complete"
sum="$(sha256sum "$lock" | cut -d' ' -f1)"

if [ -f "$marker" ] && [ "$(cat "$marker")" = "$sum" ] && [ -x "$venv/bin/airflow" ]; then
  echo "$venv"
  exit 0
fi

python="${AIRFLOW_PYTHON:-python3}"
if ! "$python" -c 'import sys, venv, ensurepip; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 1)' 2>/dev/null; then
  echo "install-airflow: $python must be Python 3.10-3.13 with the venv module (apt-get install python3-venv)," \
    "or set AIRFLOW_PYTHON to one that is." >&2
  exit 1
fi

mkdir -p "$root"
# One installer at a time (two CI jobs, or two helpers, sharing a cache directory).
exec 9>"$root/.install.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if [ -f "$marker" ] && [ "$(cat "$marker")" = "$sum" ] && [ -x "$venv/bin/airflow" ]; then
  echo "$venv"
  exit 0
fi

echo "install-airflow: installing apache-airflow $version into $venv (first run takes a few minutes)" >&2
start=$(date +%s)
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock" >&2
"$venv/bin/python" -m pip check >&2
"$venv/bin/airflow" version >/dev/null 2>&1 || { "$venv/bin/airflow" version >&2; exit 1; }
echo "$sum" >"$marker"
echo "install-airflow: done in $(($(date +%s) - start)) s" >&2
echo "$venv"
