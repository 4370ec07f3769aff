"""The original's MWAA DAG: hand the daily batch to Databricks.

Submits spark/pinpipe_batch_spark.py (uploaded to the workspace, see docs/aws.md) as a one-time
Databricks run (``DatabricksSubmitRunOperator``, ``spark_python_task``) on an existing cluster. The
job reads the sink's objects from ``s3://<bucket>/topics/`` through the workspace's S3 access (an
instance profile or a Unity Catalog external location: no keys in the DAG or the notebook), writes
``<out>/<ds>/<result_name>.json`` and ``summary.json``, and the Parquet under
``s3://<bucket>/curated/`` and ``s3://<bucket>/analytics/`` with ``run_date=<ds>`` in the path.
The BashOperator DAG (pinpipe_batch_daily.py) stays for machines that run pinpipe directly.

================================  ==========================================  ===========
Variable (env AIRFLOW_VAR_...)    Meaning                                     Read
================================  ==========================================  ===========
pinpipe_databricks_conn_id        Airflow connection to the workspace          at run time
                                  (default ``databricks_default``)
pinpipe_databricks_cluster_id     the cluster that runs the job (required)    at run time
pinpipe_databricks_python_file    the module in the workspace (default         at run time
                                  ``/Workspace/Shared/pinpipe/pinpipe_batch_spark.py``)
pinpipe_bucket                    the sink's bucket (required)                at run time
pinpipe_pipeline_id               topic prefix (default ``0e7ae8feb921``)      at run time
pinpipe_databricks_out_dir        results folder on the driver; ``/<ds>``      at run time
                                  is appended (default ``/dbfs/pinpipe/results``)
================================  ==========================================  ===========

The connection (``databricks_default``) holds the workspace URL as host and a token (or a service
principal's OAuth settings) as the password/extra, e.g.
``AIRFLOW_CONN_DATABRICKS_DEFAULT='databricks://:<token>@<workspace>.cloud.databricks.com'``.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.providers.databricks.operators.databricks import DatabricksSubmitRunOperator

try:  # Airflow 3 (tested: 3.1.8)
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.x (e.g. an older MWAA); untested here
    from airflow import DAG  # type: ignore[no-redef]

DAG_ID = "pinpipe_batch_databricks"
DEFAULT_PYTHON_FILE = "/Workspace/Shared/pinpipe/pinpipe_batch_spark.py"
DEFAULT_OUT_DIR = "/dbfs/pinpipe/results"


def _var(name: str, default: str | None = None) -> str:
    """A Variable read by Jinja when the task runs (never while the file is parsed)."""
    if default is None:
        return "{{ var.value[" + repr(name) + "] }}"
    return "{{ var.value.get(" + repr(name) + ", " + repr(default) + ") }}"


BUCKET = _var("pinpipe_bucket")

# The Databricks Runs Submit API payload; every string is a template rendered at run time.
JOB = {
    "run_name": "pinpipe batch {{ ds }}",
    "existing_cluster_id": _var("pinpipe_databricks_cluster_id"),
    "spark_python_task": {
        "python_file": _var("pinpipe_databricks_python_file", DEFAULT_PYTHON_FILE),
        "parameters": [
            "--source",
            "s3://" + BUCKET,
            "--out",
            _var("pinpipe_databricks_out_dir", DEFAULT_OUT_DIR) + "/{{ ds }}",
            "--run-date",
            "{{ ds }}",
            "--pipeline-id",
            _var("pinpipe_pipeline_id", "0e7ae8feb921"),
            "--topics-dir",
            "topics",
            "--output-uri",
            "s3://" + BUCKET,
            "--curated-prefix",
            "curated",
            "--analytics-prefix",
            "analytics",
        ],
    },
    "timeout_seconds": 7200,
}

with DAG(
    dag_id=DAG_ID,
    description="Run the pinpipe batch on Databricks once a day (the original's MWAA DAG)",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["pinpipe", "batch", "databricks"],
    default_args={"owner": "pinpipe", "retries": 2, "retry_delay": timedelta(minutes=5)},
) as dag:
    DatabricksSubmitRunOperator(
        task_id="pinpipe_batch_databricks",
        databricks_conn_id=_var("pinpipe_databricks_conn_id", "databricks_default"),
        json=JOB,
        polling_period_seconds=30,
        databricks_retry_limit=3,
    )
