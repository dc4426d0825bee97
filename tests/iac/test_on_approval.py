"""The deploy Lambda (deploy/on_approval.py) against botocore's Stubber.

The events have the shape SageMaker sends to EventBridge for "SageMaker Model Package State
Change" (the whole package description in ``detail``). Stubbed clients answer the three calls
the handler makes and fail the test on any other call, so "ignored" also means "no AWS call".
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from deploy import on_approval
from deploy.mlflow_registry import MlflowRegistry, RegistryError

REGION = "us-east-1"
ACCOUNT = "123456789012"
GROUP = "datathon-mlet03-staging-match"
FUNCTION = "datathon-mlet03-staging-scoring-api"
PACKAGE_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/{GROUP}/3"
ARTIFACTS = "s3://datathon-mlet03-staging-artifacts"
PREFIX = f"{ARTIFACTS}/{GROUP}/training/"
MODEL_URI = f"{PREFIX}pipelines-a1b2c3d4e5f6-Train-Ab12Cd34Ef/output/model.tar.gz"
OLD_MODEL_URI = f"{PREFIX}pipelines-0f9e8d7c6b5a-Train-Zz98Yy76Xx/output/model.tar.gz"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/datathon-mlet03-staging-serving:4f1c2ab"
REVISION = "0b7f6c1e-9d2a-4c55-8e21-3c4d5e6f7a8b"
TRACKING_SERVER = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:mlflow-tracking-server/staging-mlflow"
MLFLOW_VERSION = "5"  # the MLflow registry's version, not the package's

# EventBridge's event: envelope plus the package description as SageMaker emits it.
APPROVED_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "5e1a8f43-0c7d-4b9e-a2f6-91d3c8e7b024",
    "detail-type": "SageMaker Model Package State Change",
    "source": "aws.sagemaker",
    "account": ACCOUNT,
    "time": "2026-11-25T17:00:14Z",
    "region": REGION,
    "resources": [PACKAGE_ARN],
    "detail": {
        "ModelPackageGroupName": GROUP,
        "ModelPackageVersion": 3,
        "ModelPackageArn": PACKAGE_ARN,
        "ModelPackageDescription": "match version 3, MLflow run 9c1d2e3f4a5b",
        "CreationTime": 1764089400123,
        "InferenceSpecification": {
            "Containers": [
                {
                    "Image": IMAGE,
                    "ImageDigest": "sha256:" + "ab" * 32,
                    "ModelDataUrl": MODEL_URI,
                }
            ],
            "SupportedContentTypes": ["application/json"],
            "SupportedResponseMIMETypes": ["application/json"],
        },
        "ModelPackageStatus": "Completed",
        "ModelPackageStatusDetails": {"ValidationStatuses": [], "ImageScanStatuses": []},
        "CertifyForMarketplace": False,
        "ModelApprovalStatus": "Approved",
        "ApprovalDescription": "looks good in the evaluation report",
        "ModelMetrics": {
            "ModelQuality": {
                "Statistics": {
                    "ContentType": "application/json",
                    "S3Uri": f"{ARTIFACTS}/{GROUP}/evaluation/evaluation.json",
                }
            }
        },
        "CustomerMetadataProperties": {
            "mlflow_run_id": "9c1d2e3f4a5b",
            "mlflow_model_name": GROUP,
            "mlflow_model_version": MLFLOW_VERSION,
            "test_auc": "0.81",
        },
        "LastModifiedTime": 1764090014456,
    },
}

SETTINGS = on_approval.Settings(
    function_name=FUNCTION,
    group=GROUP,
    model_uri_prefix=PREFIX,
    tracking_server_arn=TRACKING_SERVER,
)


class FakeRegistry:
    """Records the champion moves; `test_registry_server.py` runs the real one on MLflow."""

    def __init__(self, previous: str | None = "4", error: Exception | None = None) -> None:
        self.promoted: list[tuple[str, str]] = []
        self.previous = previous
        self.error = error

    def promote(self, name: str, version: str) -> str | None:
        if self.error:
            raise self.error
        self.promoted.append((name, version))
        return self.previous


OTHER_VARIABLES = {
    "MATCH_MODEL_NAME": GROUP,
    "MATCH_ONLINE_STORE": "sagemaker",
    "MATCH_FEATURE_GROUP_PREFIX": GROUP,
    "MATCH_MAX_RANK_APPLICANTS": "1000",
    "MATCH_PREDICT_THREADS": "1",
    "POWERTOOLS_SERVICE_NAME": "match-scoring",
}


def event(**detail_changes: Any) -> dict[str, Any]:
    copied = copy.deepcopy(APPROVED_EVENT)
    copied["detail"].update(detail_changes)
    return copied


def described(**changes: Any) -> dict[str, Any]:
    """DescribeModelPackage's answer for the package in the event."""
    detail = APPROVED_EVENT["detail"]
    answer = {
        "ModelPackageName": GROUP,
        "ModelPackageGroupName": GROUP,
        "ModelPackageVersion": 3,
        "ModelPackageArn": PACKAGE_ARN,
        "ModelPackageDescription": detail["ModelPackageDescription"],
        "CreationTime": datetime(2026, 11, 25, 16, 50, tzinfo=UTC),
        "InferenceSpecification": copy.deepcopy(detail["InferenceSpecification"]),
        "ModelPackageStatus": "Completed",
        "ModelPackageStatusDetails": {"ValidationStatuses": []},
        "CertifyForMarketplace": False,
        "ModelApprovalStatus": "Approved",
        "CustomerMetadataProperties": dict(detail["CustomerMetadataProperties"]),
    }
    answer.update(changes)
    return answer


def configuration(model_uri: str = OLD_MODEL_URI, version: str = "2", **changes: Any) -> dict:
    """GetFunctionConfiguration's answer for the scoring function."""
    answer = {
        "FunctionName": FUNCTION,
        "FunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION}",
        "PackageType": "Image",
        "MemorySize": 1024,
        "Timeout": 15,
        "RevisionId": REVISION,
        "State": "Active",
        "LastUpdateStatus": "Successful",
        "Environment": {
            "Variables": {
                **OTHER_VARIABLES,
                "MATCH_MODEL_URI": model_uri,
                "MATCH_MODEL_VERSION": version,
            }
        },
    }
    answer.update(changes)
    return answer


@pytest.fixture
def clients(monkeypatch: pytest.MonkeyPatch):
    """Stubbed sagemaker and lambda clients (fake credentials; nothing leaves the process)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    lambda_ = boto3.client("lambda", region_name=REGION)
    with Stubber(sagemaker) as sm_stub, Stubber(lambda_) as lambda_stub:
        yield sagemaker, sm_stub, lambda_, lambda_stub
        sm_stub.assert_no_pending_responses()
        lambda_stub.assert_no_pending_responses()


@pytest.fixture
def registry() -> FakeRegistry:
    return FakeRegistry()


def expect_describe(sm_stub: Stubber, answer: dict | None = None) -> None:
    sm_stub.add_response(
        "describe_model_package",
        answer if answer is not None else described(),
        {"ModelPackageName": PACKAGE_ARN},
    )


def expect_configuration(lambda_stub: Stubber, answer: dict | None = None) -> None:
    lambda_stub.add_response(
        "get_function_configuration",
        answer if answer is not None else configuration(),
        {"FunctionName": FUNCTION},
    )


def expect_update(lambda_stub: Stubber, variables: dict[str, str]) -> None:
    lambda_stub.add_response(
        "update_function_configuration",
        configuration(
            variables["MATCH_MODEL_URI"], variables["MATCH_MODEL_VERSION"], RevisionId="next"
        ),
        {"FunctionName": FUNCTION, "Environment": {"Variables": variables}, "RevisionId": REVISION},
    )


def test_an_approval_points_the_function_at_the_model_and_keeps_the_other_variables(
    clients, registry, caplog: pytest.LogCaptureFixture
) -> None:
    sagemaker, sm_stub, lambda_, lambda_stub = clients
    expect_describe(sm_stub)
    expect_configuration(lambda_stub)
    expect_update(
        lambda_stub, {**OTHER_VARIABLES, "MATCH_MODEL_URI": MODEL_URI, "MATCH_MODEL_VERSION": "3"}
    )

    with caplog.at_level(logging.INFO, logger="on_approval"):
        result = on_approval.deploy(APPROVED_EVENT, SETTINGS, sagemaker, lambda_, registry)

    assert result["outcome"] == "deployed"
    assert result["model_uri"] == MODEL_URI
    assert result["model_version"] == "3"
    assert result["previous_model_version"] == "2"
    assert registry.promoted == [(GROUP, MLFLOW_VERSION)]  # the champion is what is served
    assert result["champion"] == f"{GROUP} version {MLFLOW_VERSION}"
    assert result["previous_champion_version"] == "4"
    logged = json.loads(caplog.records[-1].getMessage())
    assert logged["outcome"] == "deployed"
    assert logged["model_package"] == PACKAGE_ARN


def test_a_function_without_environment_gets_the_two_variables(clients, registry) -> None:
    sagemaker, sm_stub, lambda_, lambda_stub = clients
    expect_describe(sm_stub)
    bare = configuration()
    del bare["Environment"]
    expect_configuration(lambda_stub, bare)
    expect_update(lambda_stub, {"MATCH_MODEL_URI": MODEL_URI, "MATCH_MODEL_VERSION": "3"})

    assert on_approval.deploy(APPROVED_EVENT, SETTINGS, sagemaker, lambda_, registry)[
        "outcome"
    ] == ("deployed")


def test_the_same_model_again_changes_nothing(clients, registry) -> None:
    """EventBridge may deliver an event twice; an update would only cost a cold start."""
    sagemaker, sm_stub, lambda_, lambda_stub = clients
    expect_describe(sm_stub)
    expect_configuration(lambda_stub, configuration(MODEL_URI, "3"))

    result = on_approval.deploy(APPROVED_EVENT, SETTINGS, sagemaker, lambda_, registry)

    assert result["outcome"] == "unchanged"
    # the alias is moved anyway: a retry after a failed move finds the function unchanged
    assert registry.promoted == [(GROUP, MLFLOW_VERSION)]


NOT_APPROVALS = {
    "not an object": ["an", "event"],
    "None": None,
    "empty": {},
    "another detail type": {**APPROVED_EVENT, "detail-type": "SageMaker Model State Change"},
    "another source": {**APPROVED_EVENT, "source": "custom.deployer"},
    "no detail": {k: v for k, v in APPROVED_EVENT.items() if k != "detail"},
    "detail not an object": {**APPROVED_EVENT, "detail": "Approved"},
    "rejected": event(ModelApprovalStatus="Rejected"),
    "pending": event(ModelApprovalStatus="PendingManualApproval"),
    "no status": event(ModelApprovalStatus=None),
    "no package ARN": {**event(ModelPackageArn=None), "resources": []},
    "no group": event(ModelPackageGroupName=""),
    "version not a number": event(ModelPackageVersion={"major": 3}),
    "another group": event(ModelPackageGroupName="someone-elses-models"),
}


@pytest.mark.parametrize("incoming", NOT_APPROVALS.values(), ids=NOT_APPROVALS.keys())
def test_events_that_are_not_approvals_of_the_group_are_ignored_without_a_call(
    incoming: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SERVING_FUNCTION_NAME", FUNCTION)
    monkeypatch.setenv("MODEL_PACKAGE_GROUP", GROUP)
    monkeypatch.setenv("MLFLOW_TRACKING_SERVER_ARN", TRACKING_SERVER)
    monkeypatch.setattr(on_approval, "_clients", {})

    def no_client(service: str) -> Any:
        raise AssertionError(f"an ignored event created a {service} client")

    monkeypatch.setattr(on_approval, "client", no_client)
    with caplog.at_level(logging.WARNING, logger="on_approval"):
        result = on_approval.handler(incoming, None)

    assert result["outcome"] == "ignored"
    assert result["reason"]
    assert json.loads(caplog.records[-1].getMessage())["outcome"] == "ignored"


def test_the_package_arn_may_come_from_the_resources(clients, registry) -> None:
    sagemaker, sm_stub, lambda_, lambda_stub = clients
    expect_describe(sm_stub)
    expect_configuration(lambda_stub, configuration(MODEL_URI, "3"))
    incoming = event(ModelPackageArn=None)

    assert (
        on_approval.deploy(incoming, SETTINGS, sagemaker, lambda_, registry)["outcome"]
        == "unchanged"
    )


@pytest.mark.parametrize(
    "answer",
    [described(ModelApprovalStatus="Rejected"), described(ModelPackageGroupName="other-group")],
    ids=["rejected since", "another group"],
)
def test_a_package_no_longer_approved_is_ignored(clients, registry, answer: dict) -> None:
    """Events can arrive late: the package's state when handled is what counts."""
    sagemaker, sm_stub, lambda_, lambda_stub = clients
    expect_describe(sm_stub, answer)

    result = on_approval.deploy(APPROVED_EVENT, SETTINGS, sagemaker, lambda_, registry)

    assert result["outcome"] == "ignored"


@pytest.mark.parametrize(
    "model_uri",
    [
        "s3://someone-elses-bucket/model.tar.gz",
        f"{ARTIFACTS}/mlflow/1/abc/artifacts/model.tar.gz",
        "https://example.com/model.tar.gz",
        None,
    ],
)
def test_a_model_the_function_may_not_read_is_refused_before_any_change(
    clients, registry, model_uri: str | None
) -> None:
    sagemaker, sm_stub, lambda_, lambda_stub = clients
    specification = {"Containers": [{"Image": IMAGE}]}
    if model_uri:
        specification["Containers"][0]["ModelDataUrl"] = model_uri
    expect_describe(sm_stub, described(InferenceSpecification=specification))

    with pytest.raises(on_approval.DeploymentRefused):
        on_approval.deploy(APPROVED_EVENT, SETTINGS, sagemaker, lambda_, registry)
    assert registry.promoted == []


def test_a_concurrent_change_of_the_function_is_an_error_for_lambda_to_retry(
    clients, registry
) -> None:
    sagemaker, sm_stub, lambda_, lambda_stub = clients
    expect_describe(sm_stub)
    expect_configuration(lambda_stub)
    lambda_stub.add_client_error(
        "update_function_configuration",
        service_error_code="PreconditionFailedException",
        service_message="The Revision Id provided does not match the latest Revision Id.",
        http_status_code=412,
    )

    with pytest.raises(ClientError) as raised:
        on_approval.deploy(APPROVED_EVENT, SETTINGS, sagemaker, lambda_, registry)

    assert raised.value.response["Error"]["Code"] == "PreconditionFailedException"


def test_an_unreadable_environment_is_never_overwritten(clients, registry) -> None:
    sagemaker, sm_stub, lambda_, lambda_stub = clients
    expect_describe(sm_stub)
    expect_configuration(
        lambda_stub,
        configuration(
            Environment={
                "Error": {"ErrorCode": "AccessDeniedException", "Message": "KMS access denied"}
            }
        ),
    )

    with pytest.raises(RuntimeError, match="AccessDeniedException"):
        on_approval.deploy(APPROVED_EVENT, SETTINGS, sagemaker, lambda_, registry)


def test_a_describe_error_propagates(clients, registry) -> None:
    sagemaker, sm_stub, lambda_, lambda_stub = clients
    sm_stub.add_client_error(
        "describe_model_package",
        service_error_code="AccessDeniedException",
        service_message="not authorized",
        http_status_code=400,
    )

    with pytest.raises(ClientError):
        on_approval.deploy(APPROVED_EVENT, SETTINGS, sagemaker, lambda_, registry)


def test_the_function_name_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SERVING_FUNCTION_NAME", raising=False)
    with pytest.raises(on_approval.ConfigurationError, match="SERVING_FUNCTION_NAME"):
        on_approval.handler(APPROVED_EVENT, None)

    with pytest.raises(on_approval.ConfigurationError, match="MLFLOW_TRACKING_SERVER_ARN"):
        on_approval.Settings.from_env({"SERVING_FUNCTION_NAME": FUNCTION})
    settings = on_approval.Settings.from_env(
        {"SERVING_FUNCTION_NAME": f" {FUNCTION} ", "MLFLOW_TRACKING_SERVER_ARN": TRACKING_SERVER}
    )
    assert settings == on_approval.Settings(FUNCTION, "", "", TRACKING_SERVER)


def test_the_handler_uses_module_clients_created_once(
    clients, registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    sagemaker, sm_stub, lambda_, lambda_stub = clients
    monkeypatch.setenv("SERVING_FUNCTION_NAME", FUNCTION)
    monkeypatch.setenv("MODEL_PACKAGE_GROUP", GROUP)
    monkeypatch.setenv("MODEL_URI_PREFIX", PREFIX)
    monkeypatch.setenv("MLFLOW_TRACKING_SERVER_ARN", TRACKING_SERVER)
    clients_used = {"sagemaker": sagemaker, "lambda": lambda_, "registry": registry}
    monkeypatch.setattr(on_approval, "_clients", clients_used)
    for _ in range(2):
        expect_describe(sm_stub)
        expect_configuration(lambda_stub, configuration(MODEL_URI, "3"))

    assert on_approval.handler(APPROVED_EVENT, None)["outcome"] == "unchanged"
    assert on_approval.handler(APPROVED_EVENT, None)["outcome"] == "unchanged"


def test_clients_are_created_lazily_and_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(on_approval, "_clients", {})
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    created: list[str] = []
    real_client = boto3.client

    def counting_client(service: str, **kwargs: Any) -> Any:
        created.append(service)
        return real_client(service, **kwargs)

    monkeypatch.setattr(boto3, "client", counting_client)

    first = on_approval.client("lambda")
    second = on_approval.client("lambda")

    assert first is second
    assert created == ["lambda"]
    assert first.meta.config.retries["mode"] == "standard"


def test_a_package_without_an_mlflow_version_is_refused_before_any_change(
    clients, registry
) -> None:
    sagemaker, sm_stub, lambda_, lambda_stub = clients
    expect_describe(sm_stub, described(CustomerMetadataProperties={"mlflow_run_id": "9c1d"}))

    with pytest.raises(on_approval.DeploymentRefused, match="mlflow_model_version"):
        on_approval.deploy(APPROVED_EVENT, SETTINGS, sagemaker, lambda_, registry)
    assert registry.promoted == []


def test_a_registry_error_fails_the_invocation_for_lambda_to_retry(clients) -> None:
    sagemaker, sm_stub, lambda_, lambda_stub = clients
    expect_describe(sm_stub)
    expect_configuration(lambda_stub)
    expect_update(
        lambda_stub, {**OTHER_VARIABLES, "MATCH_MODEL_URI": MODEL_URI, "MATCH_MODEL_VERSION": "3"}
    )
    failing = FakeRegistry(error=RegistryError("MLflow POST registered-models/alias answered 503"))

    with pytest.raises(RegistryError):
        on_approval.deploy(APPROVED_EVENT, SETTINGS, sagemaker, lambda_, failing)


class Recorded:
    """What urllib would have sent, and a canned answer."""

    def __init__(self, answers: list[dict]) -> None:
        self.requests: list[Any] = []
        self.answers = answers

    def __call__(self, request, timeout: float):
        self.requests.append(request)
        body = json.dumps(self.answers.pop(0)).encode()
        return _Response(body)


class _Response:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def read(self) -> bytes:
        return self.body

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


def test_registry_calls_reach_the_managed_server_signed_as_the_plugin_signs_them() -> None:
    """The endpoint, header and SigV4 service of sagemaker-mlflow 0.5 (the plugin the jobs use:
    its SageMakerMLflowHostMetadataProvider and AuthBoto)."""
    from botocore.credentials import Credentials

    opener = Recorded(
        [
            {"model_version": {"name": GROUP, "version": MLFLOW_VERSION}},
            {
                "registered_model": {
                    "name": GROUP,
                    "aliases": [{"alias": "champion", "version": "4"}],
                }
            },
            {},
            {},
        ]
    )
    registry = MlflowRegistry.for_tracking_server(
        TRACKING_SERVER, Credentials("AKIDTESTING", "secret"), opener=opener
    )

    previous = registry.promote(GROUP, MLFLOW_VERSION)

    assert previous == "4"
    calls = [(r.get_method(), r.full_url.split("?")[0]) for r in opener.requests]
    base = f"https://{REGION}.experiments.sagemaker.aws/api/2.0/mlflow"
    assert calls == [
        ("GET", f"{base}/model-versions/get"),
        ("GET", f"{base}/registered-models/get"),
        ("POST", f"{base}/model-versions/set-tag"),
        ("POST", f"{base}/registered-models/alias"),
    ]
    alias = opener.requests[-1]
    headers = {k.lower(): v for k, v in alias.header_items()}
    assert headers["x-mlflow-sm-tracking-server-arn"] == TRACKING_SERVER
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDTESTING/")
    assert f"/{REGION}/sagemaker-mlflow/aws4_request" in headers["authorization"]
    assert json.loads(alias.data) == {"name": GROUP, "alias": "champion", "version": "5"}
