"""The AWS target: run the compiled pipeline on SageMaker and print the local run's summary.

    [sync data] -> compile -> upload step code -> upsert pipeline -> start -> follow -> summary

- sync data (``--sync-data`` / ``--data``): upload a local Decision folder to the raw bucket
  as a content-addressed snapshot and point ``InputDataUrl`` at it, as the execution's parameter
  and the definition's default (`pipelines.aws.snapshots`); without it the default is the data
  set's latest snapshot, so a scheduled run reads the data last synced;
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
from pipelines.aws.s3 import S3ResultFiles, missing_files, upload_code
from pipelines.aws.snapshots import (
    LocalFolder,
    is_snapshot,
    latest_snapshot,
    snapshot_uri,
    sync_snapshot,
)
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

    def default_input(self, request: AwsRequest, folder: LocalFolder | None) -> str:
        """InputDataUrl's default for the definition: the snapshot being synced, else the one
        MATCH_INPUT_DATA_URL names, else the data set's latest snapshot (what the schedule
        then runs), else the data set's folder itself (with a warning)."""
        if folder is not None and request.data is not None:
            return snapshot_uri(request.data.uri, folder.digest)
        if self.settings.input_data_url:
            return self.settings.input_data_url
        return latest_snapshot(self.clients.s3, self.settings.dataset_uri) or (
            self.settings.dataset_uri
        )

    def warn_unless_snapshot(self, uri: str | None) -> None:
        if uri and uri.startswith("s3://") and not is_snapshot(uri):
            self.write(
                f"  note: InputDataUrl {uri} is not a data snapshot: SageMaker's step cache keys "
                "on the URI, not on the files, so new data there would not retrain the model; "
                "upload data with --sync-data (or --data DIR)"
            )

    def run(self, request: AwsRequest) -> int:
        settings, s3, sagemaker = self.settings, self.clients.s3, self.clients.sagemaker
        folder = LocalFolder.read(request.data.folder) if request.data else None
        default_input = self.default_input(request, folder)
        self.write("Compiling the pipeline definition ...")
        compiled = compile_pipeline(
            settings.model_copy(update={"input_data_url": default_input}), "aws"
        )
        path = write_definition(compiled, settings.build_dir / "pipeline-definition.json")
        self.write(f"  {path} ({len(compiled.definition['Steps'])} top-level steps)")
        overrides = dict(request.overrides)
        if folder is not None:
            overrides["InputDataUrl"] = default_input
        if not request.upsert_only:
            resolve_parameters(compiled.definition.get("Parameters", []), overrides)
        if folder is not None and request.data is not None:
            sync_snapshot(folder, request.data.uri, s3, self.write)
        data_url = overrides.get("InputDataUrl", default_input)  # what the execution reads
        self.warn_unless_snapshot(data_url)
        if not request.upsert_only:
            check_input_data(s3, data_url, request.required_files, self.write)
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
