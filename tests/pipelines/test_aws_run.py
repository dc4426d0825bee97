"""The AWS target against moto in server mode (real HTTP), offline.

moto 5.2.5 serves S3 and the SageMaker pipeline calls (create, update, describe, start,
describe and list executions, the definition of an execution) but not
ListPipelineExecutionSteps: that call goes to a second client under botocore's Stubber
(`SplitSageMaker`), or the whole SageMaker client is stubbed where an execution must change
status between polls (moto's executions succeed at once). Stubber bypasses botocore's retry
loop, so throttling is injected at ``before-send`` instead, on a client from the real factory.

The AWS definition is compiled once (about 10 s) before the server starts: compiling runs the
SDK inside moto's in-process mock, which resets the backends the server shares.
"""

from __future__ import annotations

import copy
import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, NoCredentialsError
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from pipelines import run as cli
from pipelines.aws import runner
from pipelines.aws import s3 as aws_s3
from pipelines.aws.clients import AwsClients, make_clients
from pipelines.aws.errors import AwsSetupError, explain
from pipelines.aws.follow import describe_last, follow
from pipelines.aws.pipeline import start, upsert
from pipelines.aws.s3 import Fingerprint, upload_code
from pipelines.aws.snapshots import LocalFolder, latest_snapshot, snapshot_uri, sync_snapshot
from pipelines.compile import compile_pipeline
from pipelines.config import Settings
from pipelines.local.executor import ParameterError
from pipelines.local.expressions import Scope, resolve

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/x"
RAW_FILES = ("vagas.json", "applicants.json", "prospects.json")
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("aws")


@pytest.fixture(scope="module")
def settings(workspace) -> Settings:
    return Settings(
        role_arn=ROLE,
        steps_image_uri=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/steps:1",
        training_image_uri=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/train:1",
        mlflow_tracking_uri=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:mlflow-tracking-server/t",
        region=REGION,
        lake_dir=workspace / "lake",
        mlflow_dir=workspace / "mlflow",
        build_dir=workspace / "build",
    )


@pytest.fixture(scope="module")
def aws_env() -> Iterator[None]:
    """Fake credentials, and nothing from the user's AWS config or the instance metadata."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": "/nonexistent/aws-config",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
            "AWS_EC2_METADATA_DISABLED": "true",
        }.items():
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(scope="module")
def compiled(settings, aws_env):
    return compile_pipeline(settings, "aws")


@pytest.fixture(scope="module")
def endpoint(compiled) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def server_clients(endpoint, settings) -> AwsClients:
    return make_clients(settings, endpoint_url=endpoint)


@pytest.fixture
def clients(endpoint, server_clients) -> AwsClients:
    """The factory's clients on the server, which starts each test empty."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request).close()
    return server_clients


@pytest.fixture(scope="module")
def stub_client(aws_env):
    """A SageMaker client for Stubber (it never reaches an endpoint)."""
    return boto3.Session(region_name=REGION).client("sagemaker")


@pytest.fixture
def buckets(clients, settings) -> AwsClients:
    for bucket in (settings.raw_bucket, settings.curated_bucket, settings.artifacts_bucket):
        clients.s3.create_bucket(Bucket=bucket)
    return clients


class SplitSageMaker:
    """A SageMaker client whose ListPipelineExecutionSteps is stubbed; the rest goes to moto."""

    STUBBED = "list_pipeline_execution_steps"

    def __init__(self, moto_client, stubbed_client) -> None:
        self.moto = moto_client
        self.stubbed = stubbed_client

    def get_paginator(self, name: str):
        return (self.stubbed if name == self.STUBBED else self.moto).get_paginator(name)

    def __getattr__(self, name: str):
        return getattr(self.stubbed if name == self.STUBBED else self.moto, name)


@pytest.fixture
def steps_stub(clients, stub_client) -> Iterator[Stubber]:
    with Stubber(stub_client) as stubber:
        stubber.split = AwsClients(clients.s3, SplitSageMaker(clients.sagemaker, stub_client))
        yield stubber


@pytest.fixture
def cli_run(settings, monkeypatch, capsys, compiled):
    """``main([...])`` with these settings, this compiled definition and the given clients."""

    def compile_once(given: Settings, _target: str):
        run.compiled_with.append(given)
        return compiled

    def run(clients: AwsClients, *args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(cli, "load_settings", lambda: settings)
        monkeypatch.setattr(runner, "make_clients", lambda _settings: clients)
        monkeypatch.setattr(runner, "compile_pipeline", compile_once)
        code = cli.main(["--target", "aws", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    run.compiled_with = []
    return run


# ----------------------------------------------------------------------------- helpers


def step(name: str, status: str, minutes: float = 0, seconds: float = 30, **extra) -> dict:
    started = T0 + timedelta(minutes=minutes)
    summary = {"StepName": name, "StepStatus": status, "StartTime": started, **extra}
    if status not in ("Starting", "Executing"):
        summary["EndTime"] = started + timedelta(seconds=seconds)
    return summary


def job(kind: str, name: str) -> dict:
    resource = {"ProcessingJob": "processing-job", "TrainingJob": "training-job"}[kind]
    return {kind: {"Arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource}/{name}"}}


def succeeded_steps() -> list[dict]:
    return [
        step("Preprocess", "Succeeded", 0, Metadata=job("ProcessingJob", "pipelines-p1")),
        step("IngestFeatures", "Succeeded", 1, Metadata=job("ProcessingJob", "pipelines-i1")),
        step("Train", "Succeeded", 1, 300, Metadata=job("TrainingJob", "pipelines-t1")),
        step("Evaluate", "Succeeded", 7, Metadata=job("ProcessingJob", "pipelines-e1")),
        step("CheckModelQuality", "Succeeded", 8, 1, Metadata={"Condition": {"Outcome": "True"}}),
        step("Register", "Succeeded", 9, Metadata=job("ProcessingJob", "pipelines-r1")),
    ]


def expect_steps(stubber: Stubber, arn: str, pages: list[list[dict]]) -> None:
    for index, page in enumerate(pages):
        params = {"PipelineExecutionArn": arn, "SortOrder": "Ascending"}
        if index:
            params["NextToken"] = f"page{index}"
        response = {"PipelineExecutionSteps": page}
        if index < len(pages) - 1:
            response["NextToken"] = f"page{index + 1}"
        stubber.add_response("list_pipeline_execution_steps", response, params)


def put_json(s3, uri: str, body: dict) -> None:
    bucket, key = aws_s3.split_uri(uri)
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(body).encode())


def put_results(s3, settings: Settings, execution: str, auc: float = 0.8) -> None:
    """What Evaluate and Register write in ``execution`` (each under its own prefix)."""
    base = f"s3://{settings.artifacts_bucket}/{settings.pipeline_name}"
    metrics = {"auc": auc, "pr_auc": 0.4, "log_loss": 0.3}
    evaluation = {"metrics": metrics, "best_achievable": {"auc": 0.9}, "champion": None}
    put_json(s3, f"{base}/evaluation/{execution}/evaluation.json", evaluation)
    package = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/datathon-mlet03-match/3"
    registration = {
        "model_name": settings.model_name,
        "version": "3",
        "approval_status": "PendingManualApproval",
        "champion": False,
        "model_package_arn": package,
        "model_package_approval_status": "PendingManualApproval",
    }
    put_json(s3, f"{base}/registration/{execution}/registration.json", registration)


def data_folder(root: Path) -> Path:
    folder = root / "my data"
    (folder / "cvs").mkdir(parents=True)
    for name in RAW_FILES:
        (folder / name).write_text(json.dumps({"file": name}))
    (folder / "cvs" / "a.pdf").write_bytes(b"%PDF-1.4 a")
    return folder


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


# ----------------------------------------------------------------------------- S3


def test_sync_uploads_a_snapshot_named_by_its_content(buckets, settings, tmp_path):
    folder = data_folder(tmp_path)
    dataset = f"s3://{settings.raw_bucket}/user-my-data"
    lines: list[str] = []

    first = sync_snapshot(folder, dataset, buckets.s3, lines.append)
    again = sync_snapshot(folder, dataset, buckets.s3, lines.append)
    (folder / "vagas.json").write_text('{"changed": true}')
    (folder / "cvs" / "a.pdf").unlink()
    (folder / "cvs" / "b.docx").write_bytes(b"PK docx")
    changed = sync_snapshot(folder, dataset, buckets.s3, lines.append)

    root = f"s3://{settings.raw_bucket}/snapshots/user-my-data/"
    assert first.uri.startswith(root) and changed.uri.startswith(root)
    assert again.uri == first.uri and changed.uri != first.uri
    assert (first.uploaded, again.uploaded, again.already_complete) == (4, 0, True)
    assert changed.uploaded == 4  # a snapshot is whole: its files all live under its own prefix
    listed = aws_s3.list_objects(buckets.s3, settings.raw_bucket, "snapshots/user-my-data/")
    first_key = first.uri.split("/", 3)[3]
    changed_key = changed.uri.split("/", 3)[3]
    assert sorted(k for k in listed if k.startswith(first_key + "/")) == [
        f"{first_key}/{name}"
        for name in ("applicants.json", "cvs/a.pdf", "prospects.json", "vagas.json")
    ], "an earlier snapshot is never changed"
    assert f"{changed_key}/cvs/b.docx" in listed and f"{changed_key}.json" in listed
    assert latest_snapshot(buckets.s3, dataset) == changed.uri
    assert lines[0].startswith(f"Syncing {folder} -> {first.uri} (4 files")


def test_the_snapshot_is_named_by_content_not_by_where_the_folder_is(tmp_path):
    one, other = data_folder(tmp_path / "a"), data_folder(tmp_path / "b")
    dataset = "s3://raw/decision"

    assert LocalFolder.read(one).digest == LocalFolder.read(other).digest
    (other / "cvs" / "a.pdf").write_bytes(b"%PDF-1.4 another")
    assert LocalFolder.read(one).digest != LocalFolder.read(other).digest
    assert snapshot_uri(dataset, "abc") == "s3://raw/snapshots/decision/abc"


def test_an_interrupted_sync_resumes_and_a_multipart_upload_is_recognised(
    buckets, settings, tmp_path
):
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "applicants.json").write_bytes(b"x" * (aws_s3.PART_SIZE + 1000))
    dataset = f"s3://{settings.raw_bucket}/big"

    first = sync_snapshot(folder, dataset, buckets.s3, lambda line: None)
    key = first.uri.split("/", 3)[3]
    buckets.s3.delete_object(Bucket=settings.raw_bucket, Key=f"{key}.json")  # no manifest yet
    resumed = sync_snapshot(folder, dataset, buckets.s3, lambda line: None)

    listed = aws_s3.list_objects(buckets.s3, settings.raw_bucket, key)[f"{key}/applicants.json"]
    assert listed["ETag"].strip('"') == Fingerprint.of_file(folder / "applicants.json").etag
    assert listed["ETag"].strip('"').endswith("-2")
    assert (resumed.uploaded, resumed.unchanged) == (0, 1)


def preprocess_cache_key(definition: dict) -> str:
    """What SageMaker keys a cached Preprocess on: its arguments, resolved for an execution
    that takes the parameters' defaults (as the schedule does)."""
    [step] = [s for s in definition["Steps"] if s["Name"] == "Preprocess"]
    parameters = {p["Name"]: p["DefaultValue"] for p in definition["Parameters"]}
    # ExtractText's output is a fixed prefix (the text cache): what SageMaker would resolve
    [extract] = [s for s in definition["Steps"] if s["Name"] == "ExtractText"]
    outputs = extract["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    ran = {"ProcessingOutputConfig": {"Outputs": {o["OutputName"]: o for o in outputs}}}
    scope = Scope(
        parameters=parameters,
        execution={"PipelineExecutionId": "scheduled"},
        step_properties={"ExtractText": ran},
    )
    return json.dumps(resolve(step["Arguments"], scope), sort_keys=True)


def test_new_data_gives_preprocess_a_new_cache_key(buckets, settings, tmp_path, aws_env):
    folder = data_folder(tmp_path)
    dataset = settings.dataset_uri
    first = sync_snapshot(folder, dataset, buckets.s3, print).uri
    same = sync_snapshot(folder, dataset, buckets.s3, print).uri
    (folder / "prospects.json").write_text('{"new": "applications"}')
    second = sync_snapshot(folder, dataset, buckets.s3, print).uri
    # what the runner compiles with when it syncs (or, later, finds the latest snapshot)
    keys = {
        uri: preprocess_cache_key(
            compile_pipeline(settings.model_copy(update={"input_data_url": uri}), "aws").definition
        )
        for uri in (first, second)
    }

    assert same == first  # the same data: the same key, so the cached steps are reused
    assert keys[first] != keys[second]
    raw = json.loads(keys[second])["ProcessingInputs"]
    assert {i["InputName"]: i["S3Input"]["S3Uri"] for i in raw}["raw"] == second


def test_an_etag_that_is_not_the_md5_falls_back_to_the_md5_metadata(buckets, settings):
    body = b'{"a": 1}'
    upload_code({f"s3://{settings.artifacts_bucket}/code/x.py": body}, buckets.s3, print)
    opaque = {"Size": len(body), "ETag": '"kms-opaque-etag"'}  # as SSE-KMS would list it

    same = aws_s3.same_content(
        buckets.s3, settings.artifacts_bucket, "code/x.py", opaque, Fingerprint.of_bytes(body)
    )

    assert same


def test_step_code_is_uploaded_once(buckets, compiled):
    lines: list[str] = []

    first = upload_code(compiled.uploaded, buckets.s3, lines.append)
    second = upload_code(compiled.uploaded, buckets.s3, lines.append)

    assert first == (len(compiled.uploaded), 0)
    assert second == (0, len(compiled.uploaded))
    uri, body = next(iter(sorted(compiled.uploaded.items())))
    bucket, key = aws_s3.split_uri(uri)
    assert buckets.s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body


# ----------------------------------------------------------------------------- upsert, start


def test_first_upsert_creates_then_changes_update_and_no_change_leaves_it(
    buckets, settings, compiled
):
    sagemaker = buckets.sagemaker
    upload_code(compiled.uploaded, buckets.s3, print)

    created = upsert(compiled.definition, settings, sagemaker)
    unchanged = upsert(compiled.definition, settings, sagemaker)
    changed = copy.deepcopy(compiled.definition)
    changed["Parameters"][0]["DefaultValue"] = "s3://elsewhere/decision"
    other_role = settings.model_copy(update={"role_arn": f"arn:aws:iam::{ACCOUNT}:role/y"})
    updated = upsert(changed, other_role, sagemaker)

    assert (created.action, unchanged.action, updated.action) == ("created", "unchanged", "updated")
    assert created.arn == updated.arn
    assert created.arn == f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{settings.pipeline_name}"
    described = sagemaker.describe_pipeline(PipelineName=settings.pipeline_name)
    assert json.loads(described["PipelineDefinition"]) == changed
    assert described["RoleArn"] == other_role.role_arn
    assert described["PipelineDisplayName"] == settings.pipeline_name


def test_created_pipeline_holds_the_compiled_definition_and_role(buckets, settings, compiled):
    upsert(compiled.definition, settings, buckets.sagemaker)

    described = buckets.sagemaker.describe_pipeline(PipelineName=settings.pipeline_name)

    assert json.loads(described["PipelineDefinition"]) == compiled.definition
    assert described["RoleArn"] == ROLE


def test_start_passes_the_overrides_as_execution_parameters(buckets, settings, compiled):
    upsert(compiled.definition, settings, buckets.sagemaker)

    arn = start(
        compiled.definition,
        settings,
        {"MinAuc": "0.8", "NumBoostRound": "50"},
        buckets.sagemaker,
        now=lambda: T0,
    )

    described = buckets.sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert described["PipelineExecutionDisplayName"] == "run-20261125-120000"
    assert "MinAuc=0.8" in described["PipelineExecutionDescription"]
    parameters = buckets.sagemaker.list_pipeline_parameters_for_execution(PipelineExecutionArn=arn)[
        "PipelineParameters"
    ]
    assert parameters == [
        {"Name": "MinAuc", "Value": "0.8"},
        {"Name": "NumBoostRound", "Value": "50"},
    ]


def test_an_unknown_override_is_refused_before_anything_starts(buckets, settings, compiled):
    upsert(compiled.definition, settings, buckets.sagemaker)

    with pytest.raises(ParameterError, match="unknown parameter.*MinAUC.*MinAuc, MaxAucRegression"):
        start(compiled.definition, settings, {"MinAUC": "0.8"}, buckets.sagemaker)
    with pytest.raises(ParameterError, match="NumBoostRound is Integer"):
        start(compiled.definition, settings, {"NumBoostRound": "many"}, buckets.sagemaker)

    executions = buckets.sagemaker.list_pipeline_executions(PipelineName=settings.pipeline_name)
    assert executions["PipelineExecutionSummaries"] == []


# ----------------------------------------------------------------------------- follow


EXECUTION = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/datathon-mlet03-match/execution/abc"


def execution(status: str, minutes: float, reason: str = "") -> dict:
    return {
        "PipelineExecutionArn": EXECUTION,
        "PipelineExecutionStatus": status,
        "CreationTime": T0,
        "LastModifiedTime": T0 + timedelta(minutes=minutes),
        "FailureReason": reason,
    }


def test_follow_prints_transitions_until_a_step_fails(compiled, stub_client):
    client = stub_client
    stub = Stubber(client)
    definition = {"PipelineDefinition": json.dumps(compiled.definition)}
    stub.add_response(
        "describe_pipeline_definition_for_execution",
        definition,
        {"PipelineExecutionArn": EXECUTION},
    )
    cached = {"SourcePipelineExecutionArn": EXECUTION.replace("abc", "old")}
    extract = step("ExtractText", "Succeeded", 0, 0.2, CacheHitResult=cached)
    preprocess = step("Preprocess", "Succeeded", 0, Metadata=job("ProcessingJob", "p1"))
    ingest = step("IngestFeatures", "Succeeded", 1, 0.5, CacheHitResult=cached)
    train_job = job("TrainingJob", "pipelines-abc-Train")
    reason = "AlgorithmError: No OpenCL device found, exit code: 1"
    polls = [
        ("Executing", [[extract, step("Preprocess", "Executing", 0)]]),
        (
            "Executing",
            [[extract, preprocess, ingest, step("Train", "Executing", 1, Metadata=train_job)]],
        ),
        (
            "Failed",
            [
                [extract, preprocess, ingest],
                [step("Train", "Failed", 1, 90, FailureReason=reason, Metadata=train_job)],
            ],
        ),
    ]
    for minutes, (status, pages) in enumerate(polls):
        stub.add_response(
            "describe_pipeline_execution",
            execution(status, minutes + 1, "Step failure: One or more steps failed."),
            {"PipelineExecutionArn": EXECUTION},
        )
        expect_steps(stub, EXECUTION, pages)
    lines: list[str] = []
    sleeps: list[float] = []

    with stub:
        result = follow(EXECUTION, client, lines.append, sleeps.append, lambda: T0, 5.0)
        stub.assert_no_pending_responses()

    assert sleeps == [5.0, 5.0]
    assert lines == [
        "↺ ExtractText  cached  0.2s  reused from old",
        "▶ Preprocess (Processing)",
        "✔ Preprocess  succeeded  30.0s",
        "↺ IngestFeatures  cached  0.5s  reused from old",
        "▶ Train (Training)",
        "✘ Train  failed  90.0s",
        f"  reason: {reason}",
        f"  job: {train_job['TrainingJob']['Arn']}",
        "  logs: CloudWatch log group /aws/sagemaker/TrainingJobs, streams pipelines-abc-Train/*",
    ]
    assert result.result.status == "Failed"
    assert result.result.failure_reason == f"step Train failed: {reason}"
    assert [s.status for s in result.result.steps] == [
        "Cached",
        "Succeeded",
        "Cached",
        "Failed",
        "Skipped",
        "Skipped",
        "Skipped",
        "Skipped",
    ]
    assert runner.exit_code(result) == 1


# ----------------------------------------------------------------------------- retries


def test_throttled_calls_are_retried_by_the_client_factory_config(
    buckets, settings, compiled, endpoint, monkeypatch
):
    import botocore.retries.standard

    fresh = make_clients(settings, endpoint_url=endpoint)  # the hook below stays on it
    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda *a: 0)
    attempts: list[str] = []

    def throttle_six_times(request, **kwargs):
        attempts.append(request.url)
        if len(attempts) <= 6:  # more than botocore's default modes retry (2 or 4 times)
            body = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
            raw = type("Raw", (), {"stream": lambda self, **kw: iter([body])})()
            return AWSResponse(request.url, 400, {}, raw)
        return None

    fresh.sagemaker.meta.events.register(
        "before-send.sagemaker.DescribePipeline", throttle_six_times
    )

    upserted = upsert(compiled.definition, settings, fresh.sagemaker)

    assert upserted.action == "created"
    assert len(attempts) == 7
    for client in (fresh.s3, fresh.sagemaker):
        # botocore reads max_attempts=10 as 10 retries: 11 attempts in all
        assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 11}


# ----------------------------------------------------------------------------- describe


def test_describe_last_summarises_the_newest_execution(buckets, settings, compiled, steps_stub):
    upsert(compiled.definition, settings, buckets.sagemaker)
    start(compiled.definition, settings, {}, buckets.sagemaker)
    newest = start(compiled.definition, settings, {"MinAuc": "0.9"}, buckets.sagemaker)
    gate_failed = step(
        "FailModelQuality",
        "Failed",
        9,
        1,
        FailureReason="Model not registered: test AUC 0.61 must be >= MinAuc 0.9",
        Metadata={
            "Fail": {"ErrorMessage": "Model not registered: test AUC 0.61 must be >= MinAuc 0.9"}
        },
    )
    steps = succeeded_steps()[:4] + [
        step("CheckModelQuality", "Succeeded", 8, 1, Metadata={"Condition": {"Outcome": "False"}}),
        gate_failed,
    ]
    expect_steps(steps_stub, newest, [steps])

    described = describe_last(settings, steps_stub.split.sagemaker)

    assert described.arn == newest
    records = {s.name: (s.status, s.detail) for s in described.result.steps}
    assert records["CheckModelQuality"] == ("Succeeded", "outcome: false")
    assert records["Register"][0] == "Skipped"
    assert described.result.failure_reason.startswith("Model not registered: test AUC 0.61")


def test_cli_describe_prints_the_summary_with_results_from_s3(
    buckets, settings, compiled, steps_stub, cli_run
):
    upsert(compiled.definition, settings, buckets.sagemaker)
    older = start(compiled.definition, settings, {}, buckets.sagemaker)
    put_results(buckets.s3, settings, older.rsplit("/", 1)[-1], auc=0.7)
    arn = start(compiled.definition, settings, {}, buckets.sagemaker)
    put_results(buckets.s3, settings, arn.rsplit("/", 1)[-1])
    expect_steps(steps_stub, arn, [succeeded_steps()])

    code, out, err = cli_run(steps_stub.split, "--describe")

    assert (code, err) == (0, "")
    assert f"Execution {arn.rsplit('/', 1)[-1]}: Succeeded" in out
    assert "  Train                succeeded   300.0s" in out
    assert "  AUC 0.8000  (best achievable 0.9000; (AUC - 0.5) / (best - 0.5) = 0.750: " in out
    assert "Registered datathon-mlet03-match version 3 (PendingManualApproval)" in out
    assert f"model package arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/" in out
    artifacts = f"s3://{settings.artifacts_bucket}/{settings.pipeline_name}"
    # each execution's evaluation is its own: the newest shows its AUC, not the older one's
    assert f"  evaluation    {artifacts}/evaluation/{arn.rsplit('/', 1)[-1]}" in out
    assert f"  model         {artifacts}/training/pipelines-t1/output/model.tar.gz" in out


def test_results_written_after_the_execution_ended_are_not_shown(buckets, settings):
    put_results(buckets.s3, settings, "abc")
    base = f"s3://{settings.artifacts_bucket}/{settings.pipeline_name}/evaluation/abc"
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)

    fresh = aws_s3.S3ResultFiles(buckets.s3).read_json(base, "evaluation.json")
    stale = aws_s3.S3ResultFiles(buckets.s3, written_before=long_ago).read_json(
        base, "evaluation.json"
    )
    absent = aws_s3.S3ResultFiles(buckets.s3).read_json(base, "nothing.json")

    assert fresh["metrics"]["auc"] == 0.8
    assert (stale, absent) == (None, None)


def test_describe_without_executions_says_how_to_start_one(buckets, settings, compiled, cli_run):
    upsert(compiled.definition, settings, buckets.sagemaker)

    code, _, err = cli_run(buckets, "--describe")

    assert code == 2
    assert "has no executions yet: start one with `make pipeline-run TARGET=aws`" in one_error_line(
        err
    )


# ----------------------------------------------------------------------------- CLI end to end


def test_cli_syncs_data_upserts_starts_follows_and_summarises(
    buckets, settings, steps_stub, cli_run, tmp_path, monkeypatch
):
    folder = data_folder(tmp_path)

    def start_and_finish(*args, **kwargs) -> str:
        arn = start(*args, **kwargs)
        put_results(buckets.s3, settings, arn.rsplit("/", 1)[-1])
        return arn

    monkeypatch.setattr(runner, "start", start_and_finish)
    # The execution's ARN is known only once it starts: answer for whichever it is.
    steps_stub.add_response(
        "list_pipeline_execution_steps", {"PipelineExecutionSteps": succeeded_steps()}
    )

    code, out, err = cli_run(steps_stub.split, "--data", str(folder), "--param", "MinAuc=0.75")

    assert (code, err) == (0, "")
    steps_stub.assert_no_pending_responses()
    digest = LocalFolder.read(folder).digest
    data_uri = f"s3://{settings.raw_bucket}/snapshots/user-my-data/{digest}"
    assert f"Syncing {folder} -> {data_uri} (4 files" in out
    # the snapshot is also the definition's default: what the schedule runs next
    assert [s.input_data_url for s in cli_run.compiled_with] == [data_uri]
    assert "is not a data snapshot" not in out
    assert "Pipeline created: arn:aws:sagemaker" in out
    assert "✔ Register  succeeded  30.0s" in out
    assert "  CheckModelQuality    succeeded     1.0s  (outcome: true)" in out
    assert "Registered datathon-mlet03-match version 3" in out
    executions = buckets.sagemaker.list_pipeline_executions(PipelineName=settings.pipeline_name)
    [summary] = executions["PipelineExecutionSummaries"]
    parameters = buckets.sagemaker.list_pipeline_parameters_for_execution(
        PipelineExecutionArn=summary["PipelineExecutionArn"]
    )["PipelineParameters"]
    assert {p["Name"]: p["Value"] for p in parameters} == {
        "InputDataUrl": data_uri,
        "MinAuc": "0.75",
    }
    assert f"Started {summary['PipelineExecutionArn']}" in out
    written = json.loads((settings.build_dir / "pipeline-definition.json").read_text())
    assert written["Parameters"][0]["Name"] == "InputDataUrl"


def test_cli_upsert_only_uploads_code_and_updates_on_the_second_run(buckets, settings, cli_run):
    first = cli_run(buckets, "--upsert-only")
    second = cli_run(buckets, "--upsert-only")

    assert first[0] == second[0] == 0
    assert "Pipeline created" in first[1] and "Pipeline unchanged" in second[1]
    assert "object(s) uploaded, 0 already there" in first[1]
    assert (
        buckets.sagemaker.list_pipeline_executions(PipelineName=settings.pipeline_name)[
            "PipelineExecutionSummaries"
        ]
        == []
    )


def test_cli_no_follow_prints_the_arn_and_returns(buckets, settings, cli_run, tmp_path):
    folder = data_folder(tmp_path)
    snapshot = sync_snapshot(folder, settings.dataset_uri, buckets.s3, print)

    code, out, err = cli_run(buckets, "--no-follow")

    assert (code, err) == (0, "")
    # without --sync-data the definition runs the data set's latest snapshot
    assert [s.input_data_url for s in cli_run.compiled_with] == [snapshot.uri]
    [summary] = buckets.sagemaker.list_pipeline_executions(PipelineName=settings.pipeline_name)[
        "PipelineExecutionSummaries"
    ]
    assert f"Started {summary['PipelineExecutionArn']}" in out
    assert 'AWS_ARGS="--describe"' in out


def test_cli_refuses_to_start_on_missing_input_data(buckets, settings, cli_run):
    code, out, err = cli_run(buckets, "--no-follow")

    line = one_error_line(err)
    assert code == 2
    assert f"s3://{settings.raw_bucket}/decision lacks vagas.json, applicants.json" in line
    assert "--sync-data" in line
    assert "InputDataUrl s3://datathon-mlet03-raw/decision is not a data snapshot" in out


def test_cli_unknown_parameter_is_a_usage_error(buckets, cli_run):
    code, _, err = cli_run(buckets, "--param", "MinAUC=0.8")

    assert code == 2
    assert "unknown parameter(s) MinAUC; the pipeline has InputDataUrl" in one_error_line(err)


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--describe", "--param", "MinAuc=1"],
            "--describe starts nothing, so it takes no --param",
        ),
        (["--upsert-only", "--no-follow"], "--upsert-only starts no execution"),
        (["--no-cache"], "--no-cache is for --target local"),
        (["--sync-data", "--param", "InputDataUrl=s3://x/y"], "both name the data"),
    ],
)
def test_cli_options_that_do_not_fit_are_usage_errors(clients, cli_run, args, message):
    code, _, err = cli_run(clients, *args)

    assert code == 2
    assert message in one_error_line(err)


def test_aws_options_with_the_local_target_are_usage_errors(capsys):
    code = cli.main(["--target", "local", "--describe", "--upsert-only"])

    assert code == 2
    assert "--upsert-only, --describe only apply to --target aws" in one_error_line(
        capsys.readouterr().err
    )


# ----------------------------------------------------------------------------- errors


def test_missing_artifacts_bucket_is_one_line_and_exit_2(clients, settings, cli_run):
    code, out, err = cli_run(clients, "--upsert-only")

    assert code == 2
    line = one_error_line(err)
    assert line.startswith(f"error: bucket {settings.artifacts_bucket} does not exist")
    assert "MATCH_BUCKET_PREFIX" in line


def test_missing_raw_bucket_on_sync_is_one_line_and_exit_2(clients, settings, cli_run, tmp_path):
    code, _, err = cli_run(clients, "--sync-data", "--data", str(data_folder(tmp_path)))

    assert code == 2
    assert one_error_line(err).startswith(f"error: bucket {settings.raw_bucket} does not exist")


def test_a_refused_role_is_one_line_and_exit_2(buckets, settings, cli_run, stub_client):
    sagemaker = stub_client
    with Stubber(sagemaker) as stub:
        stub.add_client_error(
            "describe_pipeline", "ResourceNotFound", "Pipeline does not exist", 400
        )
        stub.add_client_error(
            "create_pipeline",
            "ValidationException",
            f"Role {ROLE} does not exist or is not assumable by SageMaker",
            400,
        )
        code, _, err = cli_run(AwsClients(buckets.s3, sagemaker), "--upsert-only")

    assert code == 2
    line = one_error_line(err)
    assert f"SageMaker refused the pipeline role {ROLE}" in line
    assert "set MATCH_ROLE_ARN" in line


def test_pass_role_denied_names_the_role_setting(settings):
    denied = ClientError(
        {
            "Error": {
                "Code": "AccessDeniedException",
                "Message": f"User: x is not authorized to perform: iam:PassRole on {ROLE}",
            }
        },
        "CreatePipeline",
    )

    assert "set MATCH_ROLE_ARN" in explain(denied, settings)
    assert "\n" not in explain(denied, settings)


def test_missing_credentials_are_one_line_and_exit_2(settings, monkeypatch, capsys, aws_env):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setattr(cli, "load_settings", lambda: settings)

    code = cli.main(["--target", "aws", "--describe"])

    assert code == 2
    assert "no AWS credentials found" in one_error_line(capsys.readouterr().err)
    assert "no usable AWS credentials" in explain(NoCredentialsError(), settings)


def test_an_unknown_region_is_one_line_and_exit_2(settings, monkeypatch, capsys, aws_env):
    elsewhere = settings.model_copy(update={"region": "us-middle-7"})
    monkeypatch.setattr(cli, "load_settings", lambda: elsewhere)

    code = cli.main(["--target", "aws", "--describe"])

    assert code == 2
    assert "MATCH_REGION='us-middle-7' is not a region" in one_error_line(capsys.readouterr().err)
    with pytest.raises(AwsSetupError):
        make_clients(elsewhere)


def test_a_missing_setting_is_reported_before_any_call(settings, monkeypatch, capsys):
    unset = settings.model_copy(update={"steps_image_uri": ""})
    monkeypatch.setattr(cli, "load_settings", lambda: unset)
    monkeypatch.setattr(runner, "make_clients", lambda _settings: pytest.fail("no client needed"))

    code = cli.main(["--target", "aws", "--upsert-only"])

    assert code == 2
    assert "MATCH_STEPS_IMAGE_URI is not set" in one_error_line(capsys.readouterr().err)


def test_ctrl_c_while_following_leaves_the_execution_running(
    buckets, settings, compiled, stub_client, monkeypatch
):
    monkeypatch.setattr(runner, "compile_pipeline", lambda _settings, _target: compiled)
    arn = EXECUTION
    with Stubber(stub_client) as stub:
        stub.add_client_error("describe_pipeline", "ResourceNotFound", "no such pipeline", 400)
        stub.add_response("create_pipeline", {"PipelineArn": arn.split("/execution")[0]})
        stub.add_response("start_pipeline_execution", {"PipelineExecutionArn": arn})
        stub.add_response(
            "describe_pipeline_definition_for_execution",
            {"PipelineDefinition": json.dumps(compiled.definition)},
        )
        stub.add_response("describe_pipeline_execution", execution("Executing", 1))
        expect_steps(stub, arn, [[step("Preprocess", "Executing")]])
        lines: list[str] = []

        def interrupt(seconds: float) -> None:
            raise KeyboardInterrupt

        code = runner.run_aws(
            runner.AwsRequest(),
            settings,
            AwsClients(buckets.s3, stub_client),
            lines.append,
            sleep=interrupt,
        )

    assert code == 130
    assert "▶ Preprocess (Processing)" in lines
    assert lines[-1].startswith("\nStopped following; the execution goes on.")
