"""``dag.test()`` of the local DAG: the real pipeline, on a tiny generated data set.

The run task calls ``python -m pipelines.run --target local`` with this project's Python, in a
scratch lake, MLflow store and build folder (``MATCH_LAKE_DIR``, ``MATCH_MLFLOW_DIR``,
``MATCH_BUILD_DIR``), so the user's workspace is never touched.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from datagen import generate
from tests.dags.conftest import ROOT, run_dag_test

pytestmark = pytest.mark.slow


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, Path]:
    data = tmp_path / "decision"
    generate(data, seed=11, scale=0.01, signal=True, cv_file_share=0.02, log=None)
    return {name: tmp_path / name for name in ("lake", "mlflow", "build")} | {"data": data}


def local_env(workspace: dict[str, Path]) -> dict[str, str]:
    return {
        "MATCH_AIRFLOW_TARGET": "local",
        "MATCH_PROJECT_DIR": str(ROOT),
        "MATCH_PYTHON": sys.executable,
        "MATCH_LAKE_DIR": str(workspace["lake"]),
        "MATCH_MLFLOW_DIR": str(workspace["mlflow"]),
        "MATCH_BUILD_DIR": str(workspace["build"]),
    }


def test_the_local_dag_runs_the_pipeline_and_reports_the_registered_model(
    airflow_python: Path, airflow_home: Path, workspace: dict[str, Path]
) -> None:
    # The real-shaped demo data at this scale has ~140 final applications, under the 200
    # training needs; StaleAfterDays labels the old ones still in progress (as not hired), so
    # the run trains, and shows a parameter added to the pipeline reaching it from the conf.
    # Those labels carry no signal: the gate is lowered, the run is about the orchestration.
    parameters = {"NumBoostRound": 60, "StaleAfterDays": 365, "MinAuc": 0.55}
    conf = {"data_dir": str(workspace["data"]), "pipeline_parameters": parameters}

    result, output = run_dag_test(airflow_python, airflow_home, conf, local_env(workspace))

    assert result["state"] == "success", output[-20000:]
    assert result["tasks"] == {
        "check_conf": "success",
        "run_pipeline": "success",
        "report": "success",
    }
    execution = result["xcom"]["run_pipeline.execution"]
    record_path = workspace["lake"] / ".executor" / "executions" / execution / "execution.json"
    record = json.loads(record_path.read_text())
    assert record["status"] == "Succeeded"
    assert record["parameters"]["NumBoostRound"] == 60  # the run's conf reached the pipeline
    assert record["parameters"]["StaleAfterDays"] == 365
    assert record["parameters"]["InputDataUrl"].startswith("s3://datathon-mlet03-raw/user-")
    report = result["xcom"]["report.return_value"]
    assert report["status"] == "Succeeded" and report["execution"] == execution
    assert 0.5 < report["evaluation"]["metrics"]["auc"] <= 1.0
    assert report["registration"]["version"] == "1"
    assert report["registration"]["approval_status"] == "Approved"
    assert report["registration"]["champion"] is True
    assert "Registered datathon-mlet03-match version 1: Approved, champion" in output
    assert not (ROOT / ".lake" / ".executor" / "executions" / execution).exists()


def test_a_refused_run_fails_with_the_pipelines_own_message(
    airflow_python: Path, airflow_home: Path, workspace: dict[str, Path]
) -> None:
    missing = workspace["data"].parent / "no-such-folder"
    conf = {"data_dir": str(missing)}

    result, output = run_dag_test(airflow_python, airflow_home, conf, local_env(workspace))

    assert result["state"] == "failed"
    assert result["tasks"]["run_pipeline"] == "failed"
    assert result["tasks"]["report"] == "failed"
    assert f"--data {missing} is not a folder" in output  # pipelines.run's own error line
    assert "pipelines.run refused the run" in output
    assert "no execution record was written" in output
