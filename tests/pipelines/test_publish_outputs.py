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


def processing_job(lake: Lake, body: str) -> dict:
    lake.write_bytes("s3://art/code/script.py", body.encode())
    return {
        "AppSpecification": {
            "ImageUri": "local/test:1",
            "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/script.py"],
        },
        "ProcessingInputs": [
            {"S3Input": {"S3Uri": "s3://art/code", "LocalPath": "/opt/ml/processing/input/code"}},
            {"S3Input": {"S3Uri": "s3://cur/data", "LocalPath": "/opt/ml/processing/input/data"}},
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "out",
                    "S3Output": {
                        "S3Uri": "s3://cur/out",
                        "LocalPath": "/opt/ml/processing/output/out",
                    },
                }
            ]
        },
    }


def job_context(lake: Lake, tmp_path: Path) -> JobContext:
    return JobContext(
        lake=lake, work_dir=tmp_path / "work", job_name="job", image_path=lambda uri: tmp_path
    )


def test_inputs_are_the_lakes_files_linked_and_outputs_moved(tmp_path):
    from pipelines.local.jobs import run_processing_job

    lake = Lake(tmp_path / "lake")
    lake.write_bytes("s3://cur/data/rows.csv", b"a,b\n1,2\n")
    body = (
        "import os, pathlib, sys\n"
        "base = pathlib.Path(sys.argv[0]).parents[1]\n"
        "rows = base / 'data' / 'rows.csv'\n"
        "out = base.parent / 'output' / 'out'\n"
        "(out / 'inode.txt').write_text(str(os.stat(rows).st_ino))\n"
        "(out / 'copy.csv').write_text(rows.read_text())\n"
    )
    run_processing_job(processing_job(lake, body), job_context(lake, tmp_path))
    lake_rows = lake.path("s3://cur/data/rows.csv")
    assert (lake.path("s3://cur/out") / "inode.txt").read_text() == str(lake_rows.stat().st_ino)
    assert (lake.path("s3://cur/out") / "copy.csv").read_bytes() == b"a,b\n1,2\n"


def test_a_job_that_writes_into_its_input_fails_the_step(tmp_path):
    from pipelines.local.jobs import InputWritten, run_processing_job

    lake = Lake(tmp_path / "lake")
    lake.write_bytes("s3://cur/data/rows.csv", b"a,b\n1,2\n")
    body = (
        "import pathlib, sys\n"
        "rows = pathlib.Path(sys.argv[0]).parents[1] / 'data' / 'rows.csv'\n"
        "with rows.open('a') as f:\n"
        "    f.write('3,4\\n')\n"
    )
    with pytest.raises(InputWritten, match="wrote into its input file .*data/rows.csv"):
        run_processing_job(processing_job(lake, body), job_context(lake, tmp_path))
    assert not lake.path("s3://cur/out").exists()  # nothing published


def test_a_job_may_replace_or_remove_its_input_files(tmp_path):
    from pipelines.local.jobs import run_processing_job

    lake = Lake(tmp_path / "lake")
    lake.write_bytes("s3://cur/data/rows.csv", b"a,b\n1,2\n")
    lake.write_bytes("s3://cur/data/other.csv", b"x\n")
    body = (
        "import os, pathlib, sys\n"
        "data = pathlib.Path(sys.argv[0]).parents[1] / 'data'\n"
        "(data / 'new.csv').write_text('new')\n"
        "os.replace(data / 'new.csv', data / 'rows.csv')\n"
        "os.remove(data / 'other.csv')\n"
    )
    run_processing_job(processing_job(lake, body), job_context(lake, tmp_path))
    assert lake.path("s3://cur/data/rows.csv").read_bytes() == b"a,b\n1,2\n"
    assert lake.path("s3://cur/data/other.csv").read_bytes() == b"x\n"
