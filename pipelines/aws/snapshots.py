"""Input data as content-addressed snapshots, so that SageMaker's step cache sees new data.

SageMaker keys a cached step on its arguments (the S3 URIs), never on the objects behind them:
data replaced under the same ``InputDataUrl`` would leave Preprocess, IngestFeatures and Train
cached for 30 days. So a data folder is uploaded to a prefix named by a hash of its content,

    s3://<raw>/snapshots/<dataset>/<digest>/...         the files, never changed afterwards
    s3://<raw>/snapshots/<dataset>/<digest>.json        the manifest, written once complete
    s3://<raw>/snapshots/<dataset>/latest.json          which snapshot was synced last

and that prefix is the ``InputDataUrl`` (the execution's parameter and the definition's
default, which the EventBridge schedule runs). New data: a new digest, a new URI, a new cache
key; the same data again: the same URI, and the cached steps are rightly reused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from pipelines.aws.s3 import MD5_METADATA, TRANSFER, Fingerprint, same_content, split_uri

SNAPSHOTS = "snapshots"
LATEST = "latest.json"
DIGEST_LENGTH = 20  # hex characters: 80 bits, far from any collision among a data set's versions
MISSING = ("NoSuchKey", "404")

Write = Callable[[str], None]


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


@dataclass(frozen=True)
class LocalFolder:
    """A data folder's files with their fingerprints, and the digest naming its snapshot."""

    root: Path
    files: dict[str, tuple[Path, Fingerprint]]

    @classmethod
    def read(cls, root: Path) -> LocalFolder:
        paths = sorted(p for p in root.rglob("*") if p.is_file())
        return cls(
            root, {p.relative_to(root).as_posix(): (p, Fingerprint.of_file(p)) for p in paths}
        )

    @property
    def digest(self) -> str:
        """A hash of every file's relative path, size and MD5: the content, wherever it is."""
        lines = (f"{name}\0{fp.size}\0{fp.md5}\n" for name, (_, fp) in sorted(self.files.items()))
        return hashlib.sha256("".join(lines).encode()).hexdigest()[:DIGEST_LENGTH]

    @property
    def size(self) -> int:
        return sum(fp.size for _, fp in self.files.values())


def snapshots_prefix(dataset_uri: str) -> tuple[str, str]:
    """(bucket, ``snapshots/<dataset>``) for a data set's URI ``s3://<raw>/<dataset>``."""
    bucket, key = split_uri(dataset_uri.rstrip("/"))
    if not key:
        raise ValueError(f"{dataset_uri} names no data set folder in {bucket}")
    return bucket, f"{SNAPSHOTS}/{key}"


def snapshot_uri(dataset_uri: str, digest: str) -> str:
    bucket, prefix = snapshots_prefix(dataset_uri)
    return f"s3://{bucket}/{prefix}/{digest}"


def is_snapshot(uri: str) -> bool:
    _, key = split_uri(uri.rstrip("/"))
    return key.startswith(f"{SNAPSHOTS}/")


@dataclass
class SnapshotReport:
    uri: str
    files: int
    uploaded: int = 0
    unchanged: int = 0
    bytes_uploaded: int = 0
    already_complete: bool = False
    notes: list[str] = field(default_factory=list)


def _read_json(s3: Any, bucket: str, key: str, missing=MISSING) -> dict | None:
    try:
        return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in missing:
            return None
        raise


def _put_json(s3: Any, bucket: str, key: str, body: dict) -> None:
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=json.dumps(body, indent=2, sort_keys=True).encode(),
        ContentType="application/json",
    )


def _upload_files(
    folder: LocalFolder, bucket: str, prefix: str, s3: Any, report: SnapshotReport, write: Write
) -> None:
    pending = []
    for name, (path, fingerprint) in folder.files.items():
        if same_content(s3, bucket, f"{prefix}/{name}", None, fingerprint):
            report.unchanged += 1  # left by an interrupted sync of the same snapshot
        else:
            pending.append((name, path, fingerprint))
    step = max(1, len(pending) // 10)
    for done, (name, path, fingerprint) in enumerate(pending, start=1):
        s3.upload_file(
            str(path),
            bucket,
            f"{prefix}/{name}",
            ExtraArgs={"Metadata": {MD5_METADATA: fingerprint.md5}},
            Config=TRANSFER,
        )
        report.uploaded += 1
        report.bytes_uploaded += fingerprint.size
        if len(pending) <= 20 or done % step == 0 or done == len(pending):
            write(f"  [{done}/{len(pending)}] {name} ({megabytes(fingerprint.size)})")


def sync_snapshot(
    folder: LocalFolder | Path,
    dataset_uri: str,
    s3: Any,
    write: Write = print,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SnapshotReport:
    """Upload ``folder`` as the data set's snapshot (once), and record it as the latest."""
    folder = folder if isinstance(folder, LocalFolder) else LocalFolder.read(folder)
    bucket, prefix = snapshots_prefix(dataset_uri)
    digest = folder.digest
    uri = snapshot_uri(dataset_uri, digest)
    report = SnapshotReport(uri, files=len(folder.files))
    write(f"Syncing {folder.root} -> {uri} ({len(folder.files)} files, {megabytes(folder.size)})")
    manifest_key = f"{prefix}/{digest}.json"
    if _read_json(s3, bucket, manifest_key) is not None:
        report.already_complete = True
        write("  this snapshot is already uploaded (same content): nothing to upload")
    else:
        _upload_files(folder, bucket, f"{prefix}/{digest}", s3, report, write)
        manifest = {
            "uri": uri,
            "digest": digest,
            "files": {name: fp.md5 for name, (_, fp) in folder.files.items()},
            "bytes": folder.size,
        }
        _put_json(s3, bucket, manifest_key, manifest)  # last: marks the snapshot complete
        write(
            f"  {report.uploaded} uploaded ({megabytes(report.bytes_uploaded)}), "
            f"{report.unchanged} already there"
        )
    latest = {"uri": uri, "digest": digest, "synced_at": now().isoformat()}
    _put_json(s3, bucket, f"{prefix}/{LATEST}", latest)
    return report


def latest_snapshot(s3: Any, dataset_uri: str) -> str | None:
    """The URI of the data set's last synced snapshot, or None when none was synced."""
    bucket, prefix = snapshots_prefix(dataset_uri)
    # No raw bucket yet: no snapshot either (the call that needs the bucket says it is missing).
    latest = _read_json(s3, bucket, f"{prefix}/{LATEST}", (*MISSING, "NoSuchBucket"))
    uri = (latest or {}).get("uri")
    return uri if isinstance(uri, str) and uri.startswith("s3://") else None
