"""A succeeded job's outputs are moved into the lake, not copied; anything else is copied."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines import lake as lake_module
from pipelines.lake import Lake
from pipelines.local.jobs import JobContext, _publish


def folder_with_files(root: Path, count: int = 3) -> Path:
    root.mkdir(parents=True)
    for i in range(count):
        (root / f"part-{i}.parquet").write_text(f"rows {i}")
    (root / "nested").mkdir()
    (root / "nested" / "more.json").write_text("{}")
    return root


def inodes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()
    }


def test_upload_with_move_renames_the_folder_into_the_lake(tmp_path):
    lake = Lake(tmp_path / "lake")
    source = folder_with_files(tmp_path / "work" / "out")
    before = inodes(source)
    (lake.path("s3://cur/prefix") / "old").mkdir(parents=True)  # replaced, as an output is
    assert lake.upload(source, "s3://cur/prefix", move=True) == 4
    assert not source.exists()
    assert inodes(lake.path("s3://cur/prefix")) == before  # the same files, not copies


def test_upload_without_move_copies(tmp_path):
    lake = Lake(tmp_path / "lake")
    source = folder_with_files(tmp_path / "work" / "out")
    assert lake.upload(source, "s3://cur/prefix") == 4
    assert inodes(source).keys() == inodes(lake.path("s3://cur/prefix")).keys()
    assert set(inodes(source).values()).isdisjoint(inodes(lake.path("s3://cur/prefix")).values())


def test_upload_copies_when_the_folder_cannot_be_renamed(tmp_path, monkeypatch):
    monkeypatch.setattr(lake_module, "_renamed", lambda source, target: False)  # another disk
    lake = Lake(tmp_path / "lake")
    source = folder_with_files(tmp_path / "work" / "out")
    assert lake.upload(source, "s3://cur/prefix", move=True) == 4
    assert source.is_dir() and (lake.path("s3://cur/prefix") / "nested" / "more.json").is_file()


@pytest.mark.parametrize("move", [True, False])
def test_publish_moves_only_outputs_apart_from_each_other(tmp_path, move):
    lake = Lake(tmp_path / "lake")
    work = tmp_path / "work"
    ctx = JobContext(lake=lake, work_dir=work, job_name="job", image_path=lambda uri: tmp_path)
    folder_with_files(work / "opt/ml/processing/output/report")
    folder_with_files(work / "opt/ml/processing/output/data")
    (work / "opt/ml/processing/output/data/inner").mkdir()
    (work / "opt/ml/processing/output/data/inner/x.txt").write_text("x")
    outputs = [
        {"S3Output": {"S3Uri": f"s3://cur/{name}", "LocalPath": f"/opt/ml/processing/output/{p}"}}
        for name, p in (("report", "report"), ("data", "data"), ("inner", "data/inner"))
    ]
    _publish(ctx, outputs, move=move)
    assert (lake.path("s3://cur/report") / "part-0.parquet").is_file()
    assert (lake.path("s3://cur/data") / "inner" / "x.txt").is_file()
    assert (lake.path("s3://cur/inner") / "x.txt").is_file()
    # moved only where no other output lies inside or around it
    assert (work / "opt/ml/processing/output/report").exists() is not move
    assert (work / "opt/ml/processing/output/data/inner/x.txt").is_file()
