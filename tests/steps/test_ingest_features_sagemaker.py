"""The ingestion step with ``--backend sagemaker``: moto's control plane, a stubbed runtime.

The step's client factory (``sagemaker_feature_store``) is replaced by one that builds the
store on a moto server's ``sagemaker`` client and a Stubber'd runtime client, so the step
itself (arguments, report, exit codes) runs unchanged.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from botocore.stub import Stubber

from featurestore.sagemaker import SageMakerFeatureStore
from steps import ingest_features
from tests.featurestore.test_sagemaker_store import (
    moto_answers_not_found,
    moto_sagemaker_client,
    put_params,
    reset_moto,
    runtime_client,
    start_moto,
    use_fake_aws,
)

PREFIX = "datathon-mlet03-match"
OFFLINE = "s3://datathon-mlet03-curated/feature-store-offline"
ROLE = "arn:aws:iam::123456789012:role/pipeline"
ENV_REGION = "sa-east-1"
EVENT = "2024-05-01T10:00:00Z"


@pytest.fixture(scope="module")
def moto_endpoint():
    server, endpoint = start_moto()
    yield endpoint
    server.stop()


@pytest.fixture
def profiles_dir(tmp_path):
    folder = tmp_path / "profiles"
    folder.mkdir()
    jobs = pd.DataFrame(
        {
            "job_code": ["J1", "J2", "J3"],
            "title": ["analista", "", "gerente"],
            "skill_count": pd.array([2, None, 5], dtype="Int64"),
            "event_time": [EVENT] * 3,
        }
    )
    applicants = pd.DataFrame(
        {
            "applicant_code": ["A1", "A2"],
            "title": ["dev", "dba"],
            "cv_chars": pd.array([1200, 0], dtype="Int64"),
            "event_time": [EVENT, "1970-01-01T00:00:00Z"],
        }
    )
    jobs.to_parquet(folder / "jobs.parquet", index=False)
    applicants.to_parquet(folder / "applicants.parquet", index=False)
    return folder


def expected_puts() -> list[dict]:
    jobs, applicants = f"{PREFIX}-jobs", f"{PREFIX}-applicants"
    return [
        put_params(jobs, job_code="J1", title="analista", skill_count="2", event_time=EVENT),
        put_params(jobs, job_code="J2", title="", event_time=EVENT),
        put_params(jobs, job_code="J3", title="gerente", skill_count="5", event_time=EVENT),
        put_params(applicants, applicant_code="A1", title="dev", cv_chars="1200", event_time=EVENT),
        put_params(
            applicants,
            applicant_code="A2",
            title="dba",
            cv_chars="0",
            event_time="1970-01-01T00:00:00Z",
        ),
    ]


class Aws:
    """The fakes behind the step: moto control plane, stubbed runtime, recorded calls."""

    def __init__(self, endpoint: str) -> None:
        self.calls: list = []
        self.control = moto_sagemaker_client(endpoint, self.calls)
        self.runtime = runtime_client()
        self.stubber = Stubber(self.runtime)
        self.factory_args: list[tuple] = []
        self.sleeps: list[float] = []

    def factory(self, offline_store_uri: str, role_arn: str, region: str | None):
        self.factory_args.append((offline_store_uri, role_arn, region))
        return SageMakerFeatureStore(
            self.control,
            self.runtime,
            offline_store_uri,
            role_arn,
            max_workers=1,  # the Stubber answers in order
            sleep=self.sleeps.append,
        )

    def operations(self) -> list[str]:
        return [operation for operation, _ in self.calls]


@pytest.fixture
def aws(moto_endpoint, monkeypatch, tmp_path):
    use_fake_aws(monkeypatch, tmp_path, region=ENV_REGION)
    moto_answers_not_found(monkeypatch)
    reset_moto(moto_endpoint)
    fakes = Aws(moto_endpoint)
    monkeypatch.setattr(ingest_features, "sagemaker_feature_store", fakes.factory)
    with fakes.stubber:
        yield fakes
        fakes.stubber.assert_no_pending_responses()


def run_step(profiles_dir, report_dir, *extra: str) -> int:
    return ingest_features.main(
        [
            "--profiles-dir",
            str(profiles_dir),
            "--report-dir",
            str(report_dir),
            "--group-prefix",
            PREFIX,
            *extra,
        ]
    )


AWS_ARGS = ("--backend", "sagemaker", "--offline-store-uri", OFFLINE, "--role-arn", ROLE)


def read_report(report_dir) -> dict:
    return json.loads((report_dir / "ingestion_report.json").read_text())


def test_step_ingests_both_groups_into_sagemaker(aws, profiles_dir, tmp_path, capsys):
    for params in expected_puts():
        aws.stubber.add_response("put_record", {}, params)
    assert run_step(profiles_dir, tmp_path / "report", *AWS_ARGS) == 0

    assert aws.factory_args == [(OFFLINE, ROLE, ENV_REGION)]
    report = read_report(tmp_path / "report")
    assert report["backend"] == "sagemaker"
    assert [(g["group"], g["received"], g["written"], g["failed"]) for g in report["groups"]] == [
        (f"{PREFIX}-jobs", 3, 3, 0),
        (f"{PREFIX}-applicants", 2, 2, 0),
    ]
    for kind, record_id in (("jobs", "job_code"), ("applicants", "applicant_code")):
        group = aws.control.describe_feature_group(FeatureGroupName=f"{PREFIX}-{kind}")
        assert group["RecordIdentifierFeatureName"] == record_id
        assert group["OfflineStoreConfig"]["S3StorageConfig"]["S3Uri"] == OFFLINE
        assert group["RoleArn"] == ROLE
    assert f"{PREFIX}-jobs: 3 received, 3 written, 0 unchanged, 0 failed" in capsys.readouterr().out


def test_a_second_run_reuses_the_groups(aws, profiles_dir, tmp_path):
    for params in expected_puts() * 2:
        aws.stubber.add_response("put_record", {}, params)
    assert run_step(profiles_dir, tmp_path / "first", *AWS_ARGS) == 0
    assert aws.operations().count("CreateFeatureGroup") == 2
    aws.calls.clear()
    assert run_step(profiles_dir, tmp_path / "second", *AWS_ARGS) == 0
    assert aws.operations() == ["DescribeFeatureGroup", "DescribeFeatureGroup"]
    assert read_report(tmp_path / "second") == read_report(tmp_path / "first")


@pytest.mark.parametrize(("share", "code"), [("0.01", 5), ("0.25", 0)])
def test_records_that_stay_throttled_decide_the_exit_code(
    aws, profiles_dir, tmp_path, capsys, share, code
):
    puts = expected_puts()
    aws.stubber.add_response("put_record", {}, puts[0])
    for _ in range(3):  # every attempt at J2 is throttled
        aws.stubber.add_client_error(
            "put_record", service_error_code="ThrottlingException", http_status_code=400
        )
    for params in puts[2:]:
        aws.stubber.add_response("put_record", {}, params)

    args = (*AWS_ARGS, "--max-failed-share", share)
    assert run_step(profiles_dir, tmp_path / "report", *args) == code

    jobs = read_report(tmp_path / "report")["groups"][0]
    assert (jobs["received"], jobs["written"], jobs["failed"]) == (3, 2, 1)
    assert jobs["failures"] == [
        {
            "record_id": "J2",
            "reason": "PutRecord failed after 3 attempt(s): ThrottlingException (HTTP 400)",
        }
    ]
    assert aws.sleeps == [0.5, 1.0]
    stderr = capsys.readouterr().err
    assert ("1 of 5 records failed ingestion" in stderr) == (code == 5)


@pytest.mark.parametrize(
    ("drop", "message"),
    [
        ({"--role-arn"}, "ERROR: --backend sagemaker needs --role-arn"),
        ({"--offline-store-uri"}, "ERROR: --backend sagemaker needs --offline-store-uri"),
        (
            {"--role-arn", "--offline-store-uri"},
            "ERROR: --backend sagemaker needs --offline-store-uri and --role-arn",
        ),
    ],
)
def test_sagemaker_backend_needs_its_role_and_offline_store(
    aws, profiles_dir, tmp_path, capsys, drop, message
):
    given = dict(zip(AWS_ARGS[::2], AWS_ARGS[1::2], strict=True))
    args = [item for flag, value in given.items() if flag not in drop for item in (flag, value)]
    assert run_step(profiles_dir, tmp_path / "report", *args) == ingest_features.EXIT_BAD_INPUT
    assert capsys.readouterr().err == message + "\n"
    assert aws.factory_args == []
    assert not (tmp_path / "report").exists()


def test_offline_store_uri_must_be_on_s3(aws, profiles_dir, tmp_path, capsys):
    args = ("--backend", "sagemaker", "--offline-store-uri", "/data/offline", "--role-arn", ROLE)
    assert run_step(profiles_dir, tmp_path / "report", *args) == ingest_features.EXIT_BAD_INPUT
    assert capsys.readouterr().err.count("\n") == 1
    assert aws.factory_args == []


def test_a_store_that_cannot_be_reached_is_one_line_and_exit_3(
    profiles_dir, tmp_path, monkeypatch, capsys
):
    use_fake_aws(monkeypatch, tmp_path, region=None)  # the real factory, with no region
    assert run_step(profiles_dir, tmp_path / "report", *AWS_ARGS) == 3
    stderr = capsys.readouterr().err
    assert stderr.startswith("ERROR: cannot create the SageMaker Feature Store clients")
    assert stderr.count("\n") == 1


def test_region_comes_from_the_flag_then_the_environment(monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert ingest_features.parse_args([]).region == "eu-west-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-2")
    assert ingest_features.parse_args([]).region == "us-east-2"
    assert ingest_features.parse_args(["--region", "ap-south-1"]).region == "ap-south-1"


def test_both_backends_report_the_same_first_ingest(aws, profiles_dir, tmp_path):
    for params in expected_puts():
        aws.stubber.add_response("put_record", {}, params)
    assert run_step(profiles_dir, tmp_path / "aws", *AWS_ARGS) == 0
    store = ("--store-in", str(tmp_path / "none"), "--store-out", str(tmp_path / "store"))
    assert run_step(profiles_dir, tmp_path / "local", "--backend", "local", *store) == 0
    aws_report, local_report = read_report(tmp_path / "aws"), read_report(tmp_path / "local")
    assert (aws_report.pop("backend"), local_report.pop("backend")) == ("sagemaker", "local")
    assert aws_report == local_report
