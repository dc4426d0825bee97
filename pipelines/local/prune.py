"""Keep a workspace's last N executions; remove older ones and what interrupted runs left.

An execution's folder (``<state>/executions/<id>/``) holds its record (``execution.json``) and,
per step, a work folder standing for the container's file system: the inputs copied in from
the lake, the outputs before they were copied back, the step's ``job.log``. Nothing reads a
work folder after its step: outputs live in the lake. So removing one loses logs and copies,
never data a later run needs. What goes and what stays:

- the newest ``keep`` finished executions stay, and so does the latest (``latest.json``);
- an older execution that a cache entry names (a step "reused from" it) keeps its record and
  step logs; its copies go;
- every other older execution's folder goes;
- folders of executions that never finished (the process was killed: no record, or one still
  saying ``Executing``) go; the caller holds the workspace lock, so none of them is running;
- the model archive a removed, failed execution trained goes, unless a cache entry or a kept
  execution names it. A successful execution's archive stays: it may be what the execution
  published (a registered model version points at it);
- data sets the runner staged (``staged`` URIs) that no kept execution read go; the runner
  copies them again from the user's folder when asked to;
- leftovers of interrupted atomic writes (``.<name>.tmp-*``) in the lake and the state folder go.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.lake import Lake, LakePathError, is_temporary, is_temporary_name
from pipelines.local.cache import StepCache, output_uris

RECORD = "execution.json"
UNFINISHED = "Executing"


@dataclass
class PruneReport:
    """What a prune removed, for one line of the run's output."""

    keep: int
    executions: int = 0
    slimmed: int = 0
    interrupted: int = 0
    staged_data: int = 0
    model_archives: int = 0
    leftovers: int = 0
    bytes_freed: int = 0
    removed: list[str] = field(default_factory=list)

    def line(self) -> str | None:
        """``Pruned ...: 412.3 MB freed``, or None when nothing was removed."""
        parts = []
        if self.executions:
            parts.append(f"{_count(self.executions, 'execution')} older than the last {self.keep}")
        if self.slimmed:
            parts.append(
                f"the work folders of {_count(self.slimmed, 'older execution')} that cached "
                "steps point at (their logs stay)"
            )
        if self.interrupted:
            parts.append(f"{_count(self.interrupted, 'interrupted execution')}")
        if self.staged_data:
            parts.append(f"{_count(self.staged_data, 'staged data set')} no kept run read")
        if self.model_archives:
            parts.append(f"{_count(self.model_archives, 'unregistered model archive')}")
        if self.leftovers:
            parts.append(f"{_count(self.leftovers, 'half-written temporary file')}")
        if not parts:
            return None
        return f"Pruned {', '.join(parts)}: {_size(self.bytes_freed)} freed."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} bytes" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


@dataclass(frozen=True)
class _Execution:
    id: str
    folder: Path
    record: dict[str, Any] | None

    @property
    def finished(self) -> bool:
        return self.record is not None and self.record.get("status") != UNFINISHED

    @property
    def order(self) -> tuple[str, str]:
        started = (self.record or {}).get("started_at") or ""
        return (str(started), self.id)


def _read_record(folder: Path) -> dict[str, Any] | None:
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _executions(executions_dir: Path) -> list[_Execution]:
    if not executions_dir.is_dir():
        return []
    found = [
        _Execution(path.name, path, _read_record(path))
        for path in executions_dir.iterdir()
        if path.is_dir() and not is_temporary(path)
    ]
    return sorted(found, key=lambda e: e.order)


def _latest(executions_dir: Path) -> str | None:
    try:
        return json.loads((executions_dir / "latest.json").read_text())["execution_id"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _s3_uris(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value.startswith("s3://"):
            yield value.rstrip("/")
    elif isinstance(value, dict):
        for item in value.values():
            yield from _s3_uris(item)
    elif isinstance(value, list):
        for item in value:
            yield from _s3_uris(item)


def _trained_archives(record: dict[str, Any]) -> list[str]:
    """Model archives the execution's own Training steps wrote (not ones reused from a cache)."""
    statuses = {step["name"]: step for step in record.get("steps", [])}
    archives = []
    for name, properties in record.get("properties", {}).items():
        step = statuses.get(name, {})
        if step.get("type") == "Training" and step.get("status") == "Succeeded":
            archives += output_uris("Training", properties)
    return archives


def _size_of(path: Path) -> int:
    if path.is_file() or path.is_symlink():
        return path.lstat().st_size
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += (Path(root) / name).lstat().st_size
            except OSError:
                continue
    return total


class _Remover:
    def __init__(self, report: PruneReport) -> None:
        self.report = report

    def remove(self, path: Path) -> bool:
        if not path.exists() and not path.is_symlink():
            return False
        self.report.bytes_freed += _size_of(path)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        self.report.removed.append(str(path))
        return True


def _slim(folder: Path, remover: _Remover) -> bool:
    """Keep the record and the step logs of an execution folder; remove the rest."""
    removed = False
    for step_dir in (p for p in folder.iterdir() if p.is_dir()):
        for item in step_dir.iterdir():
            if item.name != "job.log":
                removed |= remover.remove(item)
    return removed


def _remove_empty_parents(path: Path, stop: Path) -> None:
    parent = path.parent
    while parent != stop and stop in parent.parents:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


def _temporary_leftovers(roots: Iterable[Path]) -> Iterator[Path]:
    """Names of interrupted atomic writes, found by name alone (a lake holds many files)."""
    for root in roots:
        if not root.is_dir():
            continue
        for current, dirs, files in os.walk(root):
            for name in [*dirs, *files]:
                if is_temporary_name(name):
                    yield Path(current) / name
            dirs[:] = [d for d in dirs if not is_temporary_name(d)]


def prune_workspace(
    state_dir: Path,
    lake: Lake,
    cache: StepCache,
    keep: int,
    current: str | None = None,
    staged: Iterable[str] = (),
) -> PruneReport:
    """Apply the rules above; call it only while holding the workspace lock."""
    report = PruneReport(keep=keep)
    remover = _Remover(report)
    executions_dir = state_dir / "executions"
    executions = _executions(executions_dir)
    latest = _latest(executions_dir)
    cached_from, cached_uris = cache.referenced()

    finished = [e for e in executions if e.finished]
    kept_ids = {e.id for e in finished[-keep:]} | {latest, current} - {None}
    kept = [e for e in executions if e.id in kept_ids]
    referenced = set(cached_uris)
    for execution in kept:
        referenced.update(_s3_uris((execution.record or {}).get("parameters", {})))
        referenced.update(_s3_uris((execution.record or {}).get("properties", {})))

    for execution in executions:
        if execution.id in kept_ids:
            continue
        if not execution.finished:
            report.interrupted += remover.remove(execution.folder)
        elif execution.id in cached_from:
            report.slimmed += _slim(execution.folder, remover)
        elif remover.remove(execution.folder):
            report.executions += 1
            if execution.record and execution.record.get("status") != "Succeeded":
                report.model_archives += _remove_archives(
                    _trained_archives(execution.record), referenced, lake, remover
                )

    for uri in staged:
        if uri.rstrip("/") not in referenced and remover.remove(lake.path(uri)):
            report.staged_data += 1
    for leftover in list(_temporary_leftovers([lake.root, state_dir])):
        report.leftovers += remover.remove(leftover)
    return report


def _remove_archives(uris: list[str], referenced: set[str], lake: Lake, remover: _Remover) -> int:
    removed = 0
    for uri in uris:
        if uri.rstrip("/") in referenced:
            continue
        try:
            path = lake.path(uri)
        except LakePathError:
            continue
        if remover.remove(path):
            removed += 1
            _remove_empty_parents(path, lake.root)
    return removed
