"""The raw data snapshot (the DAG's sync_raw_data) against moto's S3."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from dags.match_retraining_lib import snapshot as snapshots
from dags.match_retraining_lib.snapshot import SnapshotError, snapshot_raw_data

RAW = "datathon-mlet03-raw"
SOURCE = f"s3://{RAW}/landing/decision/"
FILES = {
    "vagas.json": b'{"1001": {}}',
    "applicants.json": b'{"31000": {}}',
    "prospects.json": b'{"1001": {"prospects": []}}',
    "cvs/31000.pdf": b"%PDF-1.4 cv",
}


@pytest.fixture
def s3(monkeypatch) -> Iterator:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=RAW)
        yield client


def land(s3, files: dict[str, bytes]) -> None:
    for name, body in files.items():
        s3.put_object(Bucket=RAW, Key=f"landing/decision/{name}", Body=body)


def keys(s3, prefix: str) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=RAW, Prefix=prefix).get("Contents", [])
    return {
        o["Key"][len(prefix) :]: s3.get_object(Bucket=RAW, Key=o["Key"])["Body"].read()
        for o in listed
    }


def test_first_sync_copies_every_file_into_a_content_named_snapshot(s3) -> None:
    land(s3, FILES)
    lines: list[str] = []

    snapshot = snapshot_raw_data(s3, SOURCE, RAW, "decision", lines.append)

    assert snapshot.uri == f"s3://{RAW}/snapshots/decision/{snapshot.version}"
    assert (snapshot.files, snapshot.copied) == (4, 4)
    assert keys(s3, f"snapshots/decision/{snapshot.version}/") == FILES
    manifest = json.loads(
        s3.get_object(Bucket=RAW, Key=f"snapshot-manifests/decision/{snapshot.version}.json")[
            "Body"
        ].read()
    )
    assert manifest["source"] == SOURCE
    assert sorted(f[0] for f in manifest["files"]) == sorted(FILES)
    assert "copying 4 files" in lines[0]


def test_unchanged_data_reuses_the_snapshot_and_copies_nothing(s3) -> None:
    land(s3, FILES)
    first = snapshot_raw_data(s3, SOURCE, RAW, "decision", print)
    lines: list[str] = []

    second = snapshot_raw_data(s3, SOURCE, RAW, "decision", lines.append)

    assert second.uri == first.uri
    assert second.reused
    assert "unchanged" in lines[0]


def test_a_changed_file_gives_a_new_input_data_url(s3) -> None:
    land(s3, FILES)
    first = snapshot_raw_data(s3, SOURCE, RAW, "decision", print)
    land(s3, {"prospects.json": b'{"1001": {"prospects": [{"codigo": "31000"}]}}'})

    second = snapshot_raw_data(s3, SOURCE, RAW, "decision", print)

    assert second.uri != first.uri
    assert second.copied == 4
    assert keys(s3, f"snapshots/decision/{first.version}/") == FILES  # the old one is kept


def test_a_source_without_the_decision_files_is_refused_by_name(s3) -> None:
    land(s3, {"vagas.json": b"{}"})

    with pytest.raises(SnapshotError, match="lacks applicants.json, prospects.json"):
        snapshot_raw_data(s3, SOURCE, RAW, "decision", print)
    with pytest.raises(SnapshotError, match="nothing under s3://datathon-mlet03-raw/empty/"):
        snapshot_raw_data(s3, f"s3://{RAW}/empty/", RAW, "decision", print)


class StubbedCopies:
    """moto's S3, except CopyObject, which goes to botocore's Stubber: moto ignores
    CopySourceIfMatch, S3 answers 412 PreconditionFailed when the source's ETag differs."""

    def __init__(self, moto_client, stubbed_client) -> None:
        self.moto, self.stubbed = moto_client, stubbed_client

    def __getattr__(self, name: str):
        return getattr(self.stubbed if name == "copy_object" else self.moto, name)


def test_a_file_replaced_during_the_copy_fails_instead_of_mixing_exports(s3) -> None:
    land(s3, FILES)
    listed = snapshots.list_source(s3, RAW, "landing/decision/")
    etags = {o.key: o.etag for o in listed}
    stubbed = boto3.client("s3", region_name="us-east-1")
    with Stubber(stubbed) as stubber:
        for name in sorted(etags)[:2]:  # applicants.json copies, cvs/31000.pdf has changed
            expected = {
                "CopySource": {"Bucket": RAW, "Key": f"landing/decision/{name}"},
                "CopySourceIfMatch": f'"{etags[name]}"',
                "Bucket": RAW,
                "Key": f"snapshots/decision/{snapshots.version_of(listed)}/{name}",
            }
            if name == "applicants.json":
                stubber.add_response("copy_object", {}, expected)
            else:
                stubber.add_client_error(
                    "copy_object",
                    "PreconditionFailed",
                    http_status_code=412,
                    expected_params=expected,
                )

        with pytest.raises(SnapshotError, match="cvs/31000.pdf changed while the snapshot"):
            snapshot_raw_data(StubbedCopies(s3, stubbed), SOURCE, RAW, "decision", print)

    manifests = s3.list_objects_v2(Bucket=RAW, Prefix="snapshot-manifests/").get("Contents", [])
    assert manifests == [], "an incomplete snapshot was marked complete"


def test_version_depends_on_content_not_on_listing_order() -> None:
    a = snapshots.SourceObject("a.json", 1, "e1")
    b = snapshots.SourceObject("b.json", 2, "e2")

    assert snapshots.version_of([a, b]) == snapshots.version_of([b, a])
    changed = snapshots.SourceObject("b.json", 2, "e3")
    assert snapshots.version_of([a, changed]) != snapshots.version_of([a, b])
