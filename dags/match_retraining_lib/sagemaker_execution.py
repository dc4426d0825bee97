"""Read a finished SageMaker pipeline execution into a `RunReport`.

- status: DescribePipelineExecution;
- steps, the failed one and its reason: ListPipelineExecutionSteps (a Fail step's
  ``Metadata.Fail.ErrorMessage``, else the step's ``FailureReason``);
- evaluation and registration: the Evaluate and Register steps' processing jobs
  (DescribeProcessingJob) name the S3 prefixes their outputs went to; ``evaluation.json`` and
  ``registration.json`` are read from there, so the report follows wherever the definition
  writes them (a fixed prefix, or one per execution);
- the model package's approval status now (DescribeModelPackage): it may have been approved in
  Studio since the Register step wrote its file;
- a link to the execution in SageMaker Studio, given the Studio domain.

What cannot be read (a file missing, access denied) becomes a note in the report, not an error:
the execution's own outcome is what the run reports.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .report import RunReport

EVALUATE, REGISTER = "Evaluate", "Register"
OUTPUTS = {
    EVALUATE: ("evaluation", "evaluation.json"),
    REGISTER: ("registration", "registration.json"),
}
MAX_REASON = 1000


def one_line(text: str) -> str:
    return " ".join(str(text).split())[:MAX_REASON]


def execution_id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def studio_url(arn: str, domain_id: str) -> str:
    """The execution's page in SageMaker Studio, or how to get a link when no domain is set."""
    if not domain_id:
        return f"{arn} (set MATCH_STUDIO_DOMAIN_ID for a SageMaker Studio link)"
    region = arn.split(":")[3]
    pipeline = arn.split(":pipeline/", 1)[-1].split("/", 1)[0]
    return (
        f"https://studio-{domain_id}.studio.{region}.sagemaker.aws/pipelines/view/"
        f"{pipeline}/executions/{execution_id(arn)}/graph"
    )


def list_steps(sagemaker: Any, arn: str) -> list[dict[str, Any]]:
    """Every step of the execution, in the order they started."""
    pages = sagemaker.get_paginator("list_pipeline_execution_steps").paginate(
        PipelineExecutionArn=arn, SortOrder="Ascending"
    )
    return [step for page in pages for step in page.get("PipelineExecutionSteps", [])]


def failed_step(steps: list[dict[str, Any]]) -> tuple[str, str] | None:
    for step in steps:
        if step.get("StepStatus") == "Failed":
            metadata = step.get("Metadata", {})
            reason = metadata.get("Fail", {}).get("ErrorMessage") or step.get("FailureReason")
            return step["StepName"], one_line(reason or "no reason given")
    return None


def _job_name(step: dict[str, Any]) -> str | None:
    arn = step.get("Metadata", {}).get("ProcessingJob", {}).get("Arn")
    return arn.rsplit("/", 1)[-1] if arn else None


def _output_uri(job: dict[str, Any], output_name: str) -> str | None:
    for output in job.get("ProcessingOutputConfig", {}).get("Outputs", []):
        if output.get("OutputName") == output_name:
            return output.get("S3Output", {}).get("S3Uri")
    return None


def _read_json(s3: Any, uri: str) -> dict[str, Any]:
    bucket, _, key = uri[len("s3://") :].partition("/")
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    return json.loads(body)


def step_output(
    sagemaker: Any, s3: Any, steps: list[dict[str, Any]], name: str, notes: list[str]
) -> dict[str, Any] | None:
    """The JSON file a succeeded processing step wrote, or None (with a note when unreadable)."""
    step = next((s for s in steps if s.get("StepName") == name), None)
    if step is None or step.get("StepStatus") != "Succeeded" or not _job_name(step):
        return None
    output_name, file_name = OUTPUTS[name]
    try:
        job = sagemaker.describe_processing_job(ProcessingJobName=_job_name(step))
        prefix = _output_uri(job, output_name)
        if not prefix:
            notes.append(f"{name}: its job has no output named {output_name}")
            return None
        return _read_json(s3, f"{prefix.rstrip('/')}/{file_name}")
    except (ClientError, BotoCoreError, ValueError) as error:
        notes.append(f"{name}: {file_name} could not be read ({one_line(error)})")
        return None


def current_approval(sagemaker: Any, registration: dict[str, Any], notes: list[str]) -> None:
    """Replace the package's approval status at registration by its status now."""
    package = registration.get("model_package_arn")
    if not package:
        return
    try:
        described = sagemaker.describe_model_package(ModelPackageName=package)
    except (ClientError, BotoCoreError) as error:
        notes.append(f"model package {package} could not be described ({one_line(error)})")
        return
    registration["model_package_approval_status"] = described.get("ModelApprovalStatus")


def read_execution(sagemaker: Any, s3: Any, arn: str, studio_domain_id: str = "") -> RunReport:
    described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
    steps = list_steps(sagemaker, arn)
    report = RunReport(
        target="aws",
        execution=arn,
        status=described["PipelineExecutionStatus"],
        link=studio_url(arn, studio_domain_id),
        steps=[(s["StepName"], s.get("StepStatus", "?")) for s in steps],
    )
    failed = failed_step(steps)
    if failed:
        report.failed_step, report.failure_reason = failed
    elif not report.succeeded:
        report.failure_reason = one_line(described.get("FailureReason") or "") or None
    report.evaluation = step_output(sagemaker, s3, steps, EVALUATE, report.notes)
    report.registration = step_output(sagemaker, s3, steps, REGISTER, report.notes)
    if report.registration:
        current_approval(sagemaker, report.registration, report.notes)
    return report
