"""One run at a time per workspace: the lock between real processes, and what a waiter says."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.local.workspace import WorkspaceBusy, WorkspaceLock

ROOT = Path(__file__).resolve().parents[2]
HOLD = """
import sys, time
from pathlib import Path
from pipelines.local.workspace import WorkspaceLock
lock = WorkspaceLock(Path(sys.argv[1]))
lock.acquire({"execution_id": "local-holder", "running": "--data /data/a"}, wait_seconds=0)
print("holding", flush=True)
release = Path(sys.argv[2])
while not release.exists():
    time.sleep(0.05)
lock.release()
"""


def hold(state: Path, release: Path) -> subprocess.Popen:
    """A process that holds the workspace until ``release`` exists."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state), str(release)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "holding"
    return process


def test_a_second_run_with_no_time_to_wait_is_refused_naming_the_first(tmp_path):
    holder = hold(tmp_path / "state", tmp_path / "release")
    try:
        with pytest.raises(WorkspaceBusy) as refused:
            WorkspaceLock(tmp_path / "state", "ws").acquire({"execution_id": "b"}, 0)
        message = str(refused.value)
        assert "the workspace ws is in use by execution local-holder" in message
        assert f"pid {holder.pid}" in message and "running --data /data/a" in message
        assert "--wait SECONDS" in message and "MATCH_LAKE_DIR" in message
    finally:
        (tmp_path / "release").touch()
        holder.wait(timeout=30)


def test_a_second_run_waits_saying_for_what_then_takes_over(tmp_path):
    holder = hold(tmp_path / "state", tmp_path / "release")
    said: list[str] = []

    def say(line: str) -> None:
        said.append(line)
        (tmp_path / "release").touch()  # the first run ends while the second waits

    lock = WorkspaceLock(tmp_path / "state", "ws")
    lock.acquire({"execution_id": "local-second"}, wait_seconds=60, say=say, poll_seconds=0.05)
    try:
        assert said[0].startswith("The workspace ws is in use by execution local-holder")
        assert "at most 1 min; Ctrl-C stops; --wait 0 refuses" in said[0]
        assert said[-1] == "  the other run has finished; starting."
        assert lock.holder()["execution_id"] == "local-second"
    finally:
        lock.release()
        holder.wait(timeout=30)


def test_waiting_is_bounded(tmp_path):
    holder = hold(tmp_path / "state", tmp_path / "release")
    try:
        started = time.monotonic()
        with pytest.raises(WorkspaceBusy, match="waited 0.5 s"):
            WorkspaceLock(tmp_path / "state").acquire({}, 0.5, say=lambda _: None)
        assert time.monotonic() - started < 10
    finally:
        (tmp_path / "release").touch()
        holder.wait(timeout=30)


def test_a_killed_holder_leaves_the_workspace_free(tmp_path):
    holder = hold(tmp_path / "state", tmp_path / "never")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    lock = WorkspaceLock(tmp_path / "state")
    lock.acquire({"execution_id": "after"}, wait_seconds=0)
    lock.release()
    assert lock.holder() is None  # a released lock names nobody
