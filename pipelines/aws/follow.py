"""Watch a SageMaker pipeline execution and turn it into the local run's `ExecutionResult`.

`snapshot` reads an execution once (describe + all its steps, paginated) and maps it onto the
definition it ran: step records in dependency order, with status, duration, the condition's
outcome, a cache hit's source, a failure's reason and the job ARN (whose CloudWatch logs tell
the rest), and the step properties the summary needs (processing output URIs from the
definition, the model artifact from the training job's name).

`follow` polls `snapshot` until the execution is over, printing each step's transitions;
`describe_last` snapshots the newest execution once. Both return an `AwsExecution` that
`pipelines.summary.render` draws like a local run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipelines.aws.errors import AwsSetupError, one_line
from pipelines.config import Settings
from pipelines.local.executor import ExecutionResult, StepRecord
from pipelines.local.expressions import ExpressionError, Scope, resolve
from pipelines.local.graph import StepNode, build_graph

TERMINAL = {"Succeeded", "Failed", "Stopped", "CompletedWithFailures"}
RUNNING = {"Starting", "Executing", "Stopping"}
MARKS = {"Succeeded": "✔", "Cached": "↺", "Failed": "✘", "Stopped": "■"}
JOB_KINDS = {"ProcessingJob": "ProcessingJobs", "TrainingJob": "TrainingJobs"}
POLL_SECONDS = 5.0

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def execution_id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


@dataclass
class AwsExecution:
    """One execution as seen at one moment."""

    arn: str
    result: ExecutionResult
    seconds: float
    ended: datetime | None  # when it reached its terminal status; None while it runs
    jobs: dict[str, str] = field(default_factory=dict)  # step name -> job ARN

    @property
    def terminal(self) -> bool:
        return self.result.status in TERMINAL


def list_steps(sagemaker: Any, arn: str) -> list[dict]:
    """Every step summary of an execution, oldest first."""
    paginator = sagemaker.get_paginator("list_pipeline_execution_steps")
    pages = paginator.paginate(PipelineExecutionArn=arn, SortOrder="Ascending")
    return [step for page in pages for step in page.get("PipelineExecutionSteps", [])]


def execution_definition(sagemaker: Any, arn: str) -> dict:
    """The definition this execution runs (not necessarily the pipeline's latest)."""
    response = sagemaker.describe_pipeline_definition_for_execution(PipelineExecutionArn=arn)
    return json.loads(response["PipelineDefinition"])


def job_arn(summary: Mapping[str, Any]) -> str | None:
    metadata = summary.get("Metadata", {})
    for kind in JOB_KINDS:
        if metadata.get(kind, {}).get("Arn"):
            return metadata[kind]["Arn"]
    return None


def logs_hint(arn: str) -> str:
    """Where CloudWatch keeps a job's logs: group by job kind, streams named after the job."""
    kind, _, name = arn.rsplit(":", 1)[-1].partition("/")
    group = {"processing-job": "ProcessingJobs", "training-job": "TrainingJobs"}.get(kind, kind)
    return f"CloudWatch log group /aws/sagemaker/{group}, streams {name}/*"


def _seconds(summary: Mapping[str, Any], now: datetime) -> float:
    started = summary.get("StartTime")
    if not started:
        return 0.0
    return max(0.0, ((summary.get("EndTime") or now) - started).total_seconds())


def step_record(node: StepNode, summary: Mapping[str, Any], now: datetime) -> StepRecord:
    status = summary["StepStatus"]
    record = StepRecord(node.name, node.type, status, _seconds(summary, now))
    source = summary.get("CacheHitResult", {}).get("SourcePipelineExecutionArn")
    metadata = summary.get("Metadata", {})
    if status == "Succeeded" and source:
        record.status, record.cached_from = "Cached", execution_id(source)
        record.detail = f"reused from {record.cached_from}"
    elif "Condition" in metadata:
        record.detail = f"outcome: {str(metadata['Condition'].get('Outcome', '?')).lower()}"
    if status == "Failed":
        fail_message = metadata.get("Fail", {}).get("ErrorMessage")
        record.detail = one_line(fail_message or summary.get("FailureReason") or "no reason given")
    record.log = job_arn(summary)
    return record


def output_uri(value: Any, execution: str) -> str | None:
    """A processing output's S3 URI in this execution: literal, or a ``Std:Join`` over execution
    variables (a per-execution prefix); None for what only the service can resolve."""
    scope = Scope(parameters={}, execution={"PipelineExecutionId": execution})
    try:
        uri = resolve(value, scope)
    except ExpressionError:
        return None
    return uri if isinstance(uri, str) else None


def step_properties(
    node: StepNode, summary: Mapping[str, Any], execution: str = ""
) -> dict[str, Any]:
    """The properties the summary reads, for a step that succeeded (or was a cache hit).

    Processing outputs are the definition's S3 URIs, resolved for ``execution`` (its id; a cache
    hit's outputs are those of the execution it reused); the model artifact is where SageMaker
    puts it: ``<S3OutputPath>/<training job name>/output/model.tar.gz``.
    """
    arguments = node.spec.get("Arguments", {})
    if node.type == "Processing":
        source = summary.get("CacheHitResult", {}).get("SourcePipelineExecutionArn")
        owner = execution_id(source) if source else execution
        outputs = {}
        for output in arguments.get("ProcessingOutputConfig", {}).get("Outputs", []):
            uri = output_uri(output.get("S3Output", {}).get("S3Uri"), owner)
            if uri:
                outputs[output["OutputName"]] = {"S3Output": {"S3Uri": uri}}
        return {"ProcessingOutputConfig": {"Outputs": outputs}}
    if node.type == "Training":
        root = arguments.get("OutputDataConfig", {}).get("S3OutputPath")
        job = summary.get("Metadata", {}).get("TrainingJob", {}).get("Arn", "")
        if isinstance(root, str) and job:
            model = f"{root.rstrip('/')}/{job.rsplit('/', 1)[-1]}/output/model.tar.gz"
            return {"ModelArtifacts": {"S3ModelArtifacts": model}}
    return {}


def failure_reason(records: list[StepRecord], execution: Mapping[str, Any]) -> str | None:
    for record in records:
        if record.status == "Failed":
            return (
                record.detail
                if record.type == "Fail"
                else f"step {record.name} failed: {record.detail}"
            )
    reason = execution.get("FailureReason")
    if reason:
        return one_line(reason)
    if execution["PipelineExecutionStatus"] == "Stopped":
        return "the execution was stopped"
    return None


def snapshot(sagemaker: Any, arn: str, definition: Mapping[str, Any], now: Clock) -> AwsExecution:
    """The execution as it is now: describe it, then list its steps."""
    described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
    summaries = {step["StepName"]: step for step in list_steps(sagemaker, arn)}
    at = now()
    status = described["PipelineExecutionStatus"]
    graph = build_graph(definition)
    records: list[StepRecord] = []
    properties: dict[str, dict[str, Any]] = {}
    for name in graph.topological_order():
        node = graph.steps[name]
        if name not in summaries:
            records.append(
                StepRecord(name, node.type, "Skipped" if status in TERMINAL else "NotStarted")
            )
            continue
        record = step_record(node, summaries[name], at)
        records.append(record)
        if record.status in ("Succeeded", "Cached"):
            properties[name] = step_properties(node, summaries[name], execution_id(arn))
    ended = described.get("LastModifiedTime") if status in TERMINAL else None
    started = described.get("CreationTime") or described.get("StartTime")
    seconds = ((ended or at) - started).total_seconds() if started else 0.0
    result = ExecutionResult(
        execution_id=execution_id(arn),
        pipeline_name=arn.split(":pipeline/", 1)[-1].split("/", 1)[0],
        status=status,
        parameters={},
        steps=records,
        failure_reason=failure_reason(records, described),
        properties=properties,
    )
    jobs = {r.name: r.log for r in records if r.log}
    return AwsExecution(arn, result, max(0.0, seconds), ended, jobs)


class TransitionPrinter:
    """Prints a step when it starts and when it ends, once each, like the local run."""

    def __init__(self, write: Callable[[str], None] = print) -> None:
        self.write = write
        self.seen: dict[str, str] = {}

    def update(self, execution: AwsExecution) -> None:
        for record in execution.result.steps:
            before = self.seen.get(record.name)
            if record.status == before or record.status in ("NotStarted", "Skipped"):
                continue
            self.seen[record.name] = record.status
            if record.status in RUNNING:
                if before is None:
                    self.write(f"▶ {record.name} ({record.type})")
                elif record.status == "Stopping":
                    self.write(f"■ {record.name}  stopping")
                continue
            self._finish(record)

    def _finish(self, record: StepRecord) -> None:
        detail = f"  {record.detail}" if record.detail and record.status != "Failed" else ""
        self.write(
            f"{MARKS.get(record.status, '?')} {record.name}  {record.status.lower()}"
            f"  {record.seconds:.1f}s{detail}"
        )
        if record.status == "Failed":
            self.write(f"  reason: {record.detail}")
        if record.status in ("Failed", "Stopped") and record.log:
            self.write(f"  job: {record.log}")
            self.write(f"  logs: {logs_hint(record.log)}")


def follow(
    arn: str,
    sagemaker: Any,
    write: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
    now: Clock = utc_now,
    poll_seconds: float = POLL_SECONDS,
) -> AwsExecution:
    """Poll the execution every ``poll_seconds`` until it is over, printing step transitions."""
    definition = execution_definition(sagemaker, arn)
    printer = TransitionPrinter(write)
    while True:
        execution = snapshot(sagemaker, arn, definition, now)
        printer.update(execution)
        if execution.terminal:
            return execution
        sleep(poll_seconds)


def latest_execution_arn(settings: Settings, sagemaker: Any) -> str:
    response = sagemaker.list_pipeline_executions(
        PipelineName=settings.pipeline_name,
        SortBy="CreationTime",
        SortOrder="Descending",
        MaxResults=1,
    )
    summaries = response.get("PipelineExecutionSummaries", [])
    if not summaries:
        raise AwsSetupError(
            f"pipeline {settings.pipeline_name} has no executions yet: start one with "
            "`make pipeline-run TARGET=aws`"
        )
    # SageMaker returns the newest only; a service that ignores MaxResults (moto) returns all.
    newest = max(enumerate(summaries), key=lambda item: (item[1]["StartTime"], item[0]))
    return newest[1]["PipelineExecutionArn"]


def describe_last(settings: Settings, sagemaker: Any, now: Clock = utc_now) -> AwsExecution:
    """The newest execution of the pipeline, as it is now (no waiting)."""
    arn = latest_execution_arn(settings, sagemaker)
    return snapshot(sagemaker, arn, execution_definition(sagemaker, arn), now)
