#!/usr/bin/env bash
# Installs the pinned Apache Airflow (orchestrate/requirements-airflow.lock) into a cached venv:
#   ${PINPIPE_CACHE_DIR:-~/.cache/pinpipe}/airflow-<version>/venv
# (scripts/lib/install-venv.sh does the work: checksum marker, one installer at a time.)
# Python: $AIRFLOW_PYTHON or python3 (Airflow 3.1 supports 3.10-3.13); not a PINPIPE_* name because
# those are profile overrides. Prints the venv path on stdout; progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tool=install-airflow
lock="$here/requirements-airflow.lock"
package=apache-airflow
name=airflow
entry=airflow
python="${AIRFLOW_PYTHON:-python3}"
python_ok='(3, 10) <= sys.version_info[:2] <= (3, 13)'
python_hint='Python 3.10-3.13 with the venv module (apt-get install python3-venv), or set AIRFLOW_PYTHON to one that is.'
note='first run takes a few minutes'
upgrade_pip=1
smoke() { "$venv/bin/airflow" version >/dev/null 2>&1 || { "$venv/bin/airflow" version >&2; return 1; }; }
# shellcheck source=../scripts/lib/install-venv.sh
source "$here/../scripts/lib/install-venv.sh"
