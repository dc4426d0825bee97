"""End-of-run summary: steps, model quality beside the best achievable, registration, outputs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pipelines.lake import Lake
from pipelines.local.executor import ExecutionResult


class ResultFiles(Protocol):
    """Where the summary reads result files and how it names output locations."""

    heading: str

    def read_json(self, uri: str, name: str) -> dict | None: ...

    def location(self, uri: str) -> str: ...


@dataclass(frozen=True)
class LakeResultFiles:
    """Result files of a local run: the local lake."""

    lake: Lake
    heading: str = "Outputs (s3:// paths live under the local lake):"

    def read_json(self, uri: str, name: str) -> dict | None:
        path = self.lake.path(uri) / name
        return json.loads(path.read_text()) if path.exists() else None

    def location(self, uri: str) -> str:
        return _relative(self.lake.path(uri))


def _output_uri(result: ExecutionResult, step: str, output: str) -> str | None:
    try:
        return result.properties[step]["ProcessingOutputConfig"]["Outputs"][output]["S3Output"][
            "S3Uri"
        ]
    except KeyError:
        return None


def _read_json(files: ResultFiles, uri: str | None, name: str) -> dict | None:
    return files.read_json(uri, name) if uri else None


def quality_lines(evaluation: dict) -> list[str]:
    metrics = evaluation["metrics"]
    best = evaluation.get("best_achievable")
    line = f"  AUC {metrics['auc']:.4f}"
    if best:
        line += f"  (best achievable {best['auc']:.4f}: {metrics['auc'] / best['auc']:.1%} of it)"
    lines = [line, "  PR-AUC {pr_auc:.4f}  log loss {log_loss:.4f}".format(**metrics)]
    if metrics.get("ndcg_at_10") is not None:
        lines.append(
            "  per job: NDCG@10 {ndcg_at_10:.4f}  precision@5 {precision_at_5:.4f}  "
            "recall@10 {recall_at_10:.4f}".format(**metrics)
        )
    champion = evaluation.get("champion")
    if champion:
        lines.append(
            f"  champion before this run: version {champion['version']}, "
            f"AUC {champion['auc']:.4f} on the same test period"
        )
    return lines


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def registration_lines(registration: dict) -> list[str]:
    lines = [
        f"Registered {registration['model_name']} version {registration['version']} "
        f"({registration['approval_status']}" + (", champion)" if registration["champion"] else ")")
    ]
    if registration.get("model_package_arn"):
        status = registration.get("model_package_approval_status")
        lines.append(
            f"  model package {registration['model_package_arn']}"
            + (f" ({status})" if status else "")
        )
    return lines


def render(
    result: ExecutionResult, files: Lake | ResultFiles, seconds: float, extra: dict[str, Any]
) -> str:
    """The summary of an execution; ``files`` is the local lake or another `ResultFiles`."""
    if isinstance(files, Lake):
        files = LakeResultFiles(files)
    lines = [f"\nExecution {result.execution_id}: {result.status} in {seconds:.1f}s"]
    for step in result.steps:
        note = f"  ({step.detail})" if step.detail and step.status != "Failed" else ""
        lines.append(f"  {step.name:<20} {step.status.lower():<10} {step.seconds:6.1f}s{note}")
    evaluation = _read_json(files, _output_uri(result, "Evaluate", "evaluation"), "evaluation.json")
    if evaluation:
        lines += ["", "Model quality on the test period:", *quality_lines(evaluation)]
    registration = _read_json(
        files, _output_uri(result, "Register", "registration"), "registration.json"
    )
    if registration:
        lines += ["", *registration_lines(registration)]
    if result.failure_reason:
        lines += ["", f"Stopped: {result.failure_reason}"]
    outputs = {
        "curated data": _output_uri(result, "Preprocess", "train"),
        "data report": _output_uri(result, "Preprocess", "report"),
        "evaluation": _output_uri(result, "Evaluate", "evaluation"),
    }
    model = result.properties.get("Train", {}).get("ModelArtifacts", {}).get("S3ModelArtifacts")
    outputs["model"] = model
    shown = [(k, v) for k, v in outputs.items() if v]
    if shown:
        lines += ["", files.heading]
        lines += [f"  {name:<13} {files.location(uri)}" for name, uri in shown]
    lines += [f"  {name:<13} {value}" for name, value in extra.items()]
    return "\n".join(lines)
