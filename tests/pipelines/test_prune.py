"""Pruning a workspace: the last N executions stay; nothing the cache or a kept run needs goes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.lake import Lake
from pipelines.local.cache import StepCache
from pipelines.local.prune import prune_workspace

ARTIFACTS = "s3://art/pipe/training"


@pytest.fixture
def workspace(tmp_path: Path):
    lake = Lake(tmp_path / "lake")
    state = tmp_path / "lake" / ".executor"
    return lake, state, StepCache(state / "cache" / "pipe", lake)


def execution(
    state: Path,
    lake: Lake,
    execution_id: str,
    status: str = "Succeeded",
    trained: bool = True,
    data: str = "s3://raw/user-a-000000000000",
    train_from: str | None = None,
) -> Path:
    """An execution folder as the executor leaves it: record, work folders, a model archive."""
    folder = state / "executions" / execution_id
    for step in ("Preprocess", "Train"):
        (folder / step / "opt" / "ml").mkdir(parents=True)
        (folder / step / "opt" / "ml" / "copy.bin").write_bytes(b"x" * 10_000)
        (folder / step / "job.log").write_text(f"{step} log\n")
    archive = f"{ARTIFACTS}/pipelines-{train_from or execution_id}-Train/output/model.tar.gz"
    if trained:
        lake.write_bytes(archive, b"model")
    record = {
        "execution_id": execution_id,
        "status": status,
        "started_at": f"2026-11-{execution_id[-2:]}T00:00:00+00:00",
        "parameters": {"InputDataUrl": data},
        "steps": [
            {"name": "Preprocess", "type": "Processing", "status": "Succeeded"},
            {"name": "Train", "type": "Training", "status": "Succeeded" if trained else "Cached"},
        ],
        "properties": {"Train": {"ModelArtifacts": {"S3ModelArtifacts": archive}}},
    }
    if status != "none":
        (folder / "execution.json").write_text(json.dumps(record))
    return folder


def latest(state: Path, execution_id: str) -> None:
    (state / "executions" / "latest.json").write_text(json.dumps({"execution_id": execution_id}))


def test_the_last_n_executions_stay_and_older_ones_go(workspace):
    lake, state, cache = workspace
    folders = [execution(state, lake, f"local-{day:02d}") for day in range(1, 6)]
    latest(state, "local-05")
    report = prune_workspace(state, lake, cache, keep=2, current="local-05")
    assert [f.exists() for f in folders] == [False, False, False, True, True]
    assert report.executions == 3
    assert report.bytes_freed >= 3 * 2 * 10_000
    assert report.line().startswith("Pruned 3 executions older than the last 2: ")
    assert report.line().endswith(" KB freed.")
    # Successful runs registered their models: the archives stay.
    assert lake.path(f"{ARTIFACTS}/pipelines-local-01-Train/output/model.tar.gz").exists()


def test_an_execution_a_cached_step_points_at_keeps_its_record_and_logs(workspace):
    lake, state, cache = workspace
    old = execution(state, lake, "local-01")
    for day in range(2, 5):
        execution(state, lake, f"local-{day:02d}")
    cache.store("Preprocess", "Processing", "key", {}, "local-01")
    report = prune_workspace(state, lake, cache, keep=2)
    assert report.slimmed == 1 and report.executions == 1
    assert (old / "execution.json").exists()
    assert (old / "Preprocess" / "job.log").read_text() == "Preprocess log\n"
    assert not (old / "Preprocess" / "opt").exists()
    assert "their logs stay" in report.line()
    assert prune_workspace(state, lake, cache, keep=2).line() is None  # nothing left to do


def test_interrupted_executions_go_but_never_the_current_one(workspace):
    lake, state, cache = workspace
    killed = execution(state, lake, "local-01", status="Executing")
    no_record = execution(state, lake, "local-02", status="none")
    running = execution(state, lake, "local-03", status="Executing")
    report = prune_workspace(state, lake, cache, keep=5, current="local-03")
    assert not killed.exists() and not no_record.exists() and running.exists()
    assert report.interrupted == 2
    assert "2 interrupted executions" in report.line()


def test_a_failed_runs_model_goes_unless_something_kept_names_it(workspace):
    lake, state, cache = workspace
    execution(state, lake, "local-01", status="Failed")  # its model: reused by a kept run
    execution(state, lake, "local-02", status="Failed")  # its model: nobody's
    execution(state, lake, "local-03", trained=False, train_from="local-01")
    execution(state, lake, "local-04", status="Failed", trained=True)
    report = prune_workspace(state, lake, cache, keep=2)
    assert lake.path(f"{ARTIFACTS}/pipelines-local-01-Train/output/model.tar.gz").exists()
    assert not lake.path(f"{ARTIFACTS}/pipelines-local-02-Train").exists()
    assert lake.path(f"{ARTIFACTS}/pipelines-local-04-Train/output/model.tar.gz").exists()
    assert report.model_archives == 1


def test_staged_data_no_kept_run_read_goes(workspace):
    lake, state, cache = workspace
    execution(state, lake, "local-01", data="s3://raw/user-a-111111111111")
    execution(state, lake, "local-02", data="s3://raw/user-a-222222222222")
    for uri in ("s3://raw/user-a-111111111111", "s3://raw/user-a-222222222222"):
        lake.write_bytes(f"{uri}/vagas.json", b"{}")
    report = prune_workspace(
        state,
        lake,
        cache,
        keep=1,
        staged=["s3://raw/user-a-111111111111", "s3://raw/user-a-222222222222"],
    )
    assert not lake.path("s3://raw/user-a-111111111111").exists()
    assert lake.path("s3://raw/user-a-222222222222/vagas.json").exists()
    assert report.staged_data == 1


def test_half_written_temporary_files_go(workspace):
    lake, state, cache = workspace
    leftover = lake.path("s3://raw/.user-a-123456789abc.tmp-42-deadbeef")
    (leftover / "cvs").mkdir(parents=True)
    (leftover / "cvs" / "1.pdf").write_bytes(b"%PDF")
    entry = state / "cache" / "pipe" / "Train" / ".abc.json.tmp-42-beef"
    entry.parent.mkdir(parents=True)
    entry.write_text("{")
    report = prune_workspace(state, lake, cache, keep=3)
    assert not leftover.exists() and not entry.exists()
    assert report.leftovers == 2
