"""The AWS target's S3 traffic: data up, step code up, result files down.

- `Fingerprint` and `same_content` tell whether an object already holds some content (size and
  MD5: the ETag, or the ``md5`` metadata this module writes, which also works when SSE-KMS makes
  the ETag something else); the data snapshots (`pipelines.aws.snapshots`) build on them.
- `upload_code` puts the step code a compiled definition points at, skipping objects that are
  already there with the same content.
- `S3ResultFiles` reads ``evaluation.json`` / ``registration.json`` for the summary (each
  execution writes them under its own prefix), and only files written before the execution
  ended, so that a prefix shared by executions never shows a later one's file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

# s3transfer uploads files of at least this size in parts of this size; the ETag of such an
# object is the MD5 of the parts' MD5s, suffixed with the number of parts.
PART_SIZE = 8 * 1024 * 1024
TRANSFER = TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE)
MD5_METADATA = "md5"
# Objects written this long after the execution's end are a later execution's.
CLOCK_SLACK = timedelta(seconds=60)

Write = Callable[[str], None]


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` -> (bucket, key)."""
    if not uri.startswith("s3://"):
        raise ValueError(f"not an S3 URI: {uri!r}")
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key


@dataclass(frozen=True)
class Fingerprint:
    """What S3 can tell about an object's content without downloading it."""

    size: int
    md5: str  # hex MD5 of the whole content
    etag: str  # the ETag S3 gives an unencrypted (or SSE-S3) upload of it by this module

    @classmethod
    def of_bytes(cls, body: bytes) -> Fingerprint:
        md5 = hashlib.md5(body, usedforsecurity=False).hexdigest()
        return cls(len(body), md5, md5)

    @classmethod
    def of_file(cls, path: Path) -> Fingerprint:
        whole = hashlib.md5(usedforsecurity=False)
        parts: list[bytes] = []
        size = 0
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(PART_SIZE), b""):
                whole.update(block)
                parts.append(hashlib.md5(block, usedforsecurity=False).digest())
                size += len(block)
        if size < PART_SIZE:
            etag = whole.hexdigest()
        else:
            etag = f"{hashlib.md5(b''.join(parts), usedforsecurity=False).hexdigest()}-{len(parts)}"
        return cls(size, whole.hexdigest(), etag)


def same_content(s3: Any, bucket: str, key: str, listed: dict | None, local: Fingerprint) -> bool:
    """Whether the object holds ``local``: ETag first, then the md5 metadata (one HEAD)."""
    if listed is not None:
        if listed["Size"] != local.size:
            return False
        if listed["ETag"].strip('"') == local.etag:
            return True
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "403", "NoSuchKey"):
            return False  # absent (403: no ListBucket permission, so absent looks like this)
        raise
    if head["ContentLength"] != local.size:
        return False
    return (
        head["ETag"].strip('"') == local.etag
        or head.get("Metadata", {}).get(MD5_METADATA) == local.md5
    )


def list_objects(s3: Any, bucket: str, prefix: str) -> dict[str, dict]:
    """Key -> listing entry (Size, ETag, ...) for everything under a prefix."""
    found: dict[str, dict] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = item
    return found


def upload_code(uploaded: dict[str, bytes], s3: Any, write: Write = print) -> tuple[int, int]:
    """Put each ``s3 uri -> content`` that is not already there; returns (put, unchanged)."""
    put = unchanged = 0
    for uri, body in sorted(uploaded.items()):
        bucket, key = split_uri(uri)
        fingerprint = Fingerprint.of_bytes(body)
        if same_content(s3, bucket, key, None, fingerprint):
            unchanged += 1
            continue
        s3.put_object(Bucket=bucket, Key=key, Body=body, Metadata={MD5_METADATA: fingerprint.md5})
        put += 1
    write(f"Step code: {put} object(s) uploaded, {unchanged} already there")
    return put, unchanged


def missing_files(s3: Any, uri: str, names: Iterable[str]) -> list[str]:
    """Which of ``names`` are not directly under the prefix ``uri``."""
    bucket, key = split_uri(uri.rstrip("/"))
    prefix = f"{key}/" if key else ""
    response = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, Delimiter="/")
    present = {item["Key"][len(prefix) :] for item in response.get("Contents", [])}
    return [name for name in names if name not in present]


@dataclass(frozen=True)
class S3ResultFiles:
    """Result files of one execution, for `pipelines.summary.render`."""

    s3: Any
    written_before: datetime | None = None  # the execution's end; None while it runs
    heading: str = "Outputs:"

    def read_json(self, uri: str, name: str) -> dict | None:
        bucket, key = split_uri(uri.rstrip("/") + "/" + name)
        try:
            response = self.s3.get_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        if self.written_before and response["LastModified"] > self.written_before + CLOCK_SLACK:
            return None  # a later execution's file
        return json.loads(response["Body"].read())

    def location(self, uri: str) -> str:
        return uri
