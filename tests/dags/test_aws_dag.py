"""``dag.test()`` of the AWS DAG against moto's server (real HTTP), offline.

Airflow runs in its own environment (a subprocess); every boto3 client it makes reaches the
moto server started here through ``AWS_ENDPOINT_URL``: the Amazon provider's
SageMakerStartPipelineOperator and SageMakerPipelineSensor, the S3 copies of the raw data
snapshot, the report's reads. moto 5.2.5 starts executions that end at once, as "Succeeded",
and lacks ListPipelineExecutionSteps; this server (in this process) is given both:
`ScriptedExecutions` sets the status an execution ends in and answers
ListPipelineExecutionSteps with the steps a test scripts, each response checked against the
SageMaker API model botocore ships (as botocore's Stubber checks its responses).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import botocore.session
import pytest
from botocore.validate import ParamValidator
from moto.core.responses import ActionResult
from moto.sagemaker import models as sagemaker_models
from moto.sagemaker.responses import SageMakerResponse
from moto.server import ThreadedMotoServer

from tests.dags.conftest import run_dag_test

pytestmark = pytest.mark.slow

REGION, ACCOUNT = "us-east-1", "123456789012"
PREFIX = "datathon-mlet03-staging"
PIPELINE = f"{PREFIX}-match"
RAW, ARTIFACTS = f"{PREFIX}-raw", f"{PREFIX}-artifacts"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/{PREFIX}-sagemaker-execution"
PARAMETERS = ["InputDataUrl", "MinAuc", "NumBoostRound", "ModelApprovalStatus"]
T0 = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
EVALUATION = {
    "metrics": {"auc": 0.8123, "pr_auc": 0.41, "log_loss": 0.33},
    "best_achievable": {"auc": 0.86},
    "champion": None,
    "gate": {"champion_floor": 0.0},
}


class ScriptedExecutions:
    """The status moto's next executions end in, and the steps ListPipelineExecutionSteps lists."""

    def __init__(self) -> None:
        self.status = "Succeeded"
        self.steps: list[dict] = []
        model = botocore.session.get_session().get_service_model("sagemaker")
        self.output_shape = model.operation_model("ListPipelineExecutionSteps").output_shape

    def install(self, patch: pytest.MonkeyPatch) -> None:
        scripted = self
        created = sagemaker_models.FakePipelineExecution.__init__

        def end_as_scripted(execution, *args, **kwargs) -> None:
            created(execution, *args, **kwargs)
            execution.pipeline_execution_status = scripted.status

        def list_pipeline_execution_steps(response: SageMakerResponse) -> ActionResult:
            body = {"PipelineExecutionSteps": scripted.steps}
            report = ParamValidator().validate(body, scripted.output_shape)
            assert not report.has_errors(), report.generate_report()
            return ActionResult(body)

        patch.setattr(sagemaker_models.FakePipelineExecution, "__init__", end_as_scripted)
        patch.setattr(
            SageMakerResponse,
            "list_pipeline_execution_steps",
            list_pipeline_execution_steps,
            raising=False,
        )


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedExecutions]:
    executions = ScriptedExecutions()
    with pytest.MonkeyPatch.context() as patch:
        executions.install(patch)
        yield executions


@pytest.fixture(scope="module")
def endpoint(scripted) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws(endpoint, monkeypatch) -> dict:
    """Clients on the server, which starts each test empty, and the DAG's environment."""
    urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    ).close()
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}.items():
        monkeypatch.setenv(name, value)
    session = boto3.Session(region_name=REGION)
    clients = {name: session.client(name, endpoint_url=endpoint) for name in ("s3", "sagemaker")}
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "MATCH_AIRFLOW_TARGET": "aws",
        "MATCH_BUCKET_PREFIX": PREFIX,
        "MATCH_PIPELINE_NAME": PIPELINE,
        "MATCH_REGION": REGION,
        "MATCH_STUDIO_DOMAIN_ID": "d-test",
    }
    return {**clients, "env": env}


def seed(s3, sagemaker) -> None:
    """What Terraform and `make pipeline-run TARGET=aws` leave: buckets, the pipeline, a landing."""
    for bucket in (RAW, ARTIFACTS):
        s3.create_bucket(Bucket=bucket)
    for name in ("vagas.json", "applicants.json", "prospects.json", "cvs/31000.pdf"):
        s3.put_object(Bucket=RAW, Key=f"landing/decision/{name}", Body=f"{name} v1".encode())
    definition = {
        "Version": "2020-12-01",
        "Parameters": [{"Name": name, "Type": "String"} for name in PARAMETERS],
        "Steps": [],
    }
    sagemaker.create_pipeline(
        PipelineName=PIPELINE, PipelineDefinition=json.dumps(definition), RoleArn=ROLE
    )


def processing_job(sagemaker, name: str, output: str, uri: str) -> str:
    """A finished processing job as the pipeline leaves it; returns its ARN."""
    return sagemaker.create_processing_job(
        ProcessingJobName=name,
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 30,
            }
        },
        AppSpecification={"ImageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/steps:1"},
        RoleArn=ROLE,
        ProcessingOutputConfig={
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
    )["ProcessingJobArn"]


def step(name: str, status: str, **extra) -> dict:
    return {"StepName": name, "StepStatus": status, "StartTime": T0, **extra}


def registered_model(s3, sagemaker) -> str:
    """Evaluate's and Register's outputs and a model package, approved since; returns its ARN."""
    sagemaker.create_model_package_group(ModelPackageGroupName=PIPELINE)
    package = sagemaker.create_model_package(
        ModelPackageGroupName=PIPELINE, ModelApprovalStatus="PendingManualApproval"
    )["ModelPackageArn"]
    evaluation_uri = f"s3://{ARTIFACTS}/{PIPELINE}/evaluation/exec1"
    registration_uri = f"s3://{ARTIFACTS}/{PIPELINE}/registration/exec1"
    registration = {
        "model_name": PIPELINE,
        "version": "1",
        "approval_status": "PendingManualApproval",
        "champion": False,
        "model_package_arn": package,
        "model_package_approval_status": "PendingManualApproval",
    }
    for uri, name, document in (
        (evaluation_uri, "evaluation.json", EVALUATION),
        (registration_uri, "registration.json", registration),
    ):
        key = f"{uri.split('/', 3)[3]}/{name}"
        s3.put_object(Bucket=ARTIFACTS, Key=key, Body=json.dumps(document).encode())
    evaluate = processing_job(sagemaker, "pipelines-exec1-evaluate", "evaluation", evaluation_uri)
    register = processing_job(
        sagemaker, "pipelines-exec1-register", "registration", registration_uri
    )
    sagemaker.update_model_package(ModelPackageArn=package, ModelApprovalStatus="Approved")
    return evaluate, register, package


def test_a_run_syncs_the_data_starts_the_pipeline_and_reports_the_model(
    airflow_python: Path, airflow_home: Path, aws: dict, scripted: ScriptedExecutions
) -> None:
    s3, sagemaker = aws["s3"], aws["sagemaker"]
    seed(s3, sagemaker)
    evaluate, register, package = registered_model(s3, sagemaker)
    scripted.status = "Succeeded"
    scripted.steps = [
        step("Preprocess", "Succeeded"),
        step("Train", "Succeeded"),
        step("Evaluate", "Succeeded", Metadata={"ProcessingJob": {"Arn": evaluate}}),
        step("CheckModelQuality", "Succeeded", Metadata={"Condition": {"Outcome": "True"}}),
        step("Register", "Succeeded", Metadata={"ProcessingJob": {"Arn": register}}),
    ]

    result, output = run_dag_test(
        airflow_python,
        airflow_home,
        {"pipeline_parameters": {"MinAuc": 0.6, "NumBoostRound": 300}},
        aws["env"],
    )

    assert result["state"] == "success", output[-20000:]
    assert set(result["tasks"].values()) == {"success"}
    # The snapshot: every landed file, under a content-named prefix.
    snapshot = result["xcom"]["sync_raw_data.return_value"]["InputDataUrl"]
    assert snapshot.startswith(f"s3://{RAW}/snapshots/decision/")
    prefix = snapshot.split("/", 3)[3] + "/"
    copied = s3.list_objects_v2(Bucket=RAW, Prefix=prefix)["Contents"]
    assert sorted(o["Key"][len(prefix) :] for o in copied) == [
        "applicants.json",
        "cvs/31000.pdf",
        "prospects.json",
        "vagas.json",
    ]
    # The execution SageMaker started: the DAG run's parameters and the snapshot.
    (summary,) = sagemaker.list_pipeline_executions(PipelineName=PIPELINE)[
        "PipelineExecutionSummaries"
    ]
    arn = summary["PipelineExecutionArn"]
    assert result["xcom"]["start_pipeline.return_value"] == arn
    started = sagemaker.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn)
    assert {p["Name"]: p["Value"] for p in started["PipelineParameters"]} == {
        "MinAuc": "0.6",
        "NumBoostRound": "300",
        "InputDataUrl": snapshot,
    }
    assert summary["PipelineExecutionDisplayName"].startswith("airflow-manual-")
    # The report: quality, the version and its approval status now, the Studio link.
    report = result["xcom"]["report.return_value"]
    assert report["status"] == "Succeeded"
    assert report["evaluation"]["metrics"]["auc"] == 0.8123
    assert report["registration"]["version"] == "1"
    assert report["registration"]["model_package_arn"] == package
    assert report["registration"]["model_package_approval_status"] == "Approved"
    execution_id = arn.rsplit("/", 1)[-1]
    assert report["link"] == (
        f"https://studio-d-test.studio.{REGION}.sagemaker.aws/pipelines/view/{PIPELINE}"
        f"/executions/{execution_id}/graph"
    )
    assert "AUC 0.8123 (best achievable 0.8600: 86.8% of the lift over chance)" in output


def test_a_failed_execution_fails_the_run_naming_the_step_and_its_reason(
    airflow_python: Path, airflow_home: Path, aws: dict, scripted: ScriptedExecutions
) -> None:
    seed(aws["s3"], aws["sagemaker"])
    reason = "AlgorithmError: training data has no positive label in the validation period"
    scripted.status = "Failed"
    scripted.steps = [
        step("Preprocess", "Succeeded"),
        step("IngestFeatures", "Succeeded"),
        step("Train", "Failed", FailureReason=reason),
    ]

    result, output = run_dag_test(airflow_python, airflow_home, {}, aws["env"])

    assert result["state"] == "failed"
    assert result["tasks"]["start_pipeline"] == "success"
    assert result["tasks"]["wait_for_pipeline"] == "failed"  # the sensor sees "Failed"
    assert result["tasks"]["report"] == "failed"  # and the report says why
    assert f"step Train failed: {reason}" in output


def test_a_bad_configuration_starts_nothing(
    airflow_python: Path, airflow_home: Path, aws: dict
) -> None:
    seed(aws["s3"], aws["sagemaker"])

    result, output = run_dag_test(
        airflow_python,
        airflow_home,
        {"pipeline_parameters": {"InputDataUrl": "s3://elsewhere/"}},
        aws["env"],
    )

    assert result["state"] == "failed"
    assert result["tasks"]["check_conf"] == "failed"
    assert result["tasks"]["start_pipeline"] == "upstream_failed"
    assert "pipeline_parameters.InputDataUrl is set by the DAG" in output
    assert (
        aws["sagemaker"].list_pipeline_executions(PipelineName=PIPELINE)[
            "PipelineExecutionSummaries"
        ]
        == []
    )
