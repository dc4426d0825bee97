"""One local run at a time per workspace: a lock file, and who holds it.

Two executions in one workspace would share the lake's fixed output prefixes (curated data,
evaluation, registration), so one could read what the other wrote. The runner takes this lock
before it stages data, compiles or runs anything, and keeps it until the summary is printed and
old executions are pruned. A second run waits for it (saying what it waits for, for at most a
given time) or, with no time to wait, refuses at once; it never runs beside the first.

The lock is an advisory ``flock`` on ``<state dir>/run.lock``: the kernel drops it when the
holder exits, however it exits (``kill -9`` included), so a crashed run never leaves the
workspace locked. The file holds a description of the holder (pid, execution id, start time,
what it runs) for the message the waiting run prints. Steps inside one run are not affected:
whatever a run does between acquire and release is its own business.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

LOCK_FILE = "run.lock"


class WorkspaceBusy(RuntimeError):
    """Another run holds the workspace and this one was not allowed to wait (longer)."""


def describe_holder(holder: Mapping[str, Any] | None) -> str:
    """``execution local-..., pid 123, started 18:35:52, running <what>`` from the lock file."""
    if not holder:
        return "another run (it has not said which yet)"
    parts = [f"execution {holder.get('execution_id', '?')}", f"pid {holder.get('pid', '?')}"]
    started = holder.get("started_at")
    if started:
        parts.append(f"started {_local_time(started)}")
    text = ", ".join(parts)
    if holder.get("running"):
        text += f", running {holder['running']}"
    return text


def _local_time(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return iso


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


class WorkspaceLock:
    """The workspace's run lock; use ``acquire``/``release`` or ``with``."""

    def __init__(self, state_dir: Path, where: str | None = None) -> None:
        self.path = state_dir / LOCK_FILE
        self.where = where or str(state_dir.parent)
        self._handle: TextIO | None = None

    @property
    def held(self) -> bool:
        return self._handle is not None

    def holder(self) -> dict[str, Any] | None:
        """Who holds the lock, as its holder wrote it (None when unknown or free)."""
        try:
            text = self.path.read_text(encoding="utf-8")
            return json.loads(text) if text.strip() else None
        except (OSError, ValueError):
            return None

    def acquire(
        self,
        holder: Mapping[str, Any],
        wait_seconds: float,
        say: Callable[[str], None] = print,
        poll_seconds: float = 0.5,
    ) -> None:
        """Take the lock, waiting up to ``wait_seconds`` for another run to end.

        ``say`` gets one line when this run starts waiting and one when it stops. Raises
        ``WorkspaceBusy`` when the lock is still held after ``wait_seconds`` (at once for 0).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+", encoding="utf-8")
        deadline = time.monotonic() + max(wait_seconds, 0.0)
        waiting_for: str | None = None
        try:
            while not _try_lock(handle):
                other = describe_holder(self.holder())
                if time.monotonic() >= deadline:
                    raise WorkspaceBusy(self._busy_message(other, wait_seconds))
                if waiting_for is None:
                    say(
                        f"The workspace {self.where} is in use by {other}. Waiting for it to "
                        f"finish (at most {_minutes(wait_seconds)}; Ctrl-C stops; --wait 0 "
                        "refuses instead of waiting) ..."
                    )
                    waiting_for = other
                time.sleep(poll_seconds)
        except BaseException:
            handle.close()
            raise
        if waiting_for is not None:
            say("  the other run has finished; starting.")
        record = {"pid": os.getpid(), "started_at": datetime.now(UTC).isoformat(), **holder}
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(record))
        handle.flush()
        self._handle = handle

    def _busy_message(self, other: str, wait_seconds: float) -> str:
        waited = f"waited {_minutes(wait_seconds)}; " if wait_seconds > 0 else ""
        return (
            f"the workspace {self.where} is in use by {other}; {waited}two runs in one "
            "workspace would overwrite each other's outputs. Run again when it has finished "
            "(--wait SECONDS waits for it), or give this run its own workspace "
            "(MATCH_LAKE_DIR, MATCH_MLFLOW_DIR, MATCH_BUILD_DIR)"
        )

    def release(self) -> None:
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        try:
            handle.seek(0)
            handle.truncate()
            handle.flush()
        finally:
            handle.close()  # closing the descriptor drops the flock

    def __enter__(self) -> WorkspaceLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


def _try_lock(handle: TextIO) -> bool:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
