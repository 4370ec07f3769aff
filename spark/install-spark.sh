#!/usr/bin/env bash
# Installs the pinned PySpark (spark/requirements-spark.lock) into a cached venv:
#   ${PINPIPE_CACHE_DIR:-~/.cache/pinpipe}/pyspark-<version>/venv
# As orchestrate/install-airflow.sh: a marker file holding the lock's checksum makes a warm run a
# no-op; a missing or stale marker (the lock changed, an install was interrupted) rebuilds the venv.
# Python: $SPARK_PYTHON or python3 (PySpark 4 supports 3.10+). Java 17+ is checked by the caller.
# Prints the venv path on stdout; progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
lock="$here/requirements-spark.lock"
version="$(sed -n 's/^pyspark==\([0-9][0-9.]*\)$/\1/p' "$lock")"
[ -n "$version" ] || { echo "install-spark: no pyspark==<version> line in $lock" >&2; exit 1; }

cache="${PINPIPE_CACHE_DIR:-$HOME/.cache/pinpipe}"
root="$cache/pyspark-$version"
venv="$root/venv"
marker="$venv/.pinpipe-install-complete"
sum="$(sha256sum "$lock" | cut -d' ' -f1)"

complete() { [ -f "$marker" ] && [ "$(cat "$marker")" = "$sum" ] && [ -x "$venv/bin/python" ]; }
if complete; then
  echo "$venv"
  exit 0
fi

python="${SPARK_PYTHON:-python3}"
if ! "$python" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info[:2] >= (3, 10) else 1)' 2>/dev/null; then
  echo "install-spark: $python must be Python 3.10 or newer with the venv module (apt-get install python3-venv)," \
    "or set SPARK_PYTHON to one that is." >&2
  exit 1
fi

mkdir -p "$root"
# One installer at a time (two CI jobs sharing a cache directory).
exec 9>"$root/.install.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if complete; then
  echo "$venv"
  exit 0
fi

echo "install-spark: installing pyspark $version into $venv (first run downloads about 450 MB)" >&2
start=$(date +%s)
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock" >&2
"$venv/bin/python" -m pip check >&2
"$venv/bin/python" -c 'import pyspark' >&2
echo "$sum" >"$marker"
echo "install-spark: done in $(($(date +%s) - start)) s" >&2
echo "$venv"
