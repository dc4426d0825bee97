"""End-of-run summary: steps, data quarantined, model quality and the quality gate, outputs.

The best achievable AUC shown is the generator's true probabilities scored on the same test
rows as the model (``evaluation.json``); the generator's own report also has a ``best_auc``,
over every labelled application, which is a different figure and is not shown here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pipelines.lake import Lake
from pipelines.local.executor import ExecutionResult, readable_numbers

TOP_REASONS = 3
KINDS = (("job", "job"), ("applicant", "applicant"), ("application", "application"))


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


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


def extraction_reports(result: ExecutionResult, files: ResultFiles) -> list[dict]:
    """ExtractText's ``extract-algo-<n>.json``, one per instance (SageMaker's host names)."""
    uri = _output_uri(result, "ExtractText", "report")
    try:
        instances = int(result.parameters.get("ExtractInstanceCount", 1))
    except (TypeError, ValueError):
        instances = 1
    found = (_read_json(files, uri, f"extract-algo-{n}.json") for n in range(1, instances + 1))
    return [report for report in found if report]


def _auc_line(metrics: dict, best: dict | None) -> str:
    line = f"  AUC {metrics['auc']:.4f}"
    ratio = metrics.get("normalized_auc")
    if ratio is None and best and best["auc"] > 0.5:  # an evaluation written before the field
        ratio = (metrics["auc"] - 0.5) / (best["auc"] - 0.5)
    if best and ratio is not None:
        line += (
            f"  (best achievable {best['auc']:.4f}; (AUC - 0.5) / (best - 0.5) = {ratio:.3f}: "
            f"the share of the achievable lift over chance)"
        )
    return line


def ranking_lines(metrics: dict, context: dict | None) -> list[str]:
    """Per-job ranking metrics, beside the candidates per job and a random ranking's."""
    lines = [
        "  per job: NDCG@10 {ndcg_at_10:.4f}  precision@5 {precision_at_5:.4f}  "
        "recall@10 {recall_at_10:.4f}".format(**metrics)
    ]
    random = (context or {}).get("random_ranking")
    if random and random.get("ndcg_at_10") is not None:
        lines.append(
            "  random order of the same jobs: NDCG@10 {ndcg_at_10:.4f}  precision@5 "
            "{precision_at_5:.4f}  recall@10 {recall_at_10:.4f}".format(**random)
        )
    per_job = (context or {}).get("candidates_per_job")
    if per_job and per_job.get("jobs"):
        lines.append(
            f"  ({_count(per_job['jobs'], 'job')} in the test period, median "
            f"{per_job['median']:g} candidates each, at most {per_job['max']}: with fewer than "
            "10, recall@10 is 1 whatever the order)"
        )
    return lines


def quality_lines(evaluation: dict, reused_from: str | None = None) -> list[str]:
    """``reused_from``: the execution whose Evaluate this run reused (the registry unchanged)."""
    metrics = evaluation["metrics"]
    lines = [
        _auc_line(metrics, evaluation.get("best_achievable")),
        "  PR-AUC {pr_auc:.4f}  log loss {log_loss:.4f}".format(**metrics),
    ]
    if metrics.get("ndcg_at_10") is not None:
        lines += ranking_lines(metrics, evaluation.get("ranking_context"))
    champion = evaluation.get("champion")
    when = f"before {reused_from}" if reused_from else "before this run"
    if champion:
        lines.append(
            f"  champion {when}: version {champion['version']}, "
            f"AUC {champion['auc']:.4f} on the same test period"
        )
    if reused_from:
        lines.append(
            f"  (evaluated by {reused_from}: same model and data, and the registry as that run "
            "left it)"
        )
    return lines


def _verdict(passed: bool) -> str:
    return "passed" if passed else "FAILED"


def gate_checks(evaluation: dict, parameters: dict[str, Any]) -> list[tuple[str, bool]]:
    """The quality gate's checks in words, each with whether it passed."""
    auc = evaluation["metrics"]["auc"]
    checks = []
    min_auc = parameters.get("MinAuc")
    if isinstance(min_auc, int | float):
        checks.append((f"AUC {auc:.4f} >= MinAuc {min_auc:g}", auc >= min_auc))
    champion = evaluation.get("champion")
    gate = evaluation.get("gate") or {}
    if champion and "champion_floor" in gate:
        floor = gate["champion_floor"]
        regression = gate.get("max_auc_regression")
        less = f" less MaxAucRegression {regression:g}" if regression is not None else ""
        checks.append(
            (
                f"AUC {auc:.4f} >= champion version {champion['version']}'s "
                f"{champion['auc']:.4f}{less} = {floor:.4f}",
                auc >= floor,
            )
        )
    return checks


def gate_lines(evaluation: dict, parameters: dict[str, Any]) -> list[str]:
    checks = gate_checks(evaluation, parameters)
    lines = [f"  {text}: {_verdict(passed)}" for text, passed in checks]
    if not evaluation.get("champion"):
        lines.append("  no champion yet, so no comparison with one")
    return ["", "Quality gate:", *lines] if lines else []


def _stopped_at_gate(result: ExecutionResult, evaluation: dict | None) -> str | None:
    """Why the model was not registered, in the summary's words, when a Fail step ended it."""
    failed = [s for s in result.steps if s.status == "Failed"]
    if not evaluation or not failed or failed[0].type != "Fail":
        return None
    unmet = [text for text, passed in gate_checks(evaluation, result.parameters) if not passed]
    if not unmet:
        return None
    why = "; ".join(text.replace(" >= ", " is not >= ", 1) for text in unmet)
    if not evaluation.get("champion"):
        why += " (no champion yet)"
    return f"the model was not registered: {why}"


def _top_reasons(by_reason: dict[str, int], limit: int = TOP_REASONS) -> str:
    ranked = sorted(by_reason.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return ", ".join(f"{reason} {count:,}" for reason, count in ranked)


def _extraction_totals(extracts: list[dict]) -> dict[str, Any]:
    """ExtractText's reports, one per instance, added up (seconds: the slowest instance)."""
    failed: dict[str, int] = {}
    for report in extracts:
        for reason, count in report.get("failed_by_reason", {}).items():
            failed[reason] = failed.get(reason, 0) + count
    return {
        "instances": len(extracts),
        "from_cache": sum(r.get("from_cache", 0) for r in extracts),
        "read_now": sum(r.get("read_now", 0) for r in extracts),
        "pages": sum(r.get("pages_read_now", 0) for r in extracts),
        "seconds": max((r.get("seconds", 0.0) for r in extracts), default=0.0),
        "failed": failed,
    }


def _ocr_work(ocr: dict, extracts: list[dict]) -> str:
    """What OCR cost this run: ExtractText's reading, or Preprocess's when it read alone."""
    if not extracts:  # a definition without ExtractText: Preprocess read the scans itself
        text = f", {ocr['from_cache']:,} from the text cache"
        if ocr.get("pages_read_now"):
            text += (
                f", {_count(ocr['pages_read_now'], 'page')} read in {ocr['seconds']:.0f}s"
                f", {ocr['seconds_per_page']:.1f}s a page"
            )
        return text
    total = _extraction_totals(extracts)
    text = f", {total['from_cache']:,} from the text cache"
    if total["pages"]:
        text += (
            f", {total['read_now']:,} read now ({_count(total['pages'], 'page')} in "
            f"{total['seconds']:.0f}s on {_count(total['instances'], 'instance')}, "
            f"{total['seconds'] / total['pages']:.1f}s a page)"
        )
    if total["failed"]:
        text += f", OCR failed on {_top_reasons(total['failed'])}"
    if ocr.get("pages_read_now"):
        text += f", {_count(ocr['pages_read_now'], 'page')} read again by Preprocess"
    return text


def cv_text_line(documents: dict, extracts: list[dict] | None = None) -> str:
    """How the CV files' text was obtained: text layers, OCR (its cost, cache and accuracy)."""
    text_from = documents["text_from"]
    line = f"  CV text: {text_from.get('text_layer', 0):,} from a text layer"
    line += f", {text_from.get('ocr', 0):,} by OCR, {text_from.get('mixed', 0):,} both"
    ocr = documents.get("ocr", {})
    if not ocr.get("files"):
        return line
    line += f" (OCR by {ocr['engine']}: {_count(ocr['files'], 'file')}"
    line += _ocr_work(ocr, extracts or [])
    rate = ocr.get("character_error_rate")
    if rate:
        line += f"; character error rate {rate['mean']:.2%} over {_count(rate['files'], 'scan')}"
    return line + ")"


def data_lines(report: dict, location: str, extracts: list[dict] | None = None) -> list[str]:
    """What was read and what was set aside, from Preprocess's ``data_report.json``."""
    counts = report.get("counts", {})
    documents = counts.get("document", {})
    read = [_count(counts[kind].get("read", 0), noun) for kind, noun in KINDS if kind in counts]
    if documents:
        read.append(_count(documents.get("files", 0), "CV file"))
    lines = ["", f"Data ({location}):", f"  read {', '.join(read)}"]
    reasons: dict[str, int] = {}
    quarantined = []
    for kind, noun in (*KINDS, ("document", "CV file")):
        by_reason = counts.get(kind, {}).get("quarantined_by_reason", {})
        total = sum(by_reason.values())
        if total:
            quarantined.append(_count(total, noun))
        for reason, count in by_reason.items():
            reasons[reason] = reasons.get(reason, 0) + count
    if documents.get("text_from"):
        lines.append(cv_text_line(documents, extracts))
    if quarantined:
        top = _top_reasons(reasons)
        lines.append(f"  quarantined {', '.join(quarantined)}; top reasons: {top}")
    else:
        lines.append("  quarantined nothing")
    unreadable: dict[str, int] = {}
    for kind, _ in KINDS:
        for name, count in counts.get(kind, {}).get("unreadable_dates", {}).items():
            unreadable[name] = unreadable.get(name, 0) + count
    if unreadable:
        lines.append(
            f"  unreadable dates (records kept, dated from another field or left undated): "
            f"{_top_reasons(unreadable, limit=len(unreadable))}"
        )
    labels = report.get("labels", {}).get("all")
    if labels:
        lines.append(
            f"  {_count(labels['rows'], 'labelled application')}, {labels['hired']:,} hired"
        )
    if report.get("status") not in (None, "ok") and not counts:
        lines[2:] = [f"  not read: {report.get('message', report['status'])}"]
    return lines


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def registration_lines(registration: dict, reused_from: str | None = None) -> list[str]:
    lines = [
        f"Registered {registration['model_name']} version {registration['version']} "
        f"({registration['approval_status']}"
        + (", champion)" if registration["champion"] else ")")
        + (f" by {reused_from}" if reused_from else "")
    ]
    if registration.get("model_package_arn"):
        status = registration.get("model_package_approval_status")
        lines.append(
            f"  model package {registration['model_package_arn']}"
            + (f" ({status})" if status else "")
        )
    return lines


def _reused_from(result: ExecutionResult, step: str) -> str | None:
    """The execution a cached step was reused from; None when it ran (or is not there)."""
    record = next((s for s in result.steps if s.name == step), None)
    return record.cached_from if record and record.status == "Cached" else None


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
    report_uri = _output_uri(result, "Preprocess", "report")
    data_report = _read_json(files, report_uri, "data_report.json")
    if data_report and report_uri:
        extracts = extraction_reports(result, files)
        lines += data_lines(data_report, files.location(report_uri), extracts)
    evaluation = _read_json(files, _output_uri(result, "Evaluate", "evaluation"), "evaluation.json")
    if evaluation:
        reused = _reused_from(result, "Evaluate")
        lines += ["", "Model quality on the test period:", *quality_lines(evaluation, reused)]
        lines += gate_lines(evaluation, result.parameters)
    registration = _read_json(
        files, _output_uri(result, "Register", "registration"), "registration.json"
    )
    if registration:
        lines += ["", *registration_lines(registration, _reused_from(result, "Register"))]
    if result.failure_reason:
        reason = _stopped_at_gate(result, evaluation) or readable_numbers(result.failure_reason)
        lines += ["", f"Stopped: {reason}"]
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
