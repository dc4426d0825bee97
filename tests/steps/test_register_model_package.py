"""The registration step's SageMaker model package, against moto in server mode (real HTTP).

Also: the full step with a local SQLite MLflow and a model package group, AWS errors turned into
one-line ``ERROR:`` messages (botocore's Stubber), and MLflow on a managed-server ARN resolved
to the sagemaker-mlflow plugin and SigV4-signed, against a local HTTP endpoint (no network).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import tempfile
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import lightgbm as lgb
import numpy as np
import pytest
import requests
from botocore.config import Config
from botocore.stub import Stubber

from steps import model_package, register
from tracking import connection

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
GROUP = "match-packages"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/match-serving:1.0"
MODEL_DATA = "s3://datathon-mlet03-artifacts/training/job-1/output/model.tar.gz"
EVALUATION = "s3://datathon-mlet03-artifacts/evaluation"
TRACKING_ARN = "arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/match"


def metadata(run_id: str = "run-a", **changes: str) -> dict[str, str]:
    return {
        "mlflow_run_id": run_id,
        "mlflow_model_name": "match",
        "mlflow_model_version": "1",
        "data_version": "d" * 16,
        "code_version": "c" * 16,
        "test_auc": "0.812345",
    } | changes


def package_spec(run_id: str = "run-a", **changes) -> model_package.PackageSpec:
    spec = model_package.PackageSpec(
        group=GROUP,
        model_data_url=MODEL_DATA,
        approval_status="PendingManualApproval",
        evaluation_s3_uri=EVALUATION,
        image_uri=IMAGE,
        metadata=metadata(run_id),
        description=f"match version 1, {model_package.run_marker(run_id)}",
    )
    return dataclasses.replace(spec, **changes)


@pytest.fixture(autouse=True)
def aws_env(monkeypatch, tmp_path):
    """Fake credentials; no profile, config file or instance metadata reached."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDTESTING")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))


@pytest.fixture(autouse=True)
def mlflow_uris(monkeypatch):
    """MLflow writes the URIs it is given into os.environ: undo that after each test."""
    import mlflow

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLFLOW_REGISTRY_URI", raising=False)
    yield
    mlflow.set_tracking_uri(None)
    mlflow.set_registry_uri(None)


@pytest.fixture(scope="module")
def moto_url():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def sagemaker(moto_url):
    """A sagemaker client on a freshly reset moto server, counting the calls it makes."""
    requests.post(f"{moto_url}/moto-api/reset", timeout=10).raise_for_status()
    client = boto3.client(
        "sagemaker",
        endpoint_url=moto_url,
        region_name=REGION,
        aws_access_key_id="AKIDTESTING",
        aws_secret_access_key="testing",
        config=Config(retries={"mode": "standard", "max_attempts": 2}),
    )
    client.calls = []
    client.meta.events.register(
        "before-call.sagemaker.*",
        lambda model, **_: client.calls.append(model.name),
    )
    return client


def packages_in(client, group: str = GROUP) -> list[dict]:
    summaries = client.list_model_packages(ModelPackageGroupName=group)["ModelPackageSummaryList"]
    return [client.describe_model_package(ModelPackageName=s["ModelPackageArn"]) for s in summaries]


# --- the group -------------------------------------------------------------------------------


def test_group_is_created_when_missing_and_reused_when_present(sagemaker):
    arn = model_package.ensure_model_package_group(sagemaker, GROUP, "match scorer")
    assert arn == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/{GROUP}"
    group = sagemaker.describe_model_package_group(ModelPackageGroupName=GROUP)
    assert group["ModelPackageGroupDescription"] == "match scorer"
    assert sagemaker.calls.count("CreateModelPackageGroup") == 1

    assert model_package.ensure_model_package_group(sagemaker, GROUP, "other words") == arn
    assert sagemaker.calls.count("CreateModelPackageGroup") == 1  # found, not created again
    group = sagemaker.describe_model_package_group(ModelPackageGroupName=GROUP)
    assert group["ModelPackageGroupDescription"] == "match scorer"


def group_description(name: str = GROUP) -> dict:
    return {
        "ModelPackageGroupName": name,
        "ModelPackageGroupArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package-group/{name}",
        "CreationTime": datetime(2026, 11, 1, tzinfo=UTC),
        "CreatedBy": {},
        "ModelPackageGroupStatus": "Completed",
    }


def stubbed_client() -> boto3.client:
    return boto3.client("sagemaker", region_name=REGION)


def test_group_created_concurrently_between_describe_and_create_is_taken():
    client = stubbed_client()
    with Stubber(client) as stubber:
        missing, exists = "ModelPackageGroup does not exist.", "Model Package Group already exists"
        stubber.add_client_error("describe_model_package_group", "ValidationException", missing)
        stubber.add_client_error("create_model_package_group", "ValidationException", exists)
        stubber.add_response("describe_model_package_group", group_description())
        arn = model_package.ensure_model_package_group(client, GROUP, "match scorer")
        stubber.assert_no_pending_responses()
    assert arn == group_description()["ModelPackageGroupArn"]


def test_group_that_cannot_be_created_raises_the_create_error():
    client = stubbed_client()
    with Stubber(client) as stubber:
        stubber.add_client_error("describe_model_package_group", "ValidationException", "missing")
        stubber.add_client_error(
            "create_model_package_group", "AccessDeniedException", "not allowed to\ncreate"
        )
        stubber.add_client_error("describe_model_package_group", "ValidationException", "missing")
        with pytest.raises(model_package.ModelPackageError) as raised:
            model_package.ensure_model_package_group(client, GROUP, "match scorer")
    message = str(raised.value)
    assert "CreateModelPackageGroup" in message and "AccessDeniedException" in message
    assert "\n" not in message


def test_group_describe_denied_is_not_mistaken_for_a_missing_group():
    client = stubbed_client()
    with Stubber(client) as stubber:
        stubber.add_client_error("describe_model_package_group", "AccessDeniedException", "no")
        with pytest.raises(model_package.ModelPackageError, match="DescribeModelPackageGroup"):
            model_package.ensure_model_package_group(client, GROUP, "match scorer")
        stubber.assert_no_pending_responses()  # no create attempted


# --- the package -----------------------------------------------------------------------------


def test_package_is_created_with_the_expected_fields(sagemaker):
    model_package.ensure_model_package_group(sagemaker, GROUP, "match scorer")
    arn = model_package.create_model_package(sagemaker, package_spec())

    described = sagemaker.describe_model_package(ModelPackageName=arn)
    assert described["ModelPackageGroupName"] == GROUP
    assert described["ModelPackageVersion"] == 1
    assert described["ModelApprovalStatus"] == "PendingManualApproval"
    assert described["ModelPackageDescription"] == "match version 1, MLflow run run-a"
    assert described["ModelMetrics"] == {
        "ModelQuality": {
            "Statistics": {
                "ContentType": "application/json",
                "S3Uri": f"{EVALUATION}/evaluation.json",
            }
        }
    }
    assert described["CustomerMetadataProperties"] == metadata("run-a")
    assert described["InferenceSpecification"] == {
        "Containers": [{"Image": IMAGE, "ModelDataUrl": MODEL_DATA}],
        "SupportedContentTypes": ["application/json"],
        "SupportedResponseMIMETypes": ["application/json"],
    }


def test_package_without_an_image_names_only_the_model_archive(sagemaker):
    model_package.ensure_model_package_group(sagemaker, GROUP, "match scorer")
    spec = package_spec(
        image_uri="",
        evaluation_s3_uri=f"{EVALUATION}/",
        approval_status="Approved",
        metadata=metadata("run-a", data_version="", test_auc=""),
    )
    arn = model_package.create_model_package(sagemaker, spec)

    described = sagemaker.describe_model_package(ModelPackageName=arn)
    assert described["InferenceSpecification"] == {"Containers": [{"ModelDataUrl": MODEL_DATA}]}
    assert described["ModelApprovalStatus"] == "Approved"
    assert described["ModelMetrics"]["ModelQuality"]["Statistics"]["S3Uri"] == (
        f"{EVALUATION}/evaluation.json"
    )
    # The API takes no empty metadata values: they are left out.
    assert described["CustomerMetadataProperties"] == {
        "mlflow_run_id": "run-a",
        "mlflow_model_name": "match",
        "mlflow_model_version": "1",
        "code_version": "c" * 16,
    }


def test_the_same_training_run_never_gets_two_packages(sagemaker):
    model_package.ensure_model_package_group(sagemaker, GROUP, "match scorer")
    first = model_package.ensure_model_package(sagemaker, package_spec("run-a"))
    again = model_package.ensure_model_package(sagemaker, package_spec("run-a"))
    other = model_package.ensure_model_package(sagemaker, package_spec("run-b"))

    assert first.created and not again.created and other.created
    assert again.arn == first.arn and other.arn != first.arn
    assert sagemaker.calls.count("CreateModelPackage") == 2
    runs = sorted(p["CustomerMetadataProperties"]["mlflow_run_id"] for p in packages_in(sagemaker))
    assert runs == ["run-a", "run-b"]


def test_find_reads_every_page_and_relies_on_metadata_not_descriptions(sagemaker):
    model_package.ensure_model_package_group(sagemaker, GROUP, "match scorer")
    # run-a's description does not name its run: it must be found by its metadata.
    arns = {
        run: model_package.create_model_package(
            sagemaker, package_spec(run, description=f"package for {run[-1]}")
        )
        for run in ("run-a", "run-b", "run-c")
    }
    sagemaker.calls.clear()
    found = model_package.find_package_for_run(sagemaker, GROUP, "run-a", page_size=1)
    assert found is not None and found["ModelPackageArn"] == arns["run-a"]
    assert sagemaker.calls.count("ListModelPackages") >= 3  # one package per page
    assert model_package.find_package_for_run(sagemaker, GROUP, "run-z", page_size=1) is None


def test_a_package_naming_its_run_is_described_first(sagemaker):
    model_package.ensure_model_package_group(sagemaker, GROUP, "match scorer")
    for run in ("run-a", "run-b", "run-c"):
        model_package.create_model_package(sagemaker, package_spec(run))
    sagemaker.calls.clear()
    found = model_package.find_package_for_run(sagemaker, GROUP, "run-a")
    assert found["CustomerMetadataProperties"]["mlflow_run_id"] == "run-a"
    assert sagemaker.calls == ["ListModelPackages", "DescribeModelPackage"]


@pytest.mark.parametrize(
    ("first", "second", "expected", "updated"),
    [
        ("PendingManualApproval", "Approved", "Approved", True),
        ("Approved", "Rejected", "Rejected", True),
        ("Rejected", "Approved", "Approved", True),
        # A re-run with the default status leaves a decision made in Studio alone.
        ("Approved", "PendingManualApproval", "Approved", False),
        ("Approved", "Approved", "Approved", False),
    ],
)
def test_a_changed_approval_status_is_updated(sagemaker, first, second, expected, updated):
    model_package.ensure_model_package_group(sagemaker, GROUP, "match scorer")
    created = model_package.ensure_model_package(sagemaker, package_spec(approval_status=first))
    result = model_package.ensure_model_package(sagemaker, package_spec(approval_status=second))

    assert result.arn == created.arn and not result.created
    assert result.status_updated is updated
    assert result.approval_status == expected
    assert sagemaker.calls.count("UpdateModelPackage") == (1 if updated else 0)
    (described,) = packages_in(sagemaker)
    assert described["ModelApprovalStatus"] == expected
    assert described["CustomerMetadataProperties"] == metadata()


def test_aws_errors_become_one_line_errors_naming_the_operation(sagemaker):
    client = stubbed_client()
    with Stubber(client) as stubber:
        stubber.add_response("list_model_packages", {"ModelPackageSummaryList": []})
        stubber.add_client_error(
            "create_model_package", "AccessDeniedException", "User is not\nauthorized"
        )
        with pytest.raises(model_package.ModelPackageError) as raised:
            model_package.ensure_model_package(client, package_spec())
    assert str(raised.value) == (
        "SageMaker CreateModelPackage failed (AccessDeniedException: User is not authorized)"
    )

    unreachable = boto3.client(
        "sagemaker",
        endpoint_url="http://127.0.0.1:9",
        region_name=REGION,
        config=Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=2),
    )
    with pytest.raises(model_package.ModelPackageError, match="ListModelPackages failed"):
        model_package.find_package_for_run(unreachable, GROUP, "run-a")


def test_inputs_the_api_would_refuse_are_refused_before_calling_it():
    with pytest.raises(model_package.ModelPackageError, match="mlflow_run_id"):
        model_package.clean_metadata(metadata("", data_version="x"))
    with pytest.raises(model_package.ModelPackageError, match="limits"):
        model_package.clean_metadata(metadata(code_version="x" * 257))
    with pytest.raises(model_package.ModelPackageError, match="s3://"):
        model_package.evaluation_report_uri("/opt/ml/processing/output/evaluation")
    assert model_package.evaluation_report_uri("s3://b/e/evaluation.json") == (
        "s3://b/e/evaluation.json"
    )
    with pytest.raises(model_package.ModelPackageError, match="approval status"):
        model_package.create_model_package(stubbed_client(), package_spec(approval_status="Yes"))


# --- the whole step --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mlflow_dir(tmp_path_factory):
    """Where the SQLite MLflow lives: in memory-backed /dev/shm when there is one.

    Creating MLflow's tables runs its ~60 migrations, one synced DDL commit each: 7 s on this
    machine's disk, under 2 s on tmpfs.
    """
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path_factory.mktemp("mlflow")
        return
    folder = Path(tempfile.mkdtemp(prefix="register-mlflow-", dir=shm))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, mlflow_dir):
    """A model folder whose metadata names a real run in a SQLite MLflow, and evaluation.json."""
    import mlflow

    root = tmp_path_factory.mktemp("register")
    uri = f"sqlite:///{mlflow_dir / 'mlflow.db'}"
    model_dir, evaluation_dir = root / "model", root / "evaluation"
    model_dir.mkdir()
    evaluation_dir.mkdir()
    rng = np.random.default_rng(0)
    x = rng.random((200, 3))
    names = ["a", "b", "c"]
    booster = lgb.train(
        {"objective": "binary", "verbose": -1, "num_leaves": 4},
        lgb.Dataset(x, (x[:, 0] > 0.5).astype(int), feature_name=names),
        num_boost_round=3,
    )
    booster.save_model(str(model_dir / "model.txt"))
    (model_dir / "feature_names.json").write_text(json.dumps(names))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        experiment = connection.ensure_experiment("match")
        with mlflow.start_run(experiment_id=experiment) as run:
            run_id = run.info.run_id
        mlflow.set_tracking_uri(None)
        mlflow.set_registry_uri(None)
    (model_dir / "metadata.json").write_text(
        json.dumps({"mlflow_run_id": run_id, "data_version": "d" * 16, "code_version": "c" * 16})
    )
    report = {"metrics": {"auc": 0.8123456, "ndcg_at_10": 0.5}, "gate": {}, "rows": 10}
    (evaluation_dir / "evaluation.json").write_text(json.dumps(report))
    return {"uri": uri, "run_id": run_id, "model_dir": model_dir, "evaluation_dir": evaluation_dir}


def step_args(trained, out: Path, *extra: str) -> list[str]:
    return [
        "--model-dir",
        str(trained["model_dir"]),
        "--evaluation-dir",
        str(trained["evaluation_dir"]),
        "--output-dir",
        str(out),
        "--model-name",
        "match",
        "--model-data-url",
        MODEL_DATA,
        *extra,
    ]


AWS_ARGS = (
    "--model-package-group",
    GROUP,
    "--evaluation-uri",
    EVALUATION,
    "--inference-image-uri",
    IMAGE,
)


def test_step_registers_a_model_package_once_per_training_run(
    trained, sagemaker, monkeypatch, tmp_path, capsys
):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", trained["uri"])
    regions = []

    def client_for(region):
        regions.append(region)
        return sagemaker

    monkeypatch.setattr(register, "sagemaker_client", client_for)

    assert register.main(step_args(trained, tmp_path / "one", *AWS_ARGS)) == 0
    first = json.loads((tmp_path / "one" / "registration.json").read_text())
    assert regions == [REGION]  # from AWS_DEFAULT_REGION
    (described,) = packages_in(sagemaker)
    assert first["model_package_arn"] == described["ModelPackageArn"]
    assert first["model_package_group"] == GROUP
    assert first["model_package_approval_status"] == "PendingManualApproval"
    assert described["CustomerMetadataProperties"] == {
        "mlflow_run_id": trained["run_id"],
        "mlflow_model_name": "match",
        "mlflow_model_version": first["version"],
        "data_version": "d" * 16,
        "code_version": "c" * 16,
        "test_auc": "0.812346",
    }
    assert described["InferenceSpecification"]["Containers"] == [
        {"Image": IMAGE, "ModelDataUrl": MODEL_DATA}
    ]
    assert f"model package {described['ModelPackageArn']}" in capsys.readouterr().out

    args = step_args(trained, tmp_path / "two", *AWS_ARGS, "--approval-status", "Approved")
    assert register.main([*args, "--region", "eu-west-1"]) == 0
    second = json.loads((tmp_path / "two" / "registration.json").read_text())
    assert regions == [REGION, "eu-west-1"]
    assert second["model_package_arn"] == first["model_package_arn"]
    assert second["version"] == first["version"] and second["champion"] is True
    (described,) = packages_in(sagemaker)
    assert described["ModelApprovalStatus"] == "Approved"
    assert "approval status updated" in capsys.readouterr().out


def test_step_without_a_group_makes_no_aws_call(trained, monkeypatch, tmp_path):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", trained["uri"])

    def no_client(region):
        raise AssertionError("the local target must not build a SageMaker client")

    monkeypatch.setattr(register, "sagemaker_client", no_client)
    assert register.main(step_args(trained, tmp_path)) == 0
    result = json.loads((tmp_path / "registration.json").read_text())
    assert result["model_package_arn"] is None and result["model_package_group"] is None


def test_step_turns_an_aws_error_into_exit_2_and_one_error_line(
    trained, monkeypatch, tmp_path, capsys
):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", trained["uri"])
    client = stubbed_client()
    monkeypatch.setattr(register, "sagemaker_client", lambda region: client)
    with Stubber(client) as stubber:
        stubber.add_response("describe_model_package_group", group_description())
        stubber.add_response("list_model_packages", {"ModelPackageSummaryList": []})
        stubber.add_client_error(
            "create_model_package",
            "AccessDeniedException",
            "User: arn:aws:sts::123456789012:assumed-role/x is not authorized",
            http_status_code=400,
        )
        code = register.main(step_args(trained, tmp_path, *AWS_ARGS))
        stubber.assert_no_pending_responses()

    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("ERROR: SageMaker CreateModelPackage failed (AccessDeniedException: ")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "registration.json").exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--model-package-group", GROUP), "--evaluation-uri"),
        (("--model-package-group", GROUP, "--evaluation-uri", "/local/path"), "--evaluation-uri"),
        (AWS_ARGS + ("--region", ""), "no region"),
    ],
)
def test_step_checks_package_arguments_before_registering(
    trained, monkeypatch, tmp_path, capsys, extra, message
):
    # No tracking URI: reaching the MLflow registration would fail differently.
    monkeypatch.setattr(
        register.registry, "register_version", lambda *a: pytest.fail("registered anyway")
    )
    assert register.main(step_args(trained, tmp_path, *extra)) == 2
    err = capsys.readouterr().err
    assert err.startswith("ERROR: ") and message in err


# --- MLflow on a managed tracking server -----------------------------------------------------


def test_managed_server_uris_are_recognised():
    assert connection.is_managed_server(TRACKING_ARN)
    assert connection.is_managed_server("arn:aws:sagemaker:us-east-1:123456789012:mlflow-app/app-1")
    assert not connection.is_managed_server("sqlite:///tmp/mlflow.db")
    assert not connection.is_managed_server("https://mlflow.example.com")
    assert not connection.is_managed_server("arn:aws:sagemaker:us-east-1:123456789012:endpoint/x")
    assert not connection.is_managed_server("arn:aws:s3:::mlflow-tracking-server/x")


def test_mlflow_resolves_an_arn_to_the_plugin_stores():
    from mlflow.tracking._model_registry.utils import _get_store as registry_store
    from mlflow.tracking._tracking_service.utils import _get_store as tracking_store
    from sagemaker_mlflow.mlflow_sagemaker_registry_store import MlflowSageMakerRegistryStore
    from sagemaker_mlflow.mlflow_sagemaker_store import MlflowSageMakerStore

    store = tracking_store(TRACKING_ARN)
    assert isinstance(store, MlflowSageMakerStore)
    assert isinstance(registry_store(TRACKING_ARN), MlflowSageMakerRegistryStore)
    creds = store.get_host_creds()
    assert creds.host == "https://eu-west-1.experiments.sagemaker.aws" and creds.auth == "arn"


class FakeTrackingServer(BaseHTTPRequestHandler):
    """Answers the two MLflow REST calls ensure_experiment makes; records every request."""

    seen: list[tuple[str, str, dict, str]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.seen.append((self.command, self.path, dict(self.headers), body))
        if "/experiments/get-by-name" in self.path:
            status, reply = 404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "none"}
        elif self.path.endswith("/experiments/create"):
            status, reply = 200, {"experiment_id": "42"}
        else:
            status, reply = 404, {"error_code": "ENDPOINT_NOT_FOUND", "message": self.path}
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


def test_arn_requests_are_signed_for_the_servers_region_and_name_no_local_artifacts(
    monkeypatch,
):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTrackingServer)
    FakeTrackingServer.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", TRACKING_ARN)
        # The plugin's own override of the endpoint it derives from the ARN.
        monkeypatch.setenv(
            "SAGEMAKER_MLFLOW_CUSTOM_ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}"
        )
        assert connection.ensure_experiment("match") == "42"
    finally:
        server.shutdown()
        server.server_close()

    paths = [(method, path.split("?")[0]) for method, path, _, _ in FakeTrackingServer.seen]
    assert paths == [
        ("GET", "/api/2.0/mlflow/experiments/get-by-name"),
        ("POST", "/api/2.0/mlflow/experiments/create"),
    ]
    for _, _, headers, _ in FakeTrackingServer.seen:
        assert (
            headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDTESTING/")
            and "/eu-west-1/sagemaker-mlflow/aws4_request" in headers["Authorization"]
        )
        assert headers["x-mlflow-sm-tracking-server-arn"] == TRACKING_ARN
    assert json.loads(FakeTrackingServer.seen[1][3]) == {"name": "match"}  # no artifact location


def test_arn_without_the_plugin_is_a_one_line_configuration_error(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", TRACKING_ARN)
    monkeypatch.setattr(connection, "PLUGIN_MODULE", "sagemaker_mlflow_not_installed")
    with pytest.raises(connection.TrackingNotConfiguredError) as raised:
        connection.configure()
    assert "sagemaker-mlflow" in str(raised.value) and "\n" not in str(raised.value)

    monkeypatch.setattr(connection, "PLUGIN_MODULE", "sagemaker_mlflow")
    monkeypatch.setattr(connection.importlib.metadata, "entry_points", lambda **kw: [])
    with pytest.raises(connection.TrackingNotConfiguredError, match="sagemaker-mlflow"):
        connection.configure()


def test_arn_of_another_resource_is_refused(monkeypatch):
    monkeypatch.setenv(
        "MLFLOW_TRACKING_URI", "arn:aws:sagemaker:us-east-1:123456789012:endpoint/match"
    )
    with pytest.raises(connection.TrackingNotConfiguredError, match="mlflow-tracking-server"):
        connection.configure()


def test_step_reports_a_missing_plugin_as_exit_2(trained, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", TRACKING_ARN)
    monkeypatch.setattr(connection, "PLUGIN_MODULE", "sagemaker_mlflow_not_installed")
    assert register.main(step_args(trained, tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("ERROR: ") and "sagemaker-mlflow" in err and err.count("\n") == 1
