"""Read-only lookups in the feature store's online store, for serving.

Serving scores a (job, applicant) pair from their profiles, which it fetches by id from the
online store: the latest record per id of each feature group. Two backends:

- ``SqliteOnlineStore``: the SQLite file the local backend (``featurestore.local``) writes,
  opened read-only; records come back exactly as they were stored.
- ``SageMakerOnlineStore``: SageMaker Feature Store's online store through ``BatchGetRecord``;
  values come back as strings and are typed here from the groups' feature types.

``open_online_store`` picks one from a setting. This module is import-light on purpose, so that
serving starts fast: it imports neither pandas, numpy nor pyarrow (hence not ``spec`` or
``local``), and boto3 only when a SageMaker store is opened.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

SQLITE_PREFIX = "sqlite:///"
SQLITE_CHUNK = 500  # ids per query, well under SQLite's limit on bound parameters
SAGEMAKER_CHUNK = 100  # BatchGetRecord takes at most 100 ids per identifier
SAGEMAKER_RETRIES = 3  # further calls for UnprocessedIdentifiers before giving up
_CONVERTERS = {"integral": int, "fractional": float, "string": str}


class OnlineStoreError(RuntimeError):
    """The online store is unreachable or missing, or a lookup in it failed."""


class OnlineStore(Protocol):
    def get_profiles(self, group: str, record_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Latest record per id found in ``group``; ids not found are absent from the result."""

    def close(self) -> None:
        """Release the connection or client."""


def _unique_ids(record_ids: Sequence[str]) -> list[str]:
    """The ids once each, in order; a bare string is refused (it would be read as characters)."""
    if isinstance(record_ids, str):
        raise TypeError("record_ids must be a sequence of ids, not a single string")
    return list(dict.fromkeys(record_ids))


def _chunks(ids: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class SqliteOnlineStore:
    """The local backend's online store (``<store>/online-store.sqlite``), read-only.

    One connection shared by the threads of a server, serialised by a lock.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise OnlineStoreError(
                f"online store {self.path} not found: run the pipeline (its feature ingestion "
                "step fills the store), or point the online store setting at its file"
            )
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
            # Connecting is lazy: fail now, at startup, on a file that is not an online store.
            self._db.execute("SELECT group_name, record_id, record FROM records LIMIT 0")
        except sqlite3.Error as error:
            raise OnlineStoreError(
                f"{self.path} is not a readable online store ({error}): run the pipeline to "
                "fill the store"
            ) from error

    def get_profiles(self, group: str, record_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(_unique_ids(record_ids), SQLITE_CHUNK):
            marks = ",".join("?" * len(chunk))
            query = (
                "SELECT record_id, record FROM records "
                f"WHERE group_name = ? AND record_id IN ({marks})"
            )
            try:
                with self._lock:
                    rows = self._db.execute(query, (group, *chunk)).fetchall()
            except sqlite3.Error as error:
                raise OnlineStoreError(f"lookup in {group} failed: {error}") from error
            found.update({record_id: json.loads(body) for record_id, body in rows})
        return found

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _normalise_types(field_types: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Feature types per group, lower-cased and checked (SageMaker spells them capitalised)."""
    types: dict[str, dict[str, str]] = {}
    for group, features in field_types.items():
        types[group] = {}
        for name, kind in features.items():
            if kind.lower() not in _CONVERTERS:
                raise ValueError(
                    f"{group}.{name}: unknown feature type {kind!r} "
                    "(expected Integral, Fractional or String)"
                )
            types[group][name] = kind.lower()
    return types


class SageMakerOnlineStore:
    """SageMaker Feature Store's online store, read with ``BatchGetRecord``.

    ``client`` is a boto3 ``sagemaker-featurestore-runtime`` client (thread-safe);
    ``field_types`` maps each group to its features' types, to turn the strings SageMaker
    returns back into ints and floats. Features of a group not in ``field_types`` stay strings.
    """

    def __init__(
        self,
        client: Any,
        field_types: Mapping[str, Mapping[str, str]],
        *,
        retries: int = SAGEMAKER_RETRIES,
        backoff_s: float = 0.05,
    ) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        self._client = client
        self._types = _normalise_types(field_types)
        self._retries = retries
        self._backoff_s = backoff_s
        self._boto_errors = (BotoCoreError, ClientError)

    def get_profiles(self, group: str, record_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for chunk in _chunks(_unique_ids(record_ids), SAGEMAKER_CHUNK):
            for detail in self._fetch(group, chunk):
                found[detail["RecordIdentifierValueAsString"]] = self._typed(
                    group, detail["Record"]
                )
        return found

    def close(self) -> None:
        close = getattr(self._client, "close", None)
        if close is not None:
            close()

    def _fetch(self, group: str, ids: list[str]) -> list[dict[str, Any]]:
        """The records of one chunk, calling again for identifiers left unprocessed."""
        pending = [{"FeatureGroupName": group, "RecordIdentifiersValueAsString": ids}]
        records: list[dict[str, Any]] = []
        for attempt in range(self._retries + 1):
            if attempt:
                time.sleep(self._backoff_s * 2 ** (attempt - 1))
            response = self._batch_get_record(pending)
            self._raise_errors(response.get("Errors", []))
            records.extend(response.get("Records", []))
            pending = response.get("UnprocessedIdentifiers") or []
            if not pending:
                return records
        left = sum(len(p["RecordIdentifiersValueAsString"]) for p in pending)
        raise OnlineStoreError(
            f"lookup in {group}: {left} ids still unprocessed after {self._retries} retries "
            "(SageMaker is throttling; retry later or lower the request rate)"
        )

    def _batch_get_record(self, identifiers: list[dict[str, Any]]) -> dict[str, Any]:
        try:
            return self._client.batch_get_record(Identifiers=identifiers)
        except self._boto_errors as error:
            raise OnlineStoreError(f"SageMaker Feature Store lookup failed: {error}") from error

    @staticmethod
    def _raise_errors(errors: list[dict[str, Any]]) -> None:
        if not errors:
            return
        first = errors[0]
        raise OnlineStoreError(
            f"lookup in {first['FeatureGroupName']} failed for {len(errors)} ids; first: "
            f"{first['ErrorCode']}: {first['ErrorMessage']}"
        )

    def _typed(self, group: str, record: list[dict[str, Any]]) -> dict[str, Any]:
        """A record's ``[{FeatureName, ValueAsString}]`` as a typed dict.

        SageMaker leaves null features out of a record: they read as None.
        """
        types = self._types.get(group, {})
        values: dict[str, Any] = dict.fromkeys(types)
        for feature in record:
            name, text = feature["FeatureName"], feature.get("ValueAsString")
            kind = types.get(name, "string")
            try:
                values[name] = None if text is None else _CONVERTERS[kind](text)
            except ValueError as error:
                # The value itself stays out of the message: records may not be logged.
                raise OnlineStoreError(
                    f"{group}.{name}: stored value is not {kind.capitalize()}"
                ) from error
        return values


def open_online_store(
    spec: str, field_types: Mapping[str, Mapping[str, str]], region: str | None = None
) -> OnlineStore | None:
    """The online store a setting names, or None when the setting is empty.

    ``sqlite:///<path>`` opens a local store's SQLite file (``sqlite:///relative/path`` or
    ``sqlite:////absolute/path``, as SQLAlchemy spells them); ``sagemaker`` opens SageMaker
    Feature Store in ``region`` (the AWS default when None). ``field_types`` (group -> feature
    -> Integral | Fractional | String) types SageMaker's values; SQLite records keep their own.
    """
    spec = spec.strip()
    if not spec:
        return None
    if spec.startswith(SQLITE_PREFIX) and len(spec) > len(SQLITE_PREFIX):
        return SqliteOnlineStore(Path(spec[len(SQLITE_PREFIX) :]))
    if spec == "sagemaker":
        return SageMakerOnlineStore(_sagemaker_client(region), field_types)
    raise ValueError(
        f"unknown online store {spec!r}: expected '' (no store), 'sqlite:///<path to "
        "online-store.sqlite>' or 'sagemaker'"
    )


def _sagemaker_client(region: str | None) -> Any:
    import boto3  # here, not at module level: boto3 takes long to import
    from botocore.exceptions import BotoCoreError

    try:
        return boto3.client("sagemaker-featurestore-runtime", region_name=region)
    except BotoCoreError as error:  # e.g. no region configured
        raise OnlineStoreError(
            f"cannot create the SageMaker Feature Store client: {error}"
        ) from error
