"""What a retraining run reports, on either target: the outcome, where to look, the model.

The evaluation summary comes from the Evaluate step's ``evaluation.json`` and the registered
version from the Register step's ``registration.json`` (formats: docs/data-contracts.md); a
failed run names the step that failed and why.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

RUNNING = {"Executing", "Stopping"}  # the sensor gave up before the execution ended


@dataclass
class RunReport:
    target: str  # aws | local
    execution: str  # the SageMaker execution ARN, or the local execution id
    status: str  # Succeeded | Failed | Stopped | Executing | ...
    link: str  # SageMaker Studio URL (or how to get one), or the local execution's folder
    steps: list[tuple[str, str]] = field(default_factory=list)  # (name, status) in order
    failed_step: str | None = None
    failure_reason: str | None = None
    evaluation: dict[str, Any] | None = None
    registration: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)  # what could not be read, and why

    @property
    def succeeded(self) -> bool:
        return self.status == "Succeeded"

    def failure(self) -> str:
        """One line for the task's failure: the failed step and its reason."""
        if self.failed_step:
            return f"step {self.failed_step} failed: {self.failure_reason or 'no reason given'}"
        if self.status in RUNNING:
            return (
                f"execution still {self.status.lower()} when the wait ended: follow it at the link"
            )
        return f"execution {self.status.lower()}: {self.failure_reason or 'no reason given'}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        lines = [f"Execution {self.execution}: {self.status}", f"  {self.link}"]
        if self.steps:
            lines.append("  steps: " + ", ".join(f"{name} {status}" for name, status in self.steps))
        if not self.succeeded:
            lines.append(f"  {self.failure()}")
        if self.evaluation:
            lines += ["Model quality on the test period:", *quality_lines(self.evaluation)]
        if self.registration:
            lines.append(registration_line(self.registration))
        elif self.succeeded:
            lines.append("No model registered.")
        lines += [f"Note: {note}" for note in self.notes]
        return lines


def _metric(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    return f"{value:.4f}" if isinstance(value, int | float) else "n/a"


def quality_lines(evaluation: dict[str, Any]) -> list[str]:
    metrics = evaluation.get("metrics") or {}
    line = f"  AUC {_metric(metrics, 'auc')}"
    best = evaluation.get("best_achievable") or {}
    if isinstance(best.get("auc"), int | float) and isinstance(metrics.get("auc"), int | float):
        line += f" (best achievable {best['auc']:.4f}"
        if best["auc"] > 0.5:  # the share of the achievable lift over chance, as the run says
            line += f": {(metrics['auc'] - 0.5) / (best['auc'] - 0.5):.1%} of the lift over chance"
        line += ")"
    lines = [
        line,
        f"  PR-AUC {_metric(metrics, 'pr_auc')}  log loss {_metric(metrics, 'log_loss')}",
        f"  per job: NDCG@10 {_metric(metrics, 'ndcg_at_10')}  "
        f"precision@5 {_metric(metrics, 'precision_at_5')}  "
        f"recall@10 {_metric(metrics, 'recall_at_10')}",
    ]
    champion = evaluation.get("champion")
    if champion:
        lines.append(
            f"  champion before this run: version {champion.get('version')}, "
            f"AUC {_metric(champion, 'auc')}"
        )
    else:
        lines.append("  no champion before this run")
    return lines


def registration_line(registration: dict[str, Any]) -> str:
    line = (
        f"Registered {registration.get('model_name')} version {registration.get('version')}: "
        f"{registration.get('approval_status')}"
        + (", champion" if registration.get("champion") else "")
    )
    package = registration.get("model_package_arn")
    if package:
        status = registration.get("model_package_approval_status") or "status unknown"
        line += f"; model package {package} ({status})"
    return line
