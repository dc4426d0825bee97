"""Run ``dag.test()`` of match_retraining and print what it left, as one JSON line.

Run by tests/dags with the Airflow tool environment's Python (not the project's), with
AIRFLOW_HOME, the DAGs folder and the MATCH_* settings in the environment:

    .tools/airflow/bin/python tests/dags/dag_test_main.py '<run conf as JSON>'
"""

from __future__ import annotations

import json
import sys

from airflow.models.xcom import XComModel
from airflow.utils.session import create_session
from match_retraining import dag  # the DAGs folder is on PYTHONPATH, as Airflow puts it

RESULT_MARKER = "DAG-TEST-RESULT "


def xcoms(run_id: str) -> dict[str, object]:
    """Every XCom of the run, as ``task_id.key`` -> value."""
    with create_session() as session:
        rows = session.query(XComModel).filter(XComModel.run_id == run_id).all()
        return {f"{row.task_id}.{row.key}": XComModel.deserialize_value(row) for row in rows}


def main() -> None:
    run = dag.test(run_conf=json.loads(sys.argv[1]))
    result = {
        "state": str(run.state),
        "tasks": {ti.task_id: str(ti.state) for ti in run.get_task_instances()},
        "xcom": xcoms(run.run_id),
    }
    print(RESULT_MARKER + json.dumps(result, default=str))


if __name__ == "__main__":
    main()
