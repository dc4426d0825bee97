"""SageMaker Feature Store backend against moto (control plane) and botocore's Stubber (runtime).

moto 5.2.5 serves CreateFeatureGroup/DescribeFeatureGroup (here over real HTTP, in server
mode) but not the Feature Store runtime (PutRecord, BatchGetRecord): those go through a
Stubber on a real ``sagemaker-featurestore-runtime`` client. moto answers DescribeFeatureGroup
for a missing group with a 500 (a KeyError inside it) where AWS answers ResourceNotFound;
``moto_not_found`` makes the fake answer as AWS does. moto creates groups ``Created`` at
once and keeps neither OnlineStoreConfig nor Description: the waiting paths use a Stubber on
the ``sagemaker`` client, and what was sent is read from the calls the client made.
"""

from __future__ import annotations

import copy
import threading
import urllib.request
from datetime import UTC, datetime

import boto3
import pandas as pd
import pytest
from botocore.config import Config
from botocore.stub import Stubber
from moto.sagemaker.exceptions import ResourceNotFound
from moto.sagemaker.models import SageMakerModelBackend
from moto.server import ThreadedMotoServer

from featurestore.online import OnlineStoreError
from featurestore.sagemaker import (
    FeatureStoreError,
    SageMakerFeatureStore,
    sagemaker_event_time,
    sagemaker_feature_store,
)
from featurestore.spec import FeatureGroupError, FeatureGroupSpec, spec_from_frame

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/feature-store"
OFFLINE = "s3://datathon-mlet03-curated/feature-store-offline"
JOBS = "match-jobs"


# --- fakes shared with the step's tests ------------------------------------------------------


def use_fake_aws(monkeypatch: pytest.MonkeyPatch, tmp_path, region: str | None = REGION) -> None:
    """Fake credentials and no AWS config files, so nothing real can be reached or read."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    if region is None:
        monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    else:
        monkeypatch.setenv("AWS_DEFAULT_REGION", region)


def moto_answers_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """DescribeFeatureGroup of a missing group: ResourceNotFound, as AWS answers."""
    original = SageMakerModelBackend.describe_feature_group

    def describe(self, feature_group_name: str):
        try:
            return original(self, feature_group_name)
        except KeyError:
            raise ResourceNotFound(
                f"Resource Not Found: FeatureGroup {feature_group_name} not found"
            ) from None

    monkeypatch.setattr(SageMakerModelBackend, "describe_feature_group", describe)


def start_moto() -> tuple[ThreadedMotoServer, str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def reset_moto(endpoint: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))


def moto_sagemaker_client(endpoint: str, calls: list | None = None):
    """A ``sagemaker`` client of the moto server; appends (operation, params) to ``calls``."""
    client = boto3.client(
        "sagemaker",
        region_name=REGION,
        endpoint_url=endpoint,
        config=Config(retries={"mode": "standard", "max_attempts": 2}),
    )
    if calls is not None:

        def record(params, model, **_):
            calls.append((model.name, copy.deepcopy(params)))

        client.meta.events.register("provide-client-params.sagemaker", record)
    return client


def runtime_client():
    return boto3.client("sagemaker-featurestore-runtime", region_name=REGION)


def put_params(group: str, **values: str) -> dict:
    return {
        "FeatureGroupName": group,
        "Record": [{"FeatureName": k, "ValueAsString": v} for k, v in values.items()],
    }


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_endpoint():
    server, endpoint = start_moto()
    yield endpoint
    server.stop()


@pytest.fixture
def calls():
    return []


@pytest.fixture
def control(moto_endpoint, monkeypatch, tmp_path, calls):
    """The moto-backed ``sagemaker`` client, on a clean moto."""
    use_fake_aws(monkeypatch, tmp_path)
    moto_answers_not_found(monkeypatch)
    reset_moto(moto_endpoint)
    client = moto_sagemaker_client(moto_endpoint, calls)
    yield client
    client.close()


@pytest.fixture
def runtime(monkeypatch, tmp_path):
    """A stubbed runtime client: (client, stubber); every stubbed response must be used."""
    use_fake_aws(monkeypatch, tmp_path)
    client = runtime_client()
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def store(control, runtime, sleeps):
    return SageMakerFeatureStore(
        control, runtime[0], OFFLINE, ROLE, max_workers=1, sleep=sleeps.append
    )


def job_spec(**features: str) -> FeatureGroupSpec:
    base = {"job_code": "String", "event_time": "String", "title": "String"}
    return FeatureGroupSpec(JOBS, "job_code", "event_time", {**base, **features})


# --- ensure_group against moto ---------------------------------------------------------------


def test_ensure_group_creates_the_group_as_specified(store, control, calls):
    spec = job_spec(skill_count="Integral", weight="Fractional")
    store.ensure_group(spec)

    described = control.describe_feature_group(FeatureGroupName=JOBS)
    assert described["FeatureGroupStatus"] == "Created"
    assert described["RecordIdentifierFeatureName"] == "job_code"
    assert described["EventTimeFeatureName"] == "event_time"
    assert described["FeatureDefinitions"] == [
        {"FeatureName": "job_code", "FeatureType": "String"},
        {"FeatureName": "event_time", "FeatureType": "String"},
        {"FeatureName": "title", "FeatureType": "String"},
        {"FeatureName": "skill_count", "FeatureType": "Integral"},
        {"FeatureName": "weight", "FeatureType": "Fractional"},
    ]
    assert described["OfflineStoreConfig"]["S3StorageConfig"]["S3Uri"] == OFFLINE
    assert described["OfflineStoreConfig"]["DisableGlueTableCreation"] is False
    assert described["RoleArn"] == ROLE
    # moto keeps neither of these: read them from the request.
    (create,) = [params for operation, params in calls if operation == "CreateFeatureGroup"]
    assert create["OnlineStoreConfig"] == {"EnableOnlineStore": True}
    assert "job_code" in create["Description"]


def test_ensure_group_reuses_an_identical_group(store, control, runtime, calls, sleeps):
    store.ensure_group(job_spec(skill_count="Integral"))
    calls.clear()
    # Another run, with the features in another order: the same definition.
    again = SageMakerFeatureStore(control, runtime[0], OFFLINE, ROLE, sleep=sleeps.append)
    reordered = {"skill_count": "Integral", "title": "String"}
    again.ensure_group(job_spec(**reordered))
    assert [operation for operation, _ in calls] == ["DescribeFeatureGroup"]
    assert sleeps == []


@pytest.mark.parametrize(
    "other",
    [
        job_spec(skill_count="Fractional"),  # another type
        job_spec(skill_count="Integral", weight="Fractional"),  # one feature more
        job_spec(),  # one feature less
        FeatureGroupSpec(  # another record id
            JOBS, "title", "event_time", job_spec(skill_count="Integral").features
        ),
    ],
)
def test_ensure_group_refuses_a_group_with_another_definition(store, calls, other):
    store.ensure_group(job_spec(skill_count="Integral"))
    calls.clear()
    with pytest.raises(FeatureGroupError, match="exists with another definition; give the new"):
        store.ensure_group(other)
    assert "CreateFeatureGroup" not in [operation for operation, _ in calls]


# --- ensure_group: waiting, with a Stubber on the sagemaker client ---------------------------


def described(spec: FeatureGroupSpec, status: str, **extra) -> dict:
    return {
        "FeatureGroupArn": f"arn:aws:sagemaker:{REGION}:123456789012:feature-group/{spec.name}",
        "FeatureGroupName": spec.name,
        "RecordIdentifierFeatureName": spec.record_id,
        "EventTimeFeatureName": spec.event_time,
        "FeatureDefinitions": [
            {"FeatureName": n, "FeatureType": t} for n, t in spec.features.items()
        ],
        "CreationTime": datetime(2026, 1, 1, tzinfo=UTC),
        "FeatureGroupStatus": status,
        "NextToken": "",
        **extra,
    }


@pytest.fixture
def stubbed_control(runtime):
    client = boto3.client("sagemaker", region_name=REGION)
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def waiting_store(stubbed_control, runtime, sleeps, **options) -> SageMakerFeatureStore:
    return SageMakerFeatureStore(
        stubbed_control[0], runtime[0], OFFLINE, ROLE, sleep=sleeps.append, **options
    )


def add_describe(stubber: Stubber, response: dict) -> None:
    stubber.add_response("describe_feature_group", response, {"FeatureGroupName": JOBS})


def add_not_found(stubber: Stubber) -> None:
    stubber.add_client_error(
        "describe_feature_group", service_error_code="ResourceNotFound", http_status_code=400
    )


def test_ensure_group_waits_for_a_new_group_until_created(stubbed_control, runtime, sleeps):
    spec = job_spec(skill_count="Integral")
    store = waiting_store(stubbed_control, runtime, sleeps, poll_seconds=2, wait_seconds=60)
    stubber = stubbed_control[1]
    add_not_found(stubber)
    stubber.add_response("create_feature_group", {"FeatureGroupArn": "arn"})
    for status in ("Creating", "Creating", "Creating", "Created"):
        add_describe(stubber, described(spec, status))
    store.ensure_group(spec)
    assert sleeps == [2, 2, 2]


def test_ensure_group_waits_for_an_existing_group_still_creating(stubbed_control, runtime, sleeps):
    spec = job_spec()
    store = waiting_store(stubbed_control, runtime, sleeps, poll_seconds=1)
    add_describe(stubbed_control[1], described(spec, "Creating"))
    add_describe(stubbed_control[1], described(spec, "Created"))
    store.ensure_group(spec)  # no create call: the Stubber would refuse it
    assert sleeps == [1]


def test_ensure_group_reports_why_creation_failed(stubbed_control, runtime, sleeps):
    spec = job_spec()
    store = waiting_store(stubbed_control, runtime, sleeps, poll_seconds=1)
    stubber = stubbed_control[1]
    add_not_found(stubber)
    stubber.add_response("create_feature_group", {"FeatureGroupArn": "arn"})
    add_describe(stubber, described(spec, "Creating"))
    reason = "Access denied to\ns3://datathon-mlet03-curated"
    add_describe(stubber, described(spec, "CreateFailed", FailureReason=reason))
    with pytest.raises(FeatureStoreError) as info:
        store.ensure_group(spec)
    message = str(info.value)
    assert message == (
        f"feature group {JOBS} could not be created: Access denied to "
        "s3://datathon-mlet03-curated; delete it before creating it again"
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("CreateFailed", "could not be created: no reason given"),
        ("Deleting", "is being deleted"),
        ("DeleteFailed", "is DeleteFailed: no reason given"),
    ],
)
def test_an_existing_group_in_no_state_to_write_is_refused(
    stubbed_control, runtime, sleeps, status, expected
):
    store = waiting_store(stubbed_control, runtime, sleeps)
    add_describe(stubbed_control[1], described(job_spec(), status))
    with pytest.raises(FeatureStoreError, match=expected):
        store.ensure_group(job_spec())
    assert sleeps == []


def test_ensure_group_gives_up_after_wait_seconds(stubbed_control, runtime, sleeps):
    spec = job_spec()
    store = waiting_store(stubbed_control, runtime, sleeps, poll_seconds=5, wait_seconds=15)
    for _ in range(4):  # the first look and three polls
        add_describe(stubbed_control[1], described(spec, "Creating"))
    with pytest.raises(FeatureStoreError, match="still Creating after 15 s; run the step again"):
        store.ensure_group(spec)
    assert sleeps == [5, 5, 5]


def test_a_group_created_meanwhile_by_another_run_is_checked(stubbed_control, runtime, sleeps):
    spec = job_spec()
    store = waiting_store(stubbed_control, runtime, sleeps)
    stubber = stubbed_control[1]
    add_not_found(stubber)
    stubber.add_client_error("create_feature_group", service_error_code="ResourceInUse")
    add_describe(stubber, described(job_spec(skill_count="Integral"), "Created"))
    with pytest.raises(FeatureGroupError, match="exists with another definition"):
        store.ensure_group(spec)


@pytest.mark.parametrize("refused", ["describe_feature_group", "create_feature_group"])
def test_a_refused_control_plane_call_is_a_one_line_store_error(
    stubbed_control, runtime, sleeps, refused
):
    store = waiting_store(stubbed_control, runtime, sleeps)
    stubber = stubbed_control[1]
    if refused == "create_feature_group":
        add_not_found(stubber)
    stubber.add_client_error(
        refused,
        service_error_code="AccessDeniedException",
        service_message="not authorized to perform\nsagemaker:SomeAction",
    )
    action = refused.split("_")[0].replace("describe", "describing").replace("create", "creating")
    with pytest.raises(FeatureStoreError) as info:
        store.ensure_group(job_spec())
    message = str(info.value)
    assert message.startswith(f"{action} feature group {JOBS} failed: An error occurred (Access")
    assert "\n" not in message and "not authorized to perform sagemaker:SomeAction" in message


def test_feature_definitions_are_read_page_by_page(stubbed_control, runtime, sleeps):
    spec = job_spec(skill_count="Integral", weight="Fractional")
    store = waiting_store(stubbed_control, runtime, sleeps)
    full = described(spec, "Created")
    first = {**full, "FeatureDefinitions": full["FeatureDefinitions"][:3], "NextToken": "page-2"}
    rest = {**full, "FeatureDefinitions": full["FeatureDefinitions"][3:]}
    stubber = stubbed_control[1]
    add_describe(stubber, first)
    stubber.add_response(
        "describe_feature_group", rest, {"FeatureGroupName": JOBS, "NextToken": "page-2"}
    )
    store.ensure_group(spec)


# --- ingest ----------------------------------------------------------------------------------


def profiles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "job_code": ["J1", "J2", "J3"],
            "event_time": [
                "2024-03-01T12:00:00.123456Z",
                "2024-03-02T09:30:00+02:00",
                "2024-03-03 08:00:00",
            ],
            "title": ["analista", None, "gerente de projetos"],
            "skill_count": pd.array([3, None, 0], dtype="Int64"),
            "weight": [0.1, float("nan"), 2.5e-7],
            "remote": [True, False, True],
            "budget": [2**40, 7, -1],
        }
    )


def test_ingest_puts_each_record_as_sagemaker_wants_it(store, runtime):
    frame = profiles()
    spec = spec_from_frame(JOBS, frame, "job_code")
    store.ensure_group(spec)
    expected = [
        put_params(
            JOBS,
            job_code="J1",
            event_time="2024-03-01T12:00:00.123Z",
            title="analista",
            skill_count="3",
            weight="0.1",
            remote="1",
            budget="1099511627776",
        ),
        # null title, skill_count and weight are left out
        put_params(JOBS, job_code="J2", event_time="2024-03-02T07:30:00Z", remote="0", budget="7"),
        put_params(
            JOBS,
            job_code="J3",
            event_time="2024-03-03T08:00:00Z",
            title="gerente de projetos",
            skill_count="0",
            weight="2.5e-07",
            remote="1",
            budget="-1",
        ),
    ]
    for params in expected:
        runtime[1].add_response("put_record", {}, params)
    report = store.ingest(spec, frame)
    assert report.as_dict() == {
        "group": JOBS,
        "received": 3,
        "written": 3,
        "unchanged": 0,
        "failed": 0,
        "failures": [],
    }


def test_ingest_refuses_records_it_cannot_write_without_a_call(store, runtime):
    frame = pd.DataFrame(
        {
            "job_code": ["", None, "J3", "J4", "J5", "J6"],
            "event_time": ["2024-01-01T00:00:00Z"] * 2 + ["yesterday", None] + ["2024-01-01"] * 2,
            "title": ["a"] * 6,
            "skill_count": [1.0, 2.0, 3.0, 4.0, 2.5, 6.0],
            "weight": [0.5, 0.5, 0.5, 0.5, 0.5, float("inf")],
        }
    )
    spec = spec_from_frame(JOBS, frame, "job_code", declared={"skill_count": "integral"})
    store.ensure_group(spec)
    report = store.ingest(spec, frame)  # no put_record stubbed: any call would fail the record
    assert report.received == 6
    assert report.written == 0
    assert report.failed == [
        {"record_id": "", "reason": "empty record id"},
        {"record_id": None, "reason": "empty record id"},
        {"record_id": "J3", "reason": "event_time 'yesterday' is not ISO-8601"},
        {"record_id": "J4", "reason": "event_time None is not ISO-8601"},
        {"record_id": "J5", "reason": "feature 'skill_count' is not a finite Integral value"},
        {"record_id": "J6", "reason": "feature 'weight' is not a finite Fractional value"},
    ]
    assert "2.5" not in str(report.failed) and "inf" not in str(report.failed)


def test_ingest_refuses_a_frame_that_lacks_features(store):
    spec = job_spec(skill_count="Integral")
    frame = pd.DataFrame({"job_code": ["J1"], "event_time": ["2024-01-01"], "title": ["a"]})
    with pytest.raises(FeatureGroupError, match=r"records lack features \['skill_count'\]"):
        store.ingest(spec, frame)


def one_job() -> tuple[FeatureGroupSpec, pd.DataFrame, dict]:
    frame = pd.DataFrame({"job_code": ["J1"], "event_time": ["2024-01-01T00:00:00Z"]})
    spec = spec_from_frame(JOBS, frame, "job_code")
    return spec, frame, put_params(JOBS, job_code="J1", event_time="2024-01-01T00:00:00Z")


def add_put_error(stubber: Stubber, code: str, status: int) -> None:
    stubber.add_client_error(
        "put_record",
        service_error_code=code,
        service_message="J1 rejected",
        http_status_code=status,
    )


def test_a_throttled_put_is_retried_with_backoff(store, runtime, sleeps):
    spec, frame, params = one_job()
    add_put_error(runtime[1], "ThrottlingException", 400)
    add_put_error(runtime[1], "InternalFailure", 500)
    runtime[1].add_response("put_record", {}, params)
    report = store.ingest(spec, frame)
    assert (report.written, report.failed) == (1, [])
    assert sleeps == [0.5, 1.0]


def test_a_record_throttled_at_every_attempt_is_reported_failed(store, runtime, sleeps):
    spec, frame, _ = one_job()
    for _ in range(3):
        add_put_error(runtime[1], "ThrottlingException", 400)
    report = store.ingest(spec, frame)
    assert report.written == 0
    assert report.failed == [
        {
            "record_id": "J1",
            "reason": "PutRecord failed after 3 attempt(s): ThrottlingException (HTTP 400)",
        }
    ]
    assert sleeps == [0.5, 1.0]


def test_a_rejected_record_is_not_retried(store, runtime, sleeps):
    spec, frame, _ = one_job()
    add_put_error(runtime[1], "ValidationError", 400)
    report = store.ingest(spec, frame)
    assert report.failed == [
        {
            "record_id": "J1",
            "reason": "PutRecord failed after 1 attempt(s): ValidationError (HTTP 400)",
        }
    ]
    assert sleeps == []


class ConcurrentRuntime:
    """A runtime client whose PutRecord waits until ``parties`` calls are in flight together."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=5)
        self.lock = threading.Lock()
        self.in_flight = self.peak = 0
        self.written: list[str] = []

    def put_record(self, FeatureGroupName: str, Record: list[dict]) -> dict:  # noqa: N803
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        self.barrier.wait()
        with self.lock:
            self.in_flight -= 1
            self.written.append(Record[0]["ValueAsString"])
        return {}


def test_ingest_puts_records_concurrently_up_to_max_workers(control):
    frame = pd.DataFrame(
        {"job_code": [f"J{i}" for i in range(12)], "event_time": ["2024-01-01T00:00:00Z"] * 12}
    )
    spec = spec_from_frame(JOBS, frame, "job_code")
    fake = ConcurrentRuntime(parties=4)
    store = SageMakerFeatureStore(control, fake, OFFLINE, ROLE, max_workers=4)
    store.ensure_group(spec)
    report = store.ingest(spec, frame)
    assert (report.written, report.failed) == (12, [])
    assert sorted(fake.written) == sorted(frame["job_code"])
    assert fake.peak == 4


# --- get_records -----------------------------------------------------------------------------


def batch_get(group: str, ids: list[str], records: list[dict]) -> tuple[dict, dict]:
    response = {
        "Records": [
            {
                "FeatureGroupName": group,
                "RecordIdentifierValueAsString": record["job_code"],
                "Record": [{"FeatureName": k, "ValueAsString": v} for k, v in record.items()],
            }
            for record in records
        ],
        "Errors": [],
        "UnprocessedIdentifiers": [],
    }
    params = {"Identifiers": [{"FeatureGroupName": group, "RecordIdentifiersValueAsString": ids}]}
    return response, params


@pytest.mark.parametrize("ensured", [True, False], ids=["after-ensure", "described"])
def test_get_records_types_values_from_the_group_definition(
    store, control, runtime, calls, ensured
):
    spec = job_spec(skill_count="Integral", weight="Fractional")
    if ensured:
        store.ensure_group(spec)
    else:  # created by another run: this store learns the types from describe
        SageMakerFeatureStore(control, runtime[0], OFFLINE, ROLE).ensure_group(spec)
    calls.clear()
    record = {"job_code": "J1", "event_time": "2024-01-01T00:00:00Z", "skill_count": "7"}
    runtime[1].add_response("batch_get_record", *batch_get(JOBS, ["J1", "J9"], [record]))
    found = store.get_records(JOBS, iter(["J1", "J9"]))
    assert found == {
        "J1": {
            "job_code": "J1",
            "event_time": "2024-01-01T00:00:00Z",
            "title": None,
            "skill_count": 7,
            "weight": None,
        }
    }
    assert [operation for operation, _ in calls] == ([] if ensured else ["DescribeFeatureGroup"])


def test_get_records_of_a_missing_group_is_an_error(store):
    with pytest.raises(FeatureStoreError, match="feature group nowhere does not exist"):
        store.get_records("nowhere", ["J1"])


def test_get_records_passes_lookup_errors_on(store, runtime):
    store.ensure_group(job_spec())
    runtime[1].add_client_error("batch_get_record", service_error_code="AccessForbidden")
    with pytest.raises(OnlineStoreError, match="AccessForbidden"):
        store.get_records(JOBS, ["J1"])


# --- helpers and the factory -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-03-01T12:00:00Z", "2024-03-01T12:00:00Z"),
        ("2024-03-01T12:00:00", "2024-03-01T12:00:00Z"),
        ("2024-03-01T09:00:00-03:00", "2024-03-01T12:00:00Z"),
        ("2024-03-01T12:00:00.5+00:00", "2024-03-01T12:00:00.500Z"),
        ("2024-03-01", "2024-03-01T00:00:00Z"),
    ],
)
def test_event_times_are_iso_utc_with_z(given, expected):
    assert sagemaker_event_time(given) == expected


def test_factory_builds_retrying_clients_in_the_region(monkeypatch, tmp_path):
    use_fake_aws(monkeypatch, tmp_path, region=None)
    store = sagemaker_feature_store(OFFLINE, ROLE, "sa-east-1", max_workers=16)
    for client, service in (
        (store._sagemaker, "sagemaker"),
        (store._runtime, "sagemaker-featurestore-runtime"),
    ):
        assert client.meta.service_model.service_name == service
        assert client.meta.region_name == "sa-east-1"
        # botocore counts max_attempts as retries: 8 of them after the first call
        assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 9}
        assert client.meta.config.max_pool_connections == 16
    assert (store.offline_store_uri, store.role_arn) == (OFFLINE, ROLE)
    store.close()


def test_factory_without_a_region_says_so(monkeypatch, tmp_path):
    use_fake_aws(monkeypatch, tmp_path, region=None)
    with pytest.raises(FeatureStoreError, match="set AWS_DEFAULT_REGION"):
        sagemaker_feature_store(OFFLINE, ROLE)


def test_offline_store_must_be_on_s3():
    with pytest.raises(ValueError, match="s3://"):
        SageMakerFeatureStore(None, None, "/tmp/offline", ROLE)
