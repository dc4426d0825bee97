"""Sync the raw data's changes into a versioned snapshot in the raw bucket.

New exports of the Decision files land under a source prefix (``MATCH_RAW_SOURCE_URI``, by
default ``s3://<prefix>-raw/landing/<dataset>/``). Each run takes what is there now and names it
by its content: the version is a hash of every object's relative key, size and ETag. The
snapshot is ``s3://<raw bucket>/snapshots/<dataset>/<version>``, the run's ``InputDataUrl``;
its manifest, ``snapshot-manifests/<dataset>/<version>.json``, is written last. Both sit apart
from ``s3://<raw bucket>/<dataset>/``, which ``make pipeline-run TARGET=aws --sync-data``
mirrors (deleting what the local folder lacks).

- Nothing changed since a run: same version, the snapshot is already there (its manifest says
  it is complete), nothing is copied, and SageMaker reuses the cached
  Preprocess, IngestFeatures and Train steps.
- Something changed: a new URI, so every cached step is missed and the model is trained on the
  new data. (SageMaker's step cache keys on a step's arguments, the S3 URIs, never on the
  objects behind them: a fixed ``InputDataUrl`` would retrain on stale data for 30 days.)

Objects are copied inside S3 (CopyObject) with ``CopySourceIfMatch``: a file replaced while the
snapshot is made fails the copy instead of mixing two exports. An ETag is an MD5 only for
unencrypted single-part uploads; under SSE-KMS a re-upload of the same bytes gets a new ETag and
so a new snapshot: a recomputation, never a stale reuse.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

REQUIRED_FILES = ("vagas.json", "applicants.json", "prospects.json")
VERSION_LENGTH = 16
COPY_LIMIT = 5 * 1024**3  # CopyObject's largest object

Write = Callable[[str], None]


class SnapshotError(RuntimeError):
    """The raw data cannot be snapshotted; the message says what to fix."""


@dataclass(frozen=True)
class SourceObject:
    key: str  # relative to the source prefix
    size: int
    etag: str


@dataclass(frozen=True)
class Snapshot:
    uri: str  # the run's InputDataUrl, ending without a slash
    version: str
    files: int
    copied: int

    @property
    def reused(self) -> bool:
        return self.copied == 0


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/prefix/`` -> (bucket, ``prefix/``): the prefix ends with "/" or is empty."""
    if not uri.startswith("s3://"):
        raise SnapshotError(f"{uri!r} is not an s3:// URI")
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    if not bucket:
        raise SnapshotError(f"{uri!r} names no bucket")
    return bucket, (prefix.rstrip("/") + "/") if prefix.strip("/") else ""


def list_source(s3: Any, bucket: str, prefix: str) -> list[SourceObject]:
    """Every object under the prefix (folder markers apart), by relative key."""
    found = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            relative = item["Key"][len(prefix) :]
            if relative and not relative.endswith("/"):
                found.append(SourceObject(relative, item["Size"], item["ETag"].strip('"')))
    return sorted(found, key=lambda o: o.key)


def version_of(objects: Iterable[SourceObject]) -> str:
    """The content's name: identical listings give identical versions, any change another."""
    digest = hashlib.sha256()
    for item in sorted(objects, key=lambda o: o.key):
        digest.update(json.dumps([item.key, item.size, item.etag]).encode() + b"\n")
    return digest.hexdigest()[:VERSION_LENGTH]


def check_source(objects: list[SourceObject], source_uri: str) -> None:
    if not objects:
        raise SnapshotError(
            f"nothing under {source_uri}: upload the Decision export there first "
            f"(aws s3 sync <folder> {source_uri})"
        )
    keys = {o.key for o in objects}
    missing = [name for name in REQUIRED_FILES if name not in keys]
    if missing:
        raise SnapshotError(f"{source_uri} lacks {', '.join(missing)} (the Decision JSON files)")
    too_big = [o.key for o in objects if o.size > COPY_LIMIT]
    if too_big:
        raise SnapshotError(f"{', '.join(too_big)}: over 5 GiB, more than CopyObject copies")


def _exists(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def _copy(s3: Any, source: tuple[str, str], target: tuple[str, str], item: SourceObject) -> None:
    try:
        s3.copy_object(
            CopySource={"Bucket": source[0], "Key": source[1] + item.key},
            CopySourceIfMatch=f'"{item.etag}"',
            Bucket=target[0],
            Key=target[1] + item.key,
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "PreconditionFailed":
            raise SnapshotError(
                f"{item.key} changed while the snapshot was made: run again once the export "
                "has finished landing"
            ) from None
        raise


def snapshot_raw_data(
    s3: Any, source_uri: str, raw_bucket: str, dataset: str, write: Write = print
) -> Snapshot:
    """Copy the source's objects into their content-named snapshot, unless it already exists."""
    source = split_uri(source_uri)
    objects = list_source(s3, *source)
    check_source(objects, source_uri)
    version = version_of(objects)
    target = (raw_bucket, f"snapshots/{dataset}/{version}/")
    uri = f"s3://{raw_bucket}/{target[1].rstrip('/')}"
    # Beside the snapshots, not under one: InputDataUrl is an S3 prefix, and the manifest must
    # not be among the files Preprocess receives.
    manifest_key = f"snapshot-manifests/{dataset}/{version}.json"
    if _exists(s3, raw_bucket, manifest_key):
        write(f"Raw data unchanged: {uri} ({len(objects)} files) is already there")
        return Snapshot(uri, version, len(objects), copied=0)
    write(f"Raw data changed: copying {len(objects)} files from {source_uri} to {uri}")
    for item in objects:
        _copy(s3, source, target, item)
    manifest = {
        "source": source_uri,
        "version": version,
        "files": [[o.key, o.size, o.etag] for o in objects],
    }
    # Written last: its presence says the snapshot is complete.
    s3.put_object(Bucket=raw_bucket, Key=manifest_key, Body=json.dumps(manifest).encode())
    return Snapshot(uri, version, len(objects), copied=len(objects))
