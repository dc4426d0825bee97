import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pandas as pd
import pytest
from botocore.stub import Stubber

from featurestore.local import LocalFeatureStore
from featurestore.online import (
    OnlineStoreError,
    SageMakerOnlineStore,
    SqliteOnlineStore,
    open_online_store,
)
from featurestore.spec import spec_from_frame

JOBS, APPLICANTS = "match-jobs", "match-applicants"
REPO = Path(__file__).resolve().parents[2]


# --- SQLite --------------------------------------------------------------------------------


def job_frame(count: int = 3, event_time: str = "2024-01-01T00:00:00Z") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "job_code": [f"J{i}" for i in range(count)],
            "event_time": [event_time] * count,
            "title": [f"analista {i}" for i in range(count)],
            "skill_count": [i for i in range(count)],
            "level_rank": pd.array([None] + list(range(1, count)), dtype="Int64"),
        }
    )


def applicant_frame(count: int = 3, event_time: str = "2024-01-01T00:00:00Z") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "applicant_code": [f"A{i}" for i in range(count)],
            "event_time": [event_time] * count,
            "skills": ["python;sql"] * count,
            "cv_chars": [100 * i for i in range(count)],
            "score": [i / 4 for i in range(count)],
        }
    )


def ingest(store: LocalFeatureStore, group: str, frame: pd.DataFrame, record_id: str) -> None:
    spec = spec_from_frame(group, frame, record_id)
    store.ensure_group(spec)
    report = store.ingest(spec, frame)
    assert not report.failed


@pytest.fixture
def local_store(tmp_path: Path):
    store = LocalFeatureStore(tmp_path / "store")
    ingest(store, JOBS, job_frame(), "job_code")
    ingest(store, APPLICANTS, applicant_frame(), "applicant_code")
    yield store
    store.close()


@pytest.fixture
def online_path(local_store: LocalFeatureStore) -> Path:
    return local_store.root / "online-store.sqlite"


@pytest.fixture
def online(online_path: Path):
    store = SqliteOnlineStore(online_path)
    yield store
    store.close()


def test_sqlite_returns_what_the_local_store_returns(local_store, online):
    for group, ids in ((JOBS, ["J0", "J1", "J2"]), (APPLICANTS, ["A0", "A1", "A2"])):
        profiles = online.get_profiles(group, ids)
        assert profiles == local_store.get_records(group, ids)
        assert sorted(profiles) == ids
    assert online.get_profiles(JOBS, ["J0"])["J0"] == {
        "job_code": "J0",
        "event_time": "2024-01-01T00:00:00Z",
        "title": "analista 0",
        "skill_count": 0,
        "level_rank": None,
    }
    assert online.get_profiles(APPLICANTS, ["A2"])["A2"]["score"] == 0.5


def test_sqlite_leaves_out_ids_not_found(online):
    assert online.get_profiles(JOBS, ["J1", "nope", "A1"]).keys() == {"J1"}
    assert online.get_profiles("other-group", ["J1"]) == {}
    assert online.get_profiles(JOBS, []) == {}


def test_sqlite_looks_up_more_ids_than_one_query_takes(local_store, online):
    ingest(local_store, APPLICANTS, applicant_frame(1_203), "applicant_code")
    ids = [f"A{i}" for i in range(1_203)] + [f"missing-{i}" for i in range(300)]
    profiles = online.get_profiles(APPLICANTS, ids)
    assert len(profiles) == 1_203
    assert profiles == local_store.get_records(APPLICANTS, ids)


def test_sqlite_sees_the_latest_record_after_a_newer_ingest(local_store, online):
    newer = job_frame(event_time="2024-02-01T00:00:00Z").assign(title="gerente")
    ingest(local_store, JOBS, newer, "job_code")
    older = job_frame(event_time="2023-12-01T00:00:00Z").assign(title="estagiario")
    ingest(local_store, JOBS, older, "job_code")
    profiles = online.get_profiles(JOBS, ["J0", "J2"])
    assert {p["title"] for p in profiles.values()} == {"gerente"}
    assert profiles["J2"]["event_time"] == "2024-02-01T00:00:00Z"


def test_sqlite_is_usable_from_several_threads(online):
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: online.get_profiles(JOBS, ["J1", "J2"]), range(40)))
    assert all(result.keys() == {"J1", "J2"} for result in results)


def test_sqlite_store_is_opened_read_only(online_path, online):
    before = online_path.read_bytes()
    online.get_profiles(JOBS, ["J1"])
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        online._db.execute("DELETE FROM records")
    online.close()
    assert online_path.read_bytes() == before


def test_sqlite_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(OnlineStoreError, match="run the pipeline"):
        SqliteOnlineStore(tmp_path / "online-store.sqlite")
    assert not (tmp_path / "online-store.sqlite").exists()


def test_sqlite_file_that_is_not_a_store_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    sqlite3.connect(path).close()
    with pytest.raises(OnlineStoreError, match="not a readable online store"):
        SqliteOnlineStore(path)


def test_a_single_string_is_not_taken_for_ids(online):
    with pytest.raises(TypeError) as info:
        online.get_profiles(JOBS, "J1")
    assert str(info.value) == "record_ids must be a sequence of ids, not a single string"


# --- SageMaker -----------------------------------------------------------------------------

FIELD_TYPES = {
    JOBS: {"job_code": "String", "skill_count": "Integral", "weight": "Fractional"},
    APPLICANTS: {"applicant_code": "string", "cv_chars": "integral", "score": "fractional"},
}


@pytest.fixture
def fake_aws(monkeypatch, tmp_path):
    """Fake credentials and no AWS config files, so nothing real can be reached or read."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)


@pytest.fixture
def stubbed(fake_aws):
    client = boto3.client("sagemaker-featurestore-runtime", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield SageMakerOnlineStore(client, FIELD_TYPES, backoff_s=0), stubber
        stubber.assert_no_pending_responses()


def identifiers(group: str, ids: list[str]) -> list[dict]:
    return [{"FeatureGroupName": group, "RecordIdentifiersValueAsString": ids}]


def detail(group: str, record_id: str, **values: str) -> dict:
    return {
        "FeatureGroupName": group,
        "RecordIdentifierValueAsString": record_id,
        "Record": [{"FeatureName": k, "ValueAsString": v} for k, v in values.items()],
    }


def response(records=(), errors=(), unprocessed=()) -> dict:
    return {
        "Records": list(records),
        "Errors": list(errors),
        "UnprocessedIdentifiers": list(unprocessed),
    }


def test_sagemaker_types_values_and_fills_absent_features(stubbed):
    store, stubber = stubbed
    records = [
        detail(JOBS, "J1", job_code="J1", skill_count="7", weight="0.25", title="analista"),
        detail(JOBS, "J2", job_code="J2"),
    ]
    stubber.add_response(
        "batch_get_record", response(records), {"Identifiers": identifiers(JOBS, ["J1", "J2"])}
    )
    profiles = store.get_profiles(JOBS, ["J1", "J2", "J1"])
    assert profiles == {
        "J1": {"job_code": "J1", "skill_count": 7, "weight": 0.25, "title": "analista"},
        "J2": {"job_code": "J2", "skill_count": None, "weight": None},
    }
    assert type(profiles["J1"]["skill_count"]) is int


def test_sagemaker_accepts_lower_case_types(stubbed):
    store, stubber = stubbed
    record = detail(APPLICANTS, "A1", applicant_code="A1", cv_chars="120", score="1.5")
    stubber.add_response(
        "batch_get_record", response([record]), {"Identifiers": identifiers(APPLICANTS, ["A1"])}
    )
    assert store.get_profiles(APPLICANTS, ["A1"]) == {
        "A1": {"applicant_code": "A1", "cv_chars": 120, "score": 1.5}
    }


def test_sagemaker_splits_ids_by_the_per_call_limit(stubbed):
    store, stubber = stubbed
    ids = [f"J{i}" for i in range(150)]
    for chunk in (ids[:100], ids[100:]):
        records = [detail(JOBS, i, job_code=i) for i in chunk[:2]]
        stubber.add_response(
            "batch_get_record", response(records), {"Identifiers": identifiers(JOBS, chunk)}
        )
    assert sorted(store.get_profiles(JOBS, ids)) == ["J0", "J1", "J100", "J101"]


def test_sagemaker_retries_unprocessed_identifiers(stubbed):
    store, stubber = stubbed
    stubber.add_response(
        "batch_get_record",
        response([detail(JOBS, "J1", job_code="J1")], unprocessed=identifiers(JOBS, ["J2"])),
        {"Identifiers": identifiers(JOBS, ["J1", "J2"])},
    )
    stubber.add_response(
        "batch_get_record",
        response([detail(JOBS, "J2", job_code="J2")]),
        {"Identifiers": identifiers(JOBS, ["J2"])},
    )
    assert sorted(store.get_profiles(JOBS, ["J1", "J2"])) == ["J1", "J2"]


def test_sagemaker_gives_up_on_identifiers_left_unprocessed(stubbed):
    store, stubber = stubbed
    for _ in range(4):  # the call and three retries
        stubber.add_response(
            "batch_get_record",
            response(unprocessed=identifiers(JOBS, ["J1"])),
            {"Identifiers": identifiers(JOBS, ["J1"])},
        )
    with pytest.raises(OnlineStoreError, match="1 ids still unprocessed after 3 retries"):
        store.get_profiles(JOBS, ["J1"])


def test_sagemaker_errors_raise_with_code_and_message(stubbed):
    store, stubber = stubbed
    error = {
        "FeatureGroupName": JOBS,
        "RecordIdentifierValueAsString": "J1",
        "ErrorCode": "ValidationError",
        "ErrorMessage": "feature group not found",
    }
    stubber.add_response(
        "batch_get_record", response(errors=[error]), {"Identifiers": identifiers(JOBS, ["J1"])}
    )
    with pytest.raises(OnlineStoreError, match="ValidationError: feature group not found"):
        store.get_profiles(JOBS, ["J1"])


def test_sagemaker_client_errors_are_wrapped(stubbed):
    store, stubber = stubbed
    stubber.add_client_error(
        "batch_get_record",
        service_error_code="AccessForbidden",
        service_message="not allowed",
        http_status_code=403,
    )
    with pytest.raises(OnlineStoreError, match="AccessForbidden"):
        store.get_profiles(JOBS, ["J1"])


def test_sagemaker_bad_value_raises_without_the_value(stubbed):
    store, stubber = stubbed
    record = detail(JOBS, "J1", job_code="J1", skill_count="seven")
    stubber.add_response(
        "batch_get_record", response([record]), {"Identifiers": identifiers(JOBS, ["J1"])}
    )
    with pytest.raises(OnlineStoreError, match="skill_count: stored value is not Integral") as info:
        store.get_profiles(JOBS, ["J1"])
    assert "seven" not in str(info.value)


def test_sagemaker_refuses_unknown_feature_types(fake_aws):
    client = boto3.client("sagemaker-featurestore-runtime", region_name="us-east-1")
    with pytest.raises(ValueError, match="unknown feature type 'Boolean'"):
        SageMakerOnlineStore(client, {JOBS: {"flag": "Boolean"}})


# --- open_online_store ---------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["", "  "])
def test_open_without_a_setting_gives_no_store(spec):
    assert open_online_store(spec, FIELD_TYPES) is None


def test_open_sqlite_by_absolute_and_relative_path(online_path, monkeypatch):
    absolute = open_online_store(f"sqlite:///{online_path}", {})
    monkeypatch.chdir(online_path.parent.parent)
    relative = open_online_store(f"sqlite:///{online_path.parent.name}/{online_path.name}", {})
    for store in (absolute, relative):
        assert isinstance(store, SqliteOnlineStore)
        assert store.get_profiles(JOBS, ["J1"]).keys() == {"J1"}
        store.close()


def test_open_sqlite_missing_file(tmp_path):
    with pytest.raises(OnlineStoreError, match="not found"):
        open_online_store(f"sqlite:///{tmp_path / 'none.sqlite'}", {})


def test_open_sagemaker_in_the_given_region(fake_aws):
    store = open_online_store("sagemaker", FIELD_TYPES, region="sa-east-1")
    assert isinstance(store, SageMakerOnlineStore)
    assert store._client.meta.region_name == "sa-east-1"
    store.close()


@pytest.mark.parametrize(
    "spec", ["sqlite:///", "sqlite://store.sqlite", "postgres://db", "SageMaker", "local"]
)
def test_open_refuses_other_settings(spec):
    with pytest.raises(ValueError) as info:
        open_online_store(spec, FIELD_TYPES)
    assert str(info.value) == (
        f"unknown online store {spec!r}: expected '' (no store), 'sqlite:///<path to "
        "online-store.sqlite>' or 'sagemaker'"
    )


# --- import weight -------------------------------------------------------------------------


def test_online_module_imports_no_heavy_packages():
    code = (
        "import featurestore.online, sys; "
        "heavy = {'pandas', 'numpy', 'pyarrow', 'boto3'} & set(sys.modules); "
        "assert not heavy, heavy"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


# --- what the mutation run found unchecked (make mutation MODULE=featurestore/online.py) ---


def test_sqlite_asks_at_most_500_ids_per_query(local_store, online):
    ingest(local_store, JOBS, job_frame(1001), "job_code")
    queries: list[str] = []
    online._db.set_trace_callback(queries.append)
    found = online.get_profiles(JOBS, [f"J{i}" for i in range(1001)])
    lookups = [q for q in queries if q.startswith("SELECT record_id")]
    assert [q.count("'J") for q in lookups] == [500, 500, 1]
    assert len(found) == 1001


def test_sqlite_reads_only_the_group_asked(local_store, online):
    ingest(
        local_store,
        APPLICANTS,
        applicant_frame().assign(applicant_code=["J0", "J1", "J2"]),
        "applicant_code",
    )
    assert online.get_profiles(JOBS, ["J0"])["J0"]["title"] == "analista 0"
    assert "skills" in online.get_profiles(APPLICANTS, ["J0"])["J0"]


def test_sqlite_lookup_failure_names_the_group(online):
    online._db.close()
    with pytest.raises(OnlineStoreError, match=f"^lookup in {JOBS} failed: "):
        online.get_profiles(JOBS, ["J0"])


def test_sqlite_errors_say_what_to_do(tmp_path):
    missing = tmp_path / "none.sqlite"
    with pytest.raises(OnlineStoreError) as info:
        SqliteOnlineStore(missing)
    assert str(info.value) == (
        f"online store {missing} not found: run the pipeline (its feature ingestion step fills "
        "the store), or point the online store setting at its file"
    )
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(OnlineStoreError) as info:
        SqliteOnlineStore(other)
    assert str(info.value).startswith(f"{other} is not a readable online store (no such table")
    assert str(info.value).endswith("): run the pipeline to fill the store")


def test_ids_are_asked_once_each_in_their_first_order(online):
    queries: list[str] = []
    online._db.set_trace_callback(queries.append)
    assert online.get_profiles(JOBS, ("J2", "J0", "J2", "J1")).keys() == {"J0", "J1", "J2"}
    assert queries[-1].endswith("record_id IN ('J2','J0','J1')")


def test_sagemaker_waits_longer_before_each_retry(fake_aws, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("featurestore.online.time.sleep", waits.append)
    client = boto3.client("sagemaker-featurestore-runtime", region_name="us-east-1")
    with Stubber(client) as stubber:
        for _ in range(4):
            stubber.add_response(
                "batch_get_record",
                response(unprocessed=identifiers(JOBS, ["J1", "J2"])),
                {"Identifiers": identifiers(JOBS, ["J1", "J2"])},
            )
        store = SageMakerOnlineStore(client, FIELD_TYPES)  # the defaults: 3 retries, 0.05 s
        with pytest.raises(OnlineStoreError) as info:
            store.get_profiles(JOBS, ["J1", "J2"])
        stubber.assert_no_pending_responses()
    assert waits == [0.05, 0.1, 0.2]
    assert str(info.value) == (
        f"lookup in {JOBS}: 2 ids still unprocessed after 3 retries "
        "(SageMaker is throttling; retry later or lower the request rate)"
    )


def test_sagemaker_retries_as_many_times_as_asked(stubbed, monkeypatch):
    _, stubber = stubbed
    waits: list[float] = []
    monkeypatch.setattr("featurestore.online.time.sleep", waits.append)
    store = SageMakerOnlineStore(stubber.client, FIELD_TYPES, retries=1, backoff_s=1.0)
    for _ in range(2):
        stubber.add_response(
            "batch_get_record",
            response(unprocessed=identifiers(JOBS, ["J1"])),
            {"Identifiers": identifiers(JOBS, ["J1"])},
        )
    with pytest.raises(OnlineStoreError, match="after 1 retries"):
        store.get_profiles(JOBS, ["J1"])
    assert waits == [1.0]


def test_sagemaker_no_wait_when_everything_came_back(stubbed, monkeypatch):
    store, stubber = stubbed
    waits: list[float] = []
    monkeypatch.setattr("featurestore.online.time.sleep", waits.append)
    stubber.add_response(
        "batch_get_record",
        response([detail(JOBS, "J1", job_code="J1")]),
        {"Identifiers": identifiers(JOBS, ["J1"])},
    )
    assert store.get_profiles(JOBS, ["J1"]) == {
        "J1": {"job_code": "J1", "skill_count": None, "weight": None}
    }
    assert waits == []


def test_sagemaker_error_message_counts_the_ids(stubbed):
    store, stubber = stubbed
    errors = [
        {
            "FeatureGroupName": JOBS,
            "RecordIdentifierValueAsString": record_id,
            "ErrorCode": "ValidationError",
            "ErrorMessage": f"bad {record_id}",
        }
        for record_id in ("J1", "J2")
    ]
    stubber.add_response(
        "batch_get_record",
        response(errors=errors),
        {"Identifiers": identifiers(JOBS, ["J1", "J2"])},
    )
    with pytest.raises(OnlineStoreError) as info:
        store.get_profiles(JOBS, ["J1", "J2"])
    assert str(info.value) == f"lookup in {JOBS} failed for 2 ids; first: ValidationError: bad J1"


def test_sagemaker_connection_errors_are_wrapped():
    from botocore.exceptions import EndpointConnectionError

    class Unreachable:
        def batch_get_record(self, **_: object) -> dict:
            raise EndpointConnectionError(endpoint_url="https://featurestore-runtime")

    store = SageMakerOnlineStore(Unreachable(), {})
    with pytest.raises(OnlineStoreError, match="^SageMaker Feature Store lookup failed: Could"):
        store.get_profiles(JOBS, ["J1"])
    store.close()  # a client without close() is fine


def test_sagemaker_close_closes_the_client():
    closed: list[bool] = []

    class Client:
        def close(self) -> None:
            closed.append(True)

    SageMakerOnlineStore(Client(), {}).close()
    assert closed == [True]


def test_sagemaker_features_of_groups_without_types_stay_strings(stubbed):
    store, stubber = stubbed
    record = detail("other-group", "X1", code="X1", count="7")
    record["Record"].append({"FeatureName": "gone"})  # no ValueAsString: null
    stubber.add_response(
        "batch_get_record",
        response([record]),
        {"Identifiers": identifiers("other-group", ["X1"])},
    )
    assert store.get_profiles("other-group", ["X1"]) == {
        "X1": {"code": "X1", "count": "7", "gone": None}
    }


def test_sagemaker_bad_fractional_names_the_type(stubbed):
    store, stubber = stubbed
    record = detail(APPLICANTS, "A1", score="high")
    stubber.add_response(
        "batch_get_record", response([record]), {"Identifiers": identifiers(APPLICANTS, ["A1"])}
    )
    with pytest.raises(OnlineStoreError) as info:
        store.get_profiles(APPLICANTS, ["A1"])
    assert str(info.value) == f"{APPLICANTS}.score: stored value is not Fractional"


def test_unknown_feature_type_message_names_group_and_feature(fake_aws):
    with pytest.raises(ValueError) as info:
        SageMakerOnlineStore(object(), {JOBS: {"weight": "Fractional", "flag": "Boolean"}})
    assert str(info.value) == (
        f"{JOBS}.flag: unknown feature type 'Boolean' (expected Integral, Fractional or String)"
    )


def test_open_strips_the_setting(online_path):
    store = open_online_store(f"  sqlite:///{online_path}\n", {})
    assert isinstance(store, SqliteOnlineStore) and store.path == online_path
    store.close()


def test_open_sagemaker_without_a_region_says_so(fake_aws):
    with pytest.raises(OnlineStoreError, match="^cannot create the SageMaker Feature Store client"):
        open_online_store("sagemaker", FIELD_TYPES)


def test_sagemaker_response_without_records_finds_nothing():
    class Client:
        def batch_get_record(self, **_: object) -> dict:
            return {"Errors": [], "UnprocessedIdentifiers": []}

    assert SageMakerOnlineStore(Client(), FIELD_TYPES).get_profiles(JOBS, ["J1"]) == {}
