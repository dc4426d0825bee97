"""The AWS target: run the compiled pipeline on SageMaker and print the local run's summary.

    [sync data] -> compile -> upload step code -> upsert pipeline -> start -> follow -> summary

- sync data (``--sync-data`` / ``--data``): mirror a local Decision folder to the raw bucket
  and point ``InputDataUrl`` at it (`pipelines.aws.s3.sync_data`);
- compile offline (`pipelines.compile`), then put the step code the definition names in the
  artifacts bucket (`pipelines.aws.s3.upload_code`);
- create or update the pipeline (`pipelines.aws.pipeline.upsert`); ``--upsert-only`` stops here;
- start an execution with the ``--param`` overrides (`pipelines.aws.pipeline.start`);
  ``--no-follow`` prints its ARN and stops here;
- follow it step by step (`pipelines.aws.follow.follow`) and print the summary: step status
  and durations, model quality beside the best achievable, the registered version and model
  package, output locations. ``--describe`` prints that summary for the newest execution.

Exit codes: 0 succeeded (or nothing to wait for), 1 the execution failed or was stopped,
2 something to fix first (`AwsSetupError`: one line saying what), 130 interrupted while
following (the execution goes on).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from pipelines.aws.clients import AwsClients, make_clients
from pipelines.aws.errors import ACCESS_DENIED, AwsSetupError, explain
from pipelines.aws.follow import AwsExecution, describe_last, follow, logs_hint, utc_now
from pipelines.aws.pipeline import start, upsert
from pipelines.aws.s3 import S3ResultFiles, missing_files, sync_data, upload_code
from pipelines.compile import compile_pipeline, write_definition
from pipelines.config import Settings
from pipelines.local.executor import resolve_parameters
from pipelines.summary import render

EXIT_FAILED, EXIT_INTERRUPTED = 1, 130
DESCRIBE_HINT = 'make pipeline-run TARGET=aws AWS_ARGS="--describe"'


@dataclass(frozen=True)
class DataUpload:
    """A local data folder and the S3 prefix it is mirrored to."""

    folder: Path
    uri: str


@dataclass(frozen=True)
class AwsRequest:
    """What the command line asked of the AWS target."""

    overrides: Mapping[str, str] = field(default_factory=dict)
    data: DataUpload | None = None
    required_files: tuple[str, ...] = ()  # what InputDataUrl must hold before a start
    upsert_only: bool = False
    follow: bool = True
    describe: bool = False


def summary(execution: AwsExecution, s3: Any, settings: Settings) -> str:
    extra = {"execution": execution.arn}
    for name, arn in execution.jobs.items():
        if execution.result.step(name).status in ("Failed", "Stopped"):
            extra[f"{name} job"] = arn
            extra[f"{name} logs"] = logs_hint(arn)
    if settings.mlflow_tracking_uri:
        extra["MLflow"] = settings.mlflow_tracking_uri
    files = S3ResultFiles(s3, written_before=execution.ended)
    return render(execution.result, files, execution.seconds, extra)


def exit_code(execution: AwsExecution) -> int:
    return EXIT_FAILED if execution.terminal and not execution.result.succeeded else 0


def input_data_url(definition: Mapping[str, Any], overrides: Mapping[str, str]) -> str | None:
    if "InputDataUrl" in overrides:
        return overrides["InputDataUrl"]
    declared = {p["Name"]: p for p in definition.get("Parameters", [])}
    return declared.get("InputDataUrl", {}).get("DefaultValue")


def check_input_data(s3: Any, uri: str | None, names: tuple[str, ...], write) -> None:
    """Fail now, not minutes into Preprocess, when the input data is not where it should be."""
    if not uri or not names or not uri.startswith("s3://"):
        return
    try:
        missing = missing_files(s3, uri, names)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ACCESS_DENIED:
            raise
        write(f"  (not allowed to list {uri}, so its data is not checked)")
        return
    if missing:
        raise AwsSetupError(
            f"{uri} lacks {', '.join(missing)}: upload the data first with --sync-data "
            "(the demo data) or --data DIR"
        )


class AwsTarget:
    """One invocation of the AWS target, with its clients and output."""

    def __init__(
        self,
        settings: Settings,
        clients: AwsClients,
        write: Callable[[str], None] = print,
        sleep: Callable[[float], None] = time.sleep,
        now=utc_now,
    ) -> None:
        self.settings = settings
        self.clients = clients
        self.write = write
        self.sleep = sleep
        self.now = now

    def describe(self) -> int:
        execution = describe_last(self.settings, self.clients.sagemaker, self.now)
        self.write(summary(execution, self.clients.s3, self.settings))
        return exit_code(execution)

    def run(self, request: AwsRequest) -> int:
        settings, s3, sagemaker = self.settings, self.clients.s3, self.clients.sagemaker
        self.write("Compiling the pipeline definition ...")
        compiled = compile_pipeline(settings, "aws")
        path = write_definition(compiled, settings.build_dir / "pipeline-definition.json")
        self.write(f"  {path} ({len(compiled.definition['Steps'])} top-level steps)")
        overrides = dict(request.overrides)
        if request.data:
            overrides["InputDataUrl"] = request.data.uri
        if not request.upsert_only:
            resolve_parameters(compiled.definition.get("Parameters", []), overrides)
        if request.data:
            sync_data(request.data.folder, request.data.uri, s3, self.write)
        if not request.upsert_only:
            uri = input_data_url(compiled.definition, overrides)
            check_input_data(s3, uri, request.required_files, self.write)
        upload_code(compiled.uploaded, s3, self.write)
        upserted = upsert(compiled.definition, settings, sagemaker)
        self.write(f"Pipeline {upserted.action}: {upserted.arn}")
        if request.upsert_only:
            return 0
        arn = start(compiled.definition, settings, overrides, sagemaker, self.now)
        self.write(f"Started {arn}")
        if not request.follow:
            self.write(f"See where it is with `{DESCRIBE_HINT}` or in SageMaker Studio.")
            return 0
        self.write("Following it (Ctrl-C stops following, not the execution) ...\n")
        try:
            execution = follow(arn, sagemaker, self.write, self.sleep, self.now)
        except KeyboardInterrupt:
            self.write(f"\nStopped following; the execution goes on. `{DESCRIBE_HINT}` shows it.")
            return EXIT_INTERRUPTED
        self.write(summary(execution, s3, settings))
        return exit_code(execution)


def run_aws(
    request: AwsRequest,
    settings: Settings,
    clients: AwsClients | None = None,
    write: Callable[[str], None] = print,
    sleep: Callable[[float], None] = time.sleep,
    now=utc_now,
) -> int:
    """Run (or describe) the pipeline on SageMaker; AWS errors become `AwsSetupError`."""
    if not request.describe:
        settings.require_aws()  # a missing setting first: it needs no login to tell
    try:
        target = AwsTarget(settings, clients or make_clients(settings), write, sleep, now)
        return target.describe() if request.describe else target.run(request)
    except (ClientError, BotoCoreError) as error:
        raise AwsSetupError(explain(error, settings)) from None
