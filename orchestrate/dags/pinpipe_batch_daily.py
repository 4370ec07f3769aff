"""pinpipe's counterpart of the original's MWAA DAG: run the batch once a day.

The original ran a Databricks notebook every day from MWAA; here one BashOperator runs
``pinpipe batch --profile <profile> --out <out_dir>/<ds> --run-date <ds>`` and so writes each
analytics result as ``<out_dir>/<ds>/<result_name>.json`` (plus ``summary.json``), and its Parquet
under ``curated/`` and ``analytics/`` with ``run_date=<ds>`` in the key.

Settings are DAG params: each run can override them (the trigger form, or
``airflow dags trigger --conf '{"pinpipe_profile": "aws"}'``); their defaults come from the environment
as ``AIRFLOW_VAR_<NAME>`` (the names Airflow gives environment Variables), read when the file is
parsed, else the built-in defaults below. No Airflow Variable is looked up at run time: Airflow 3 logs
an error line for every Variable that is not set, even when the template has a default. Names
without the ``PINPIPE_`` prefix on purpose: every ``PINPIPE_*`` variable reaches the batch as a
profile override.

================================  ==========================================  ===========
Setting (env AIRFLOW_VAR_...)     Meaning                                     Read
================================  ==========================================  ===========
pinpipe_command                   how to start the CLI (shell words)          at parse time; per run
pinpipe_profile                   profile name or path                        at parse time; per run
pinpipe_out_dir                   results folder; ``/<ds>`` is appended        at parse time; per run
pinpipe_extra_args                more ``pinpipe batch`` flags                 at parse time; per run
PINPIPE_RETRIES (env only)        task retries (default 2)                    at parse time
PINPIPE_RETRY_DELAY_SECONDS       delay between tries (default 300)           at parse time
================================  ==========================================  ===========
"""

from __future__ import annotations

import os
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


# Per-run settings (params), with defaults from the environment: rendered when the task starts.
SETTINGS = {
    "pinpipe_command": _env_str("pinpipe_command", DEFAULT_COMMAND),
    "pinpipe_profile": _env_str("pinpipe_profile", DEFAULT_PROFILE),
    "pinpipe_out_dir": _env_str("pinpipe_out_dir", DEFAULT_OUT_DIR),
    "pinpipe_extra_args": _env_str("pinpipe_extra_args", ""),
}
BATCH_COMMAND = (
    "set -euo pipefail\n"
    "{{ params.pinpipe_command }} batch"
    " --profile {{ params.pinpipe_profile | shell_quote }}"
    " --out {{ (params.pinpipe_out_dir ~ '/' ~ ds) | shell_quote }}"
    " --run-date {{ ds }}"
    " {{ params.pinpipe_extra_args }}\n"
)

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
* **Settings** (params: per run in the trigger form; defaults from `AIRFLOW_VAR_<NAME>` in the
  environment): `pinpipe_command` (default `{DEFAULT_COMMAND}`), `pinpipe_profile` (default
  `{DEFAULT_PROFILE}`), `pinpipe_out_dir` (default `{DEFAULT_OUT_DIR}`), `pinpipe_extra_args`.
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
    user_defined_filters={"shell_quote": shlex.quote},
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
        doc_md="`pinpipe batch --profile <profile> --out <out_dir>/<ds> --run-date <ds>`; a non-zero exit fails the try.",
    )
