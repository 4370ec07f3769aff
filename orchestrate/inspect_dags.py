"""Loads a DAG folder the way Airflow's DAG processor does and prints, as one JSON document, the
import errors and each DAG's scheduling settings. Exit code 1 when any file fails to import.

Usage (with the Airflow venv from orchestrate/install-airflow.sh):
    <venv>/bin/python orchestrate/inspect_dags.py orchestrate/dags
"""

from __future__ import annotations

import json
import sys


def main(folder: str) -> int:
    from airflow.models.dagbag import DagBag

    bag = DagBag(dag_folder=folder, include_examples=False)
    dags = {}
    for dag_id, dag in sorted(bag.dags.items()):
        dags[dag_id] = {
            "fileloc": dag.fileloc,
            "schedule": dag.timetable.summary,
            "start_date": dag.start_date.isoformat() if dag.start_date else None,
            "catchup": dag.catchup,
            "max_active_runs": dag.max_active_runs,
            "has_doc_md": bool(dag.doc_md),
            "tasks": [
                {
                    "task_id": t.task_id,
                    "operator": type(t).__name__,
                    "retries": t.retries,
                    "retry_delay_seconds": t.retry_delay.total_seconds(),
                }
                for t in dag.tasks
            ],
        }
    print(json.dumps({"import_errors": dict(bag.import_errors), "dags": dags}))
    return 1 if bag.import_errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
