"""pinpipe's counterpart of the original's MWAA DAG: run the batch once a day.

The original ran a Databricks notebook every day from MWAA; here one BashOperator runs
``pinpipe batch --profile <profile> --out <out_dir>/<ds> --run-date <ds>`` and so writes each
analytics result as ``<out_dir>/<ds>/<result_name>.json`` (plus ``summary.json``), and its Parquet
under ``curated/`` and ``analytics/`` with ``run_date=<ds>`` in the key.

Settings are Airflow Variables, so they can live in the metastore, a secrets backend, or the
environment (``AIRFLOW_VAR_<NAME>``). Names without the ``PINPIPE_`` prefix on purpose: every
``PINPIPE_*`` variable reaches the batch as a profile override.

================================  ==========================================  ===========
Variable (env AIRFLOW_VAR_...)    Meaning                                     Read
================================  ==========================================  ===========
pinpipe_command                   how to start the CLI (shell words)          at run time
pinpipe_profile                   profile name or path                        at run time
pinpipe_out_dir                   results folder; ``/<ds>`` is appended        at run time
pinpipe_extra_args                more ``pinpipe batch`` flags                 at run time
PINPIPE_RETRIES (env only)        task retries (default 2)                    at parse time
PINPIPE_RETRY_DELAY_SECONDS       delay between tries (default 300)           at parse time
================================  ==========================================  ===========

The two parse-time settings are read from ``AIRFLOW_VAR_PINPIPE_RETRIES`` and
``AIRFLOW_VAR_PINPIPE_RETRY_DELAY_SECONDS`` with ``os.environ`` (no metastore access while parsing).
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

# Run-time settings: Jinja reads the Variables when the task starts, never while the file is parsed.
BATCH_COMMAND = (
    "set -euo pipefail\n"
    "{{ var.value.get('pinpipe_command', params.default_command) }} batch"
    " --profile {{ var.value.get('pinpipe_profile', params.default_profile) | shell_quote }}"
    " --out {{ (var.value.get('pinpipe_out_dir', params.default_out_dir) ~ '/' ~ ds) | shell_quote }}"
    " --run-date {{ ds }}"
    " {{ var.value.get('pinpipe_extra_args', '') }}\n"
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
* **Settings** (Airflow Variables, or `AIRFLOW_VAR_<NAME>` in the environment):
  `pinpipe_command` (default `{DEFAULT_COMMAND}`), `pinpipe_profile` (default `{DEFAULT_PROFILE}`),
  `pinpipe_out_dir` (default `{DEFAULT_OUT_DIR}`), `pinpipe_extra_args`.
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
    params={
        "default_command": DEFAULT_COMMAND,
        "default_profile": DEFAULT_PROFILE,
        "default_out_dir": DEFAULT_OUT_DIR,
    },
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
