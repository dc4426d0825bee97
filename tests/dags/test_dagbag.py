"""The DAGs folder as Airflow parses it: no import error, the tasks and their order, per target."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.dags.conftest import RESULT_MARKER, clean_environment

TARGETS = ("aws", "local", "sagemaker")
# One process parses the folder once per target: DagBag imports the DAG file afresh each time.
# DagBag is airflow.models.dagbag in Airflow 3.0 (later versions moved it).
DAGBAG_SCRIPT = f"""
import json, os
from airflow.models.dagbag import DagBag

def parse():
    bag = DagBag(include_examples=False)
    return {{"errors": bag.import_errors, "dags": {{i: describe(d) for i, d in bag.dags.items()}}}}

def describe(dag):
    return {{
        "tasks": {{t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks}},
        "schedule": dag.timetable.summary,
        "params": sorted(dag.params),
        "max_active_runs": dag.max_active_runs,
        "catchup": dag.catchup,
        "operators": {{t.task_id: type(t).__name__ for t in dag.tasks}},
        "trigger_rules": {{t.task_id: str(t.trigger_rule) for t in dag.tasks}},
        "sensor": {{k: getattr(dag.task_dict.get("wait_for_pipeline"), k, None)
                   for k in ("mode", "verbose", "poke_interval")}},
    }}

parsed = {{}}
for target in {TARGETS!r}:
    os.environ["MATCH_AIRFLOW_TARGET"] = target
    parsed[target] = parse()
print({RESULT_MARKER!r} + json.dumps(parsed))
"""


@pytest.fixture(scope="module")
def parsed(airflow_python: Path, tmp_path_factory) -> dict:
    """What DagBag makes of the DAGs folder, per MATCH_AIRFLOW_TARGET."""
    home = tmp_path_factory.mktemp("airflow-parse")
    completed = subprocess.run(
        [str(airflow_python), "-c", DAGBAG_SCRIPT],
        env=clean_environment(home),
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_MARKER)]
    assert lines, f"DagBag did not load:\n{completed.stderr[-4000:]}"
    return json.loads(lines[-1][len(RESULT_MARKER) :])


def test_the_aws_dag_syncs_starts_waits_and_always_reports(parsed) -> None:
    assert parsed["aws"]["errors"] == {}
    assert list(parsed["aws"]["dags"]) == ["match_retraining"]
    dag = parsed["aws"]["dags"]["match_retraining"]
    assert dag["tasks"] == {
        "check_conf": ["start_pipeline", "sync_raw_data"],
        "sync_raw_data": ["start_pipeline"],
        "start_pipeline": ["wait_for_pipeline"],
        "wait_for_pipeline": ["report"],
        "report": [],
    }
    assert dag["operators"]["start_pipeline"] == "SageMakerStartPipelineOperator"
    assert dag["operators"]["wait_for_pipeline"] == "SageMakerPipelineSensor"
    # The sensor never calls ListPipelineExecutionSteps (verbose) and frees its worker slot.
    assert dag["sensor"] == {"mode": "reschedule", "verbose": False, "poke_interval": 60}
    assert dag["trigger_rules"]["report"] == "all_done"
    assert dag["schedule"] == "0 5 * * 1"
    assert dag["params"] == ["pipeline_parameters", "source_uri"]
    assert dag["max_active_runs"] == 1 and dag["catchup"] is False


def test_the_local_dag_runs_the_pipeline_and_always_reports(parsed) -> None:
    assert parsed["local"]["errors"] == {}
    dag = parsed["local"]["dags"]["match_retraining"]
    assert dag["tasks"] == {
        "check_conf": ["run_pipeline"],
        "run_pipeline": ["report"],
        "report": [],
    }
    assert dag["trigger_rules"]["report"] == "all_done"
    assert dag["schedule"] == "None"
    assert dag["params"] == ["data_dir", "pipeline_parameters"]


def test_a_bad_setting_is_an_import_error_naming_it(parsed) -> None:
    assert parsed["sagemaker"]["dags"] == {}
    (error,) = parsed["sagemaker"]["errors"].values()
    assert "MATCH_AIRFLOW_TARGET='sagemaker': use one of aws, local" in error
