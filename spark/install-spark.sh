#!/usr/bin/env bash
# Installs the pinned PySpark (spark/requirements-spark.lock) into a cached venv:
#   ${PINPIPE_CACHE_DIR:-~/.cache/pinpipe}/pyspark-<version>/venv
# (scripts/lib/install-venv.sh does the work: checksum marker, one installer at a time.)
# Python: $SPARK_PYTHON or python3 (PySpark 4 supports 3.10+). Java 17+ is checked by the caller.
# Prints the venv path on stdout; progress goes to stderr.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tool=install-spark
lock="$here/requirements-spark.lock"
package=pyspark
name=pyspark
entry=python
python="${SPARK_PYTHON:-python3}"
python_ok='sys.version_info[:2] >= (3, 10)'
python_hint='Python 3.10 or newer with the venv module (apt-get install python3-venv), or set SPARK_PYTHON to one that is.'
note='first run downloads about 550 MB'
upgrade_pip=0
smoke() { "$venv/bin/python" -c 'import pyspark, duckdb, pyarrow, pandas, sqlglot' >&2; }
# shellcheck source=../scripts/lib/install-venv.sh
source "$here/../scripts/lib/install-venv.sh"
