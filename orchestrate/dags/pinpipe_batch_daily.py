"""pinpipe's counterpart of the original's MWAA DAG: run the batch once a day.

The original ran a Databricks notebook every day from MWAA; here one BashOperator runs
``pinpipe batch --profile <profile> --out <out_dir>/<ds> --run-date <ds>`` and so writes each
analytics result as ``<out_dir>/<ds>/<result_name>.json`` (plus ``summary.json``), and its Parquet
under ``curated/`` and ``analytics/`` with ``run_date=<ds>`` in the key.

A trigger (the form, or ``airflow dags trigger --conf '{"pinpipe_profile": "aws"}'``) may change the
profile and nothing else: the command, its arguments and the results folder are the deployment's,
read from the environment as ``AIRFLOW_VAR_<NAME>`` when the file is parsed (no Airflow Variable is
looked up at run time: Airflow 3 logs an error line for every Variable that is not set). No trigger
value reaches a shell: the command line is fixed when the file is parsed, and the profile, results
folder and run date reach it as environment variables (``"$BATCH_PROFILE"``), each checked first (a
profile is a name from ``profiles/``; the run date is ``YYYY-MM-DD``). A conf that sets anything else
(``pinpipe_command``, ``pinpipe_extra_args`` of older versions) changes nothing. Names without the
``PINPIPE_`` prefix on purpose: every ``PINPIPE_*`` variable reaches the batch as a profile override.

================================  ==========================================  ======================
Setting (env AIRFLOW_VAR_...)     Meaning                                     Read
================================  ==========================================  ======================
pinpipe_command                   how to start the CLI (words, no shell)      at parse time
pinpipe_out_dir                   results folder; ``/<ds>`` is appended        at parse time
pinpipe_extra_args                more ``pinpipe batch`` flags (words)         at parse time
pinpipe_profile                   profile name (or path, env only)            at parse time; per run
PINPIPE_RETRIES (env only)        task retries (default 2)                    at parse time
PINPIPE_RETRY_DELAY_SECONDS       delay between tries (default 300)           at parse time
================================  ==========================================  ======================
"""

from __future__ import annotations

import os
import re
import shlex
from datetime import timedelta
from pathlib import Path

import pendulum

try:  # Airflow 3 (tested: 3.1.8)
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.x without the standard provider (e.g. an older MWAA); untested here
    from airflow import DAG  # type: ignore[no-redef]
    from airflow.operators.bash import BashOperator  # type: ignore[no-redef]

DAG_ID = "pinpipe_batch_daily"
# orchestrate/dags/<this file> -> the repository root, where bin/pinpipe.mjs lives.
REPO = Path(__file__).resolve().parents[2]
DEFAULT_COMMAND = f"node {shlex.quote(str(REPO / 'bin' / 'pinpipe.mjs'))}"
DEFAULT_PROFILE = "local"
DEFAULT_OUT_DIR = str(REPO / ".pinpipe" / "airflow")


def _env_int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(f"AIRFLOW_VAR_{name}", "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as err:
        raise ValueError(f"AIRFLOW_VAR_{name} must be a whole number, got {raw!r}") from err
    if value < minimum:
        raise ValueError(f"AIRFLOW_VAR_{name} must be at least {minimum}, got {value}")
    return value


RETRIES = _env_int("PINPIPE_RETRIES", 2, 0)
RETRY_DELAY = timedelta(seconds=_env_int("PINPIPE_RETRY_DELAY_SECONDS", 300, 0))


def _env_str(name: str, default: str) -> str:
    return os.environ.get(f"AIRFLOW_VAR_{name.upper()}", default)


# The deployment's settings: from the environment when the file is parsed, never from a trigger.
COMMAND = shlex.split(_env_str("pinpipe_command", DEFAULT_COMMAND))
OUT_DIR = _env_str("pinpipe_out_dir", DEFAULT_OUT_DIR)
EXTRA_ARGS = shlex.split(_env_str("pinpipe_extra_args", ""))
DEFAULT_RUN_PROFILE = _env_str("pinpipe_profile", DEFAULT_PROFILE)

# The one per-run setting (a param: the trigger form and --conf may change it).
SETTINGS = {"pinpipe_profile": DEFAULT_RUN_PROFILE}

PROFILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")
RUN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def checked_profile(value: object) -> str:
    """A run's profile: a name from profiles/ (or the deployment's own default, which may be a path)."""
    text = str(value)
    if text == DEFAULT_RUN_PROFILE or PROFILE_NAME.fullmatch(text):
        return text
    raise ValueError(
        "pinpipe_profile must be a profile name (letters, digits, '.', '_', '-'; a file in profiles/), "
        f"got {text!r}: the run is refused"
    )


def checked_run_date(value: object) -> str:
    text = str(value)
    if RUN_DATE.fullmatch(text):
        return text
    raise ValueError(f"the run date must be YYYY-MM-DD, got {text!r}: the run is refused")


def results_dir(ds: object) -> str:
    return os.path.join(OUT_DIR, checked_run_date(ds))


# Fixed when the file is parsed: the run's values arrive as environment variables, quoted by bash.
BATCH_COMMAND = (
    "set -euo pipefail\n"
    + shlex.join([*COMMAND, "batch"])
    + ' --profile "$BATCH_PROFILE" --out "$BATCH_OUT_DIR" --run-date "$BATCH_RUN_DATE"'
    + "".join(" " + shlex.quote(word) for word in EXTRA_ARGS)
    + "\n"
)
BATCH_ENV = {
    "BATCH_PROFILE": "{{ params.pinpipe_profile | checked_profile }}",
    "BATCH_OUT_DIR": "{{ ds | results_dir }}",
    "BATCH_RUN_DATE": "{{ ds | checked_run_date }}",
}

DOC_MD = f"""
### pinpipe daily batch

Runs `pinpipe batch` once a day: S3 sink objects → DuckDB → clean pin/geo/user tables → the
nine analytics results. Each run writes `<pinpipe_out_dir>/<ds>/<result_name>.json` and
`summary.json`, and the batch's own outputs (DuckDB file; Parquet under `curated/` and
`analytics/` in the bucket, keyed `run_date=<ds>`).

* **Schedule** `@daily` from 2026-01-01, `catchup=False` (a late start does not replay the past),
  one active run at a time.
* **Retries** {RETRIES}, {int(RETRY_DELAY.total_seconds())} s apart: a sandbox or AWS service that is
  down fails the task with the batch's message (see the task log) and Airflow retries it.
* **Settings** from `AIRFLOW_VAR_<NAME>` in the environment when the file is parsed:
  `pinpipe_command` (default `{DEFAULT_COMMAND}`), `pinpipe_out_dir` (default `{DEFAULT_OUT_DIR}`),
  `pinpipe_extra_args`, `pinpipe_profile` (default `{DEFAULT_PROFILE}`). A run may change the
  profile alone (a name from `profiles/`); nothing a trigger sends reaches a shell.
* Profile fields can be overridden per deployment with `PINPIPE_<FIELD>` environment variables.

See `docs/orchestration.md` in the pinpipe repository for MWAA and local deployment.
"""

with DAG(
    dag_id=DAG_ID,
    description="Run pinpipe batch (clean tables + analytics) once a day",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    doc_md=DOC_MD,
    tags=["pinpipe", "batch"],
    params=SETTINGS,
    user_defined_filters={
        "checked_profile": checked_profile,
        "checked_run_date": checked_run_date,
        "results_dir": results_dir,
    },
    default_args={
        "owner": "pinpipe",
        "retries": RETRIES,
        "retry_delay": RETRY_DELAY,
        "execution_timeout": timedelta(hours=2),
    },
) as dag:
    BashOperator(
        task_id="pinpipe_batch",
        bash_command=BATCH_COMMAND,
        env=BATCH_ENV,
        append_env=True,
        doc_md="`pinpipe batch --profile <profile> --out <out_dir>/<ds> --run-date <ds>`; a non-zero exit fails the try.",
    )
