"""The local target: run the pipeline with the project's own command, then read its record.

The run is ``<project>/.venv/bin/python -m pipelines.run --target local [--data DIR]
[--param NAME=VALUE ...]`` in the project's folder: the same command as ``make pipeline-run``,
on the same local lake (``MATCH_LAKE_DIR``, default ``<project>/.lake``). The local executor
writes one record per execution, ``<lake>/.executor/executions/<id>/execution.json`` (status,
steps, the failure's reason, each step's resolved outputs); the execution this run made is the
record that was not there before it. Its Evaluate and Register outputs are read from the lake,
where every ``s3://bucket/key`` of the definition is ``<lake>/bucket/key``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .report import RunReport

EXECUTIONS = Path(".executor") / "executions"
RECORD = "execution.json"
OUTPUTS = {
    "Evaluate": ("evaluation", "evaluation.json"),
    "Register": ("registration", "registration.json"),
}


class LocalRunError(RuntimeError):
    """The local run cannot start or left nothing to report on; the message says why."""


def pipeline_command(python: Path, arguments: Iterable[str]) -> list[str]:
    if not python.exists():
        raise LocalRunError(
            f"{python} does not exist: run `make setup` in the project's folder (or set "
            "MATCH_PYTHON to the Python of its virtual environment)"
        )
    return [str(python), "-m", "pipelines.run", "--target", "local", *arguments]


def execution_ids(lake_dir: Path) -> set[str]:
    """The executions that have a record in the lake."""
    folder = lake_dir / EXECUTIONS
    if not folder.is_dir():
        return set()
    return {path.parent.name for path in folder.glob(f"*/{RECORD}")}


def new_execution(before: set[str], after: set[str], write: Callable[[str], None]) -> str | None:
    """The execution this run made. Executor ids sort by start time: with two new records
    (another run in the same lake at the same time), the later one is taken, and said so."""
    made = sorted(after - before)
    if len(made) > 1:
        write(
            f"{len(made)} executions appeared during this run ({', '.join(made)}): another run "
            f"used the same lake; reporting {made[-1]}"
        )
    return made[-1] if made else None


def lake_path(lake_dir: Path, uri: str) -> Path:
    bucket, _, key = uri[len("s3://") :].partition("/")
    return lake_dir / bucket / key


def _output_uri(properties: Mapping[str, Any], output_name: str) -> str | None:
    outputs = properties.get("ProcessingOutputConfig", {}).get("Outputs", {})
    if isinstance(outputs, Mapping):
        outputs = list(outputs.values())
    for output in outputs:
        if output.get("OutputName") == output_name:
            return output.get("S3Output", {}).get("S3Uri")
    return None


def step_output(
    lake_dir: Path, record: Mapping[str, Any], name: str, notes: list[str]
) -> dict[str, Any] | None:
    statuses = {step["name"]: step["status"] for step in record.get("steps", [])}
    if statuses.get(name) != "Succeeded":
        return None
    output_name, file_name = OUTPUTS[name]
    uri = _output_uri(record.get("properties", {}).get(name, {}), output_name)
    if not uri:
        notes.append(f"{name}: the record names no output {output_name}")
        return None
    path = lake_path(lake_dir, uri) / file_name
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        notes.append(f"{name}: {path} could not be read ({error})")
        return None


def read_execution(lake_dir: Path, execution: str) -> RunReport:
    folder = lake_dir / EXECUTIONS / execution
    record = json.loads((folder / RECORD).read_text())
    steps = record.get("steps", [])
    report = RunReport(
        target="local",
        execution=execution,
        status=record["status"],
        link=f"{folder} (record and each step's job.log)",
        steps=[(step["name"], step["status"]) for step in steps],
    )
    failed = next((step for step in steps if step["status"] == "Failed"), None)
    if failed:
        report.failed_step = failed["name"]
        reason = failed.get("detail") or record.get("failure_reason") or ""
        report.failure_reason = reason.removeprefix(f"step {failed['name']} failed: ") or None
        if failed.get("log"):
            report.notes.append(f"log of {failed['name']}: {failed['log']}")
    elif not report.succeeded:
        report.failure_reason = record.get("failure_reason")
    report.evaluation = step_output(lake_dir, record, "Evaluate", report.notes)
    report.registration = step_output(lake_dir, record, "Register", report.notes)
    return report
