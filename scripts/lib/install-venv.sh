# Installs a pinned Python lock file into a cached venv; sourced by orchestrate/install-airflow.sh and
# spark/install-spark.sh, which set first:
#   tool       the name messages start with (install-airflow)
#   lock       the lock file; its `<package>==<version>` line names the venv folder
#   package    the pinned package (apache-airflow)
#   name       the cache folder's name before -<version> (airflow)
#   entry      what bin/ of a complete venv holds (airflow, python)
#   python, python_ok, python_hint   the interpreter, a Python condition on sys.version_info, and
#              what to tell the user when it fails
#   note       what the first install costs (shown while installing)
#   upgrade_pip  1 to upgrade pip before installing the lock
#   smoke()    a function that checks the installed venv ($venv)
# The venv is ${PINPIPE_CACHE_DIR:-~/.cache/pinpipe}/<name>-<version>/venv. A marker file holding the
# lock's checksum makes a warm run a no-op (well under a second); a missing or stale marker (the lock
# changed, an install was interrupted) rebuilds the venv from scratch.
# Prints the venv path on stdout; progress goes to stderr.

version="$(sed -n "s/^${package}==\([0-9][0-9.]*\)\$/\1/p" "$lock")"
[ -n "$version" ] || { echo "$tool: no $package==<version> line in $lock" >&2; exit 1; }

cache="${PINPIPE_CACHE_DIR:-$HOME/.cache/pinpipe}"
root="$cache/$name-$version"
venv="$root/venv"
marker="$venv/.pinpipe-install-complete"
sum="$(sha256sum "$lock" | cut -d' ' -f1)"

complete() { [ -f "$marker" ] && [ "$(cat "$marker")" = "$sum" ] && [ -x "$venv/bin/$entry" ]; }
if complete; then
  echo "$venv"
  exit 0
fi

if ! "$python" -c "import sys, venv, ensurepip; sys.exit(0 if $python_ok else 1)" 2>/dev/null; then
  echo "$tool: $python must be $python_hint" >&2
  exit 1
fi

mkdir -p "$root"
# One installer at a time (two CI jobs, or two helpers, sharing a cache directory).
exec 9>"$root/.install.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
if complete; then
  echo "$venv"
  exit 0
fi

echo "$tool: installing $package $version into $venv ($note)" >&2
start=$(date +%s)
rm -rf "$venv"
"$python" -m venv "$venv"
if [ "$upgrade_pip" = 1 ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$lock" >&2
"$venv/bin/python" -m pip check >&2
smoke || exit 1
echo "$sum" >"$marker"
echo "$tool: done in $(($(date +%s) - start)) s" >&2
echo "$venv"
