"""The local report (the DAG's report task, local target) from the executor's own records.

Records are written with the executor's dataclasses (`ExecutionResult`, `StepRecord`), so a
change of the record's shape fails here before it reaches a DAG run.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from dags.match_retraining_lib.local_execution import (
    LocalRunError,
    execution_ids,
    new_execution,
    pipeline_command,
    read_execution,
)
from pipelines.local.executor import ExecutionResult, StepRecord

EVALUATION_URI = "s3://datathon-mlet03-artifacts/datathon-mlet03-match/evaluation/local-1"
REGISTRATION_URI = "s3://datathon-mlet03-artifacts/datathon-mlet03-match/registration/local-1"


def outputs(name: str, uri: str) -> dict:
    return {
        "ProcessingOutputConfig": {
            "Outputs": {name: {"OutputName": name, "S3Output": {"S3Uri": uri}}}
        }
    }


def write_record(lake: Path, result: ExecutionResult) -> Path:
    folder = lake / ".executor" / "executions" / result.execution_id
    folder.mkdir(parents=True)
    (folder / "execution.json").write_text(json.dumps(asdict(result), default=str))
    return folder


def write_json(lake: Path, uri: str, name: str, document: dict) -> None:
    path = lake / uri[len("s3://") :] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))


def test_a_succeeded_run_reads_evaluation_and_registration_from_the_lake(tmp_path) -> None:
    steps = [
        StepRecord("Evaluate", "Processing", "Succeeded", 3.0),
        StepRecord("CheckModelQuality", "Condition", "Succeeded", detail="outcome: true"),
        StepRecord("Register", "Processing", "Succeeded", 2.0),
        StepRecord("FailModelQuality", "Fail", "Skipped"),
    ]
    properties = {
        "Evaluate": outputs("evaluation", EVALUATION_URI),
        "Register": outputs("registration", REGISTRATION_URI),
    }
    result = ExecutionResult("local-1", "p", "Succeeded", {}, steps, None, properties)
    folder = write_record(tmp_path, result)
    write_json(tmp_path, EVALUATION_URI, "evaluation.json", {"metrics": {"auc": 0.82}})
    registration = {"model_name": "m", "version": "4", "approval_status": "Approved"}
    write_json(tmp_path, REGISTRATION_URI, "registration.json", registration)

    report = read_execution(tmp_path, "local-1")

    assert report.succeeded
    assert report.evaluation == {"metrics": {"auc": 0.82}}
    assert report.registration == registration
    assert report.link.startswith(str(folder))
    assert ("FailModelQuality", "Skipped") in report.steps
    assert "Registered m version 4: Approved" in report.lines()


def test_a_failed_job_is_named_once_with_its_log(tmp_path) -> None:
    log = tmp_path / "Train" / "job.log"
    steps = [StepRecord("Train", "Training", "Failed", 4.0, log=str(log))]
    reason = "step Train failed: pipelines-local-2-Train exited with code 1"
    write_record(tmp_path, ExecutionResult("local-2", "p", "Failed", {}, steps, reason))

    report = read_execution(tmp_path, "local-2")

    assert report.failure() == "step Train failed: pipelines-local-2-Train exited with code 1"
    assert report.notes == [f"log of Train: {log}"]


def test_the_quality_gate_message_is_the_reason(tmp_path) -> None:
    message = "Model not registered: test AUC 0.5 must be >= MinAuc 0.7"
    steps = [StepRecord("FailModelQuality", "Fail", "Failed", detail=message)]
    write_record(tmp_path, ExecutionResult("local-3", "p", "Failed", {}, steps, message))

    assert (
        read_execution(tmp_path, "local-3").failure() == f"step FailModelQuality failed: {message}"
    )


def test_the_run_is_the_record_that_appeared_during_it(tmp_path) -> None:
    before = execution_ids(tmp_path)
    write_record(
        tmp_path, ExecutionResult("local-20261128T100000-aaaaaa", "p", "Succeeded", {}, [])
    )
    said: list[str] = []

    assert before == set()
    assert new_execution(before, execution_ids(tmp_path), said.append) == (
        "local-20261128T100000-aaaaaa"
    )
    write_record(
        tmp_path, ExecutionResult("local-20261128T100005-bbbbbb", "p", "Succeeded", {}, [])
    )
    assert new_execution(before, execution_ids(tmp_path), said.append) == (
        "local-20261128T100005-bbbbbb"
    )
    assert "another run used the same lake" in said[0]
    assert new_execution(execution_ids(tmp_path), execution_ids(tmp_path), said.append) is None


def test_a_missing_project_environment_says_how_to_make_it(tmp_path) -> None:
    with pytest.raises(LocalRunError, match="run `make setup`"):
        pipeline_command(tmp_path / ".venv" / "bin" / "python", [])
    python = tmp_path / "python"
    python.touch()
    assert pipeline_command(python, ["--data", "d"]) == [
        str(python),
        "-m",
        "pipelines.run",
        "--target",
        "local",
        "--data",
        "d",
    ]
