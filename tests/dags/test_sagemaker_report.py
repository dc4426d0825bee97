"""The AWS report (the DAG's report task) from a SageMaker execution.

SageMaker answers through botocore's Stubber, which checks every request and every response
against the SageMaker API model botocore ships; the result files are read from moto's S3.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from dags.match_retraining_lib.sagemaker_execution import read_execution, studio_url

REGION, ACCOUNT = "us-east-1", "123456789012"
PIPELINE = "datathon-mlet03-staging-match"
ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{PIPELINE}/execution/abc123"
ARTIFACTS = "datathon-mlet03-staging-artifacts"
PACKAGE = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{PIPELINE}/3"
T0 = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
EVALUATION = {
    "metrics": {
        "auc": 0.81,
        "pr_auc": 0.4,
        "log_loss": 0.33,
        "ndcg_at_10": 0.84,
        "precision_at_5": 0.37,
        "recall_at_10": 1.0,
    },
    "best_achievable": {"auc": 0.86},
    "champion": {"version": "2", "auc": 0.8},
    "gate": {"champion_floor": 0.79},
}
REGISTRATION = {
    "model_name": PIPELINE,
    "version": "3",
    "approval_status": "PendingManualApproval",
    "champion": False,
    "model_package_arn": PACKAGE,
    "model_package_approval_status": "PendingManualApproval",
}


@pytest.fixture
def s3(monkeypatch) -> Iterator:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=ARTIFACTS)
        yield client


@pytest.fixture
def sagemaker(s3) -> Iterator[tuple]:
    client = boto3.client("sagemaker", region_name=REGION)
    with Stubber(client) as stubber:
        yield client, stubber


def step(name: str, status: str, **extra) -> dict:
    return {"StepName": name, "StepStatus": status, "StartTime": T0, **extra}


def job(name: str) -> dict:
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:processing-job/{name}"
    return {"ProcessingJob": {"Arn": arn}}


def processing_job(name: str, output: str, uri: str) -> dict:
    return {
        "ProcessingJobName": name,
        "ProcessingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:processing-job/{name}",
        "ProcessingJobStatus": "Completed",
        "CreationTime": T0,
        "AppSpecification": {"ImageUri": "steps:1"},
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 30,
            }
        },
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": output,
                    "S3Output": {
                        "S3Uri": uri,
                        "LocalPath": f"/opt/ml/processing/output/{output}",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
    }


def expect_execution(stubber: Stubber, status: str, steps: list[dict]) -> None:
    stubber.add_response(
        "describe_pipeline_execution",
        {"PipelineExecutionArn": ARN, "PipelineExecutionStatus": status},
        {"PipelineExecutionArn": ARN},
    )
    stubber.add_response(
        "list_pipeline_execution_steps",
        {"PipelineExecutionSteps": steps},
        {"PipelineExecutionArn": ARN, "SortOrder": "Ascending"},
    )


def expect_job(stubber: Stubber, name: str, output: str, uri: str) -> None:
    stubber.add_response(
        "describe_processing_job", processing_job(name, output, uri), {"ProcessingJobName": name}
    )


def put_json(s3, uri: str, document: dict) -> None:
    bucket, _, key = uri[len("s3://") :].partition("/")
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(document).encode())


def test_a_succeeded_execution_reports_quality_version_and_current_approval(s3, sagemaker) -> None:
    client, stubber = sagemaker
    evaluation_uri = f"s3://{ARTIFACTS}/{PIPELINE}/evaluation/abc123"
    registration_uri = f"s3://{ARTIFACTS}/{PIPELINE}/registration/abc123"
    put_json(s3, f"{evaluation_uri}/evaluation.json", EVALUATION)
    put_json(s3, f"{registration_uri}/registration.json", REGISTRATION)
    expect_execution(
        stubber,
        "Succeeded",
        [
            step("Preprocess", "Succeeded", Metadata=job("pipelines-abc123-p")),
            step("Train", "Succeeded"),
            step("Evaluate", "Succeeded", Metadata=job("pipelines-abc123-e")),
            step("CheckModelQuality", "Succeeded", Metadata={"Condition": {"Outcome": "True"}}),
            step("Register", "Succeeded", Metadata=job("pipelines-abc123-r")),
        ],
    )
    expect_job(stubber, "pipelines-abc123-e", "evaluation", evaluation_uri)
    expect_job(stubber, "pipelines-abc123-r", "registration", registration_uri)
    stubber.add_response(
        "describe_model_package",
        {
            "ModelPackageName": PIPELINE,
            "ModelPackageArn": PACKAGE,
            "CreationTime": T0,
            "ModelPackageStatus": "Completed",
            "ModelPackageStatusDetails": {"ValidationStatuses": []},
            "ModelApprovalStatus": "Approved",  # approved in Studio since registration
        },
        {"ModelPackageName": PACKAGE},
    )

    report = read_execution(client, s3, ARN, studio_domain_id="d-abc")

    stubber.assert_no_pending_responses()
    assert report.succeeded and report.failed_step is None and report.notes == []
    assert report.evaluation == EVALUATION
    assert report.registration["version"] == "3"
    assert report.registration["model_package_approval_status"] == "Approved"
    text = "\n".join(report.lines())
    assert "AUC 0.8100 (best achievable 0.8600: 86.1% of the lift over chance)" in text
    assert "champion before this run: version 2, AUC 0.8000" in text
    assert f"Registered {PIPELINE} version 3: PendingManualApproval" in text
    assert f"model package {PACKAGE} (Approved)" in text
    assert report.link == (
        f"https://studio-d-abc.studio.{REGION}.sagemaker.aws/pipelines/view/{PIPELINE}"
        "/executions/abc123/graph"
    )


def test_a_failed_step_is_named_with_its_reason(s3, sagemaker) -> None:
    client, stubber = sagemaker
    reason = "ClientError: Insufficient capacity for ml.g4dn.xlarge.\nRetry later."
    expect_execution(
        stubber,
        "Failed",
        [
            step("Preprocess", "Succeeded", Metadata=job("pipelines-abc123-p")),
            step("Train", "Failed", FailureReason=reason),
        ],
    )

    report = read_execution(client, s3, ARN)

    assert not report.succeeded
    assert report.failure() == (
        "step Train failed: ClientError: Insufficient capacity for ml.g4dn.xlarge. Retry later."
    )
    assert report.evaluation is None and report.registration is None
    assert "set MATCH_STUDIO_DOMAIN_ID" in report.link


def test_the_quality_gate_reports_its_message_and_the_evaluation(s3, sagemaker) -> None:
    client, stubber = sagemaker
    evaluation_uri = f"s3://{ARTIFACTS}/{PIPELINE}/evaluation/abc123"
    put_json(s3, f"{evaluation_uri}/evaluation.json", EVALUATION)
    message = "Model not registered: test AUC 0.61 must be >= MinAuc 0.7"
    expect_execution(
        stubber,
        "Failed",
        [
            step("Evaluate", "Succeeded", Metadata=job("pipelines-abc123-e")),
            step("CheckModelQuality", "Succeeded", Metadata={"Condition": {"Outcome": "False"}}),
            step("FailModelQuality", "Failed", Metadata={"Fail": {"ErrorMessage": message}}),
        ],
    )
    expect_job(stubber, "pipelines-abc123-e", "evaluation", evaluation_uri)

    report = read_execution(client, s3, ARN)

    assert report.failure() == f"step FailModelQuality failed: {message}"
    assert report.evaluation["metrics"]["auc"] == 0.81  # shown beside the failure


def test_an_unreadable_result_file_is_a_note_not_an_error(s3, sagemaker) -> None:
    client, stubber = sagemaker
    expect_execution(
        stubber, "Succeeded", [step("Evaluate", "Succeeded", Metadata=job("pipelines-e"))]
    )
    expect_job(stubber, "pipelines-e", "evaluation", f"s3://{ARTIFACTS}/missing")

    report = read_execution(client, s3, ARN)

    assert report.succeeded and report.evaluation is None
    assert report.notes and "evaluation.json could not be read" in report.notes[0]
    assert "NoSuchKey" in report.notes[0]


def test_studio_url_takes_region_and_pipeline_from_the_arn() -> None:
    arn = "arn:aws:sagemaker:sa-east-1:123456789012:pipeline/p-match/execution/x9"

    assert studio_url(arn, "d-1") == (
        "https://studio-d-1.studio.sa-east-1.sagemaker.aws/pipelines/view/p-match/executions/x9/graph"
    )


def test_an_execution_still_running_after_the_wait_says_so(s3, sagemaker) -> None:
    client, stubber = sagemaker
    expect_execution(stubber, "Executing", [step("Train", "Executing")])

    report = read_execution(client, s3, ARN)

    assert not report.succeeded
    assert (
        report.failure() == "execution still executing when the wait ended: follow it at the link"
    )
