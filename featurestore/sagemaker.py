"""SageMaker Feature Store backend: feature groups with an online and an offline store.

- ``ensure_group``: ``DescribeFeatureGroup``; a missing group is created (online store on,
  offline store under ``offline_store_uri`` with its Glue table, written by ``role_arn``) and
  waited for until ``Created``. An existing group must have the spec's definition: groups are
  not altered in place, as with the local backend.
- ``ingest``: one ``PutRecord`` per row from a small thread pool. SageMaker writes the online
  store at once and the offline store (Parquet under ``offline_store_uri``, with a Glue table)
  within minutes.
- ``get_records``: ``BatchGetRecord`` through ``featurestore.online.SageMakerOnlineStore``,
  typed from the group's feature definitions.

Idempotent: ``PutRecord`` is an upsert keyed by record id on SageMaker's side, the online store
keeps the record with the latest event time, and putting the same record with the same event
time again leaves it as it was. The offline store is append-only, as on AWS: a second ingest of
the same records appends a second copy, which readers deduplicate by (record id, event time).

Values go as SageMaker wants them: every value as a string, null (None, NaN, NA) features left
out of the record, Integral as integer text, Fractional as Python's shortest round-tripping
float text, the event time as ISO-8601 UTC with a ``Z``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from typing import Any

import pandas as pd
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from featurestore.local import _plain, parse_event_time
from featurestore.online import SageMakerOnlineStore
from featurestore.spec import (
    FRACTIONAL,
    INTEGRAL,
    FeatureGroupError,
    FeatureGroupSpec,
    IngestionReport,
)

#: The retry configuration of both clients: botocore retries throttling and 5xx on its own.
CLIENT_RETRIES = {"mode": "standard", "max_attempts": 8}
MAX_WORKERS = 8
PUT_ATTEMPTS = 3  # PutRecord calls per record, each with botocore's own retries inside
MAX_BACKOFF_SECONDS = 20.0
# Error codes botocore's standard retry mode treats as throttling or transient.
_RETRYABLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalFailure",
        "ServiceUnavailable",
    }
)
_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class FeatureStoreError(RuntimeError):
    """SageMaker Feature Store refused a call or a group is in no state to be written."""


def sagemaker_event_time(value: Any) -> str:
    """An event time as SageMaker takes it: ISO-8601 in UTC with ``Z``, milliseconds if any.

    Parsed as the local backend parses it (no offset reads as UTC).
    """
    moment = parse_event_time(value).astimezone(UTC)
    if moment.microsecond:
        return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"
    return f"{moment:%Y-%m-%dT%H:%M:%S}Z"


def _value_text(name: str, value: Any, kind: str) -> str:
    """A non-null value as the text SageMaker parses as ``kind``; errors leave the value out."""
    try:
        if kind == INTEGRAL:
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return str(int(value))
        if kind == FRACTIONAL:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
            return repr(number)
    except (TypeError, ValueError, OverflowError):
        raise FeatureGroupError(f"feature {name!r} is not a finite {kind} value") from None
    return str(value)


def _record(spec: FeatureGroupSpec, values: Mapping[str, Any]) -> list[dict[str, str]]:
    """One row as a ``PutRecord`` record; raises FeatureGroupError for a record to refuse."""
    if not values[spec.record_id]:
        raise FeatureGroupError("empty record id")
    event_time = sagemaker_event_time(values[spec.event_time])
    record = []
    for name, kind in spec.features.items():
        value = event_time if name == spec.event_time else values[name]
        if value is not None:
            record.append({"FeatureName": name, "ValueAsString": _value_text(name, value, kind)})
    return record


def _retryable(error: Exception) -> bool:
    if isinstance(error, BotoConnectionError | HTTPClientError):
        return True
    if not isinstance(error, ClientError):
        return False
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return _error_code(error) in _RETRYABLE_CODES or status in _RETRYABLE_STATUS


def _error_code(error: Exception) -> str | None:
    return error.response.get("Error", {}).get("Code") if isinstance(error, ClientError) else None


def _error_summary(error: Exception) -> str:
    """The error's code and HTTP status, not its message (which may quote record values)."""
    if isinstance(error, ClientError):
        code = _error_code(error) or "Unknown"
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{code} (HTTP {status})" if status else code
    return type(error).__name__


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _call_failed(action: str, error: Exception) -> FeatureStoreError:
    """A control-plane call's error, on one line (these messages hold no record values)."""
    return FeatureStoreError(f"{action} failed: {_one_line(error)}")


class SageMakerFeatureStore:
    """The ``FeatureStore`` interface on SageMaker Feature Store.

    ``sagemaker_client`` and ``runtime_client`` are boto3 ``sagemaker`` and
    ``sagemaker-featurestore-runtime`` clients (thread-safe; build them with
    ``sagemaker_feature_store`` for the retry configuration). ``offline_store_uri`` and
    ``role_arn`` are used only when a group is created. ``wait_seconds`` bounds the wait for a
    group to be created, polled every ``poll_seconds``; ``max_workers`` bounds the concurrent
    ``PutRecord`` calls; a record still throttled (or failing with a 5xx) after botocore's
    retries is put again up to ``put_attempts`` times in all, ``backoff_seconds`` doubling in
    between, then reported as failed. ``sleep`` is injectable for tests.
    """

    def __init__(
        self,
        sagemaker_client: Any,
        runtime_client: Any,
        offline_store_uri: str,
        role_arn: str,
        *,
        wait_seconds: float = 600.0,
        poll_seconds: float = 5.0,
        max_workers: int = MAX_WORKERS,
        put_attempts: int = PUT_ATTEMPTS,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not offline_store_uri.startswith("s3://"):
            raise ValueError(f"offline store URI must be s3://..., not {offline_store_uri!r}")
        if poll_seconds <= 0 or max_workers < 1 or put_attempts < 1:
            raise ValueError("poll_seconds must be > 0, max_workers and put_attempts >= 1")
        self._sagemaker = sagemaker_client
        self._runtime = runtime_client
        self.offline_store_uri = offline_store_uri
        self.role_arn = role_arn
        self._polls = max(1, math.ceil(wait_seconds / poll_seconds))
        self._wait_seconds = wait_seconds
        self._poll_seconds = poll_seconds
        self._max_workers = max_workers
        self._put_attempts = put_attempts
        self._backoff_seconds = backoff_seconds
        self._sleep = sleep
        self._types: dict[str, dict[str, str]] = {}
        self._readers: dict[str, SageMakerOnlineStore] = {}

    def close(self) -> None:
        for client in (self._sagemaker, self._runtime):
            close = getattr(client, "close", None)
            if close is not None:
                close()

    # --- groups --------------------------------------------------------------------------

    def ensure_group(self, spec: FeatureGroupSpec) -> None:
        """Create the group when missing and wait until it is ``Created``.

        An existing group with another definition is a FeatureGroupError (groups are not
        altered in place); one still ``Creating`` is waited for; any other state, or a
        creation that fails or outlasts ``wait_seconds``, is a FeatureStoreError.
        """
        description = self._describe(spec.name)
        if description is None:
            description = self._create(spec)
        if description.get("FeatureGroupStatus") not in ("Creating", "Created"):
            raise FeatureStoreError(self._state_problem(spec.name, description))
        self._check_definition(spec, description)
        self._wait_until_created(spec.name, description)

    def _describe(self, name: str) -> dict[str, Any] | None:
        """The group's description with all its feature definitions; None when there is none."""
        try:
            description = self._sagemaker.describe_feature_group(FeatureGroupName=name)
            token = description.get("NextToken")
            while token:  # a group with many features describes them page by page
                page = self._sagemaker.describe_feature_group(
                    FeatureGroupName=name, NextToken=token
                )
                description["FeatureDefinitions"] += page["FeatureDefinitions"]
                token = page.get("NextToken")
        except (ClientError, BotoCoreError) as error:
            if _error_code(error) == "ResourceNotFound":
                return None
            raise _call_failed(f"describing feature group {name}", error) from error
        return description

    def _create(self, spec: FeatureGroupSpec) -> dict[str, Any]:
        definitions = [{"FeatureName": n, "FeatureType": t} for n, t in spec.features.items()]
        summary = f"Profiles keyed by {spec.record_id}, written by the feature ingestion step"
        try:
            self._sagemaker.create_feature_group(
                FeatureGroupName=spec.name,
                RecordIdentifierFeatureName=spec.record_id,
                EventTimeFeatureName=spec.event_time,
                FeatureDefinitions=definitions,
                OnlineStoreConfig={"EnableOnlineStore": True},
                OfflineStoreConfig={
                    "S3StorageConfig": {"S3Uri": self.offline_store_uri},
                    "DisableGlueTableCreation": False,
                },
                RoleArn=self.role_arn,
                Description=summary[:128],
            )
        except (ClientError, BotoCoreError) as error:
            # ResourceInUse: created meanwhile by another run, checked as any existing group.
            if _error_code(error) != "ResourceInUse":
                raise _call_failed(f"creating feature group {spec.name}", error) from error
        description = self._describe(spec.name)
        if description is None:
            raise FeatureStoreError(f"feature group {spec.name} is gone right after its creation")
        return description

    def _check_definition(self, spec: FeatureGroupSpec, description: Mapping[str, Any]) -> None:
        features = {
            d["FeatureName"]: d["FeatureType"]
            + (f" {d['CollectionType']}" if d.get("CollectionType") else "")
            for d in description["FeatureDefinitions"]
        }
        existing = (
            description["RecordIdentifierFeatureName"],
            description["EventTimeFeatureName"],
            features,
        )
        if existing != (spec.record_id, spec.event_time, dict(spec.features)):
            raise FeatureGroupError(
                f"feature group {spec.name} exists with another definition; "
                "give the new definition a new group name (groups are not altered in place)"
            )
        self._types[spec.name] = features

    def _wait_until_created(self, name: str, description: Mapping[str, Any]) -> None:
        for poll in range(self._polls + 1):
            status = description.get("FeatureGroupStatus")
            if status == "Created":
                return
            if status != "Creating":
                raise FeatureStoreError(self._state_problem(name, description))
            if poll == self._polls:
                break
            self._sleep(self._poll_seconds)
            description = self._describe(name)
            if description is None:
                raise FeatureStoreError(f"feature group {name} disappeared while being created")
        raise FeatureStoreError(
            f"feature group {name} is still Creating after {self._wait_seconds:g} s; "
            "run the step again to wait longer"
        )

    @staticmethod
    def _state_problem(name: str, description: Mapping[str, Any]) -> str:
        status = description.get("FeatureGroupStatus")
        reason = _one_line(description.get("FailureReason") or "no reason given")
        if status == "CreateFailed":
            return (
                f"feature group {name} could not be created: {reason}; "
                "delete it before creating it again"
            )
        if status == "Deleting":
            return f"feature group {name} is being deleted; run the step again once it is gone"
        return f"feature group {name} is {status}: {reason}"

    # --- records -------------------------------------------------------------------------

    def ingest(self, spec: FeatureGroupSpec, frame: pd.DataFrame) -> IngestionReport:
        """``PutRecord`` every row; report what was refused or failed, never drop silently.

        A row with an empty id, an unreadable event time or a value that is not of its
        feature's type is refused without a call. ``unchanged`` stays 0: SageMaker does not say
        whether a put changed anything (knowing would take a read per record), so every
        record SageMaker accepted counts as ``written``. Failures carry the record id and the
        error code, never record values.
        """
        spec.check_frame(frame)
        report = IngestionReport(spec.name, received=len(frame))
        accepted = list(self._accepted(spec, frame, report))
        if accepted:
            with ThreadPoolExecutor(self._max_workers, thread_name_prefix="put-record") as pool:
                outcomes = list(pool.map(lambda item: self._put(spec.name, *item), accepted))
            for failure in outcomes:
                if failure is None:
                    report.written += 1
                else:
                    report.failed.append(failure)
        return report

    @staticmethod
    def _accepted(
        spec: FeatureGroupSpec, frame: pd.DataFrame, report: IngestionReport
    ) -> Iterator[tuple[Any, list[dict[str, str]]]]:
        columns = list(spec.features)
        for row in frame[columns].itertuples(index=False, name=None):
            values = {name: _plain(value) for name, value in zip(columns, row, strict=True)}
            try:
                yield values[spec.record_id], _record(spec, values)
            except FeatureGroupError as error:
                report.failed.append({"record_id": values[spec.record_id], "reason": str(error)})

    def _put(self, group: str, record_id: Any, record: list[dict[str, str]]) -> dict | None:
        """Put one record; None when written, else the failure to report."""
        attempt = 1
        while True:
            try:
                self._runtime.put_record(FeatureGroupName=group, Record=record)
                return None
            except (ClientError, BotoCoreError) as error:
                if attempt >= self._put_attempts or not _retryable(error):
                    summary = _error_summary(error)
                    reason = f"PutRecord failed after {attempt} attempt(s): {summary}"
                    return {"record_id": record_id, "reason": reason}
            self._sleep(min(self._backoff_seconds * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS))
            attempt += 1

    def get_records(self, group: str, record_ids: Iterable[str]) -> dict[str, dict]:
        """Latest online record per id, typed from the group's definition; absent ids left out."""
        if group not in self._readers:
            if group not in self._types:
                description = self._describe(group)
                if description is None:
                    raise FeatureStoreError(f"feature group {group} does not exist")
                self._types[group] = {
                    d["FeatureName"]: d["FeatureType"] for d in description["FeatureDefinitions"]
                }
            self._readers[group] = SageMakerOnlineStore(self._runtime, {group: self._types[group]})
        ids = record_ids if isinstance(record_ids, str) else list(record_ids)
        return self._readers[group].get_profiles(group, ids)


def sagemaker_feature_store(
    offline_store_uri: str, role_arn: str, region: str | None = None, **options: Any
) -> SageMakerFeatureStore:
    """A SageMakerFeatureStore with both clients in ``region`` (boto3's default when None).

    The clients retry throttling and 5xx themselves (standard mode, 8 attempts); ``options``
    go to SageMakerFeatureStore.
    """
    import boto3  # here, not at module level: boto3 takes long to import
    from botocore.config import Config

    workers = options.get("max_workers", MAX_WORKERS)
    config = Config(retries=dict(CLIENT_RETRIES), max_pool_connections=max(10, workers))
    try:
        session = boto3.session.Session(region_name=region)
        sagemaker = session.client("sagemaker", config=config)
        runtime = session.client("sagemaker-featurestore-runtime", config=config)
    except BotoCoreError as error:  # e.g. no region configured
        raise FeatureStoreError(
            f"cannot create the SageMaker Feature Store clients: {error} "
            "(give a region, or set AWS_DEFAULT_REGION)"
        ) from error
    return SageMakerFeatureStore(sagemaker, runtime, offline_store_uri, role_arn, **options)
