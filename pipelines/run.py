"""Run the pipeline: ``python -m pipelines.run [--target local|aws] [--data DIR] [--param K=V]``.

Locally (the default): generates the demo data on first use (or mirrors ``--data`` into the
local lake), compiles the definition, runs it with the local executor and prints a summary.

On AWS (``--target aws``): compiles the same definition, uploads the step code it names,
creates or updates the SageMaker pipeline, starts an execution with the ``--param`` overrides,
follows it step by step and prints the same summary as the local run (`pipelines.aws`).
Options for it alone:

- ``--sync-data``: first mirror the local data folder (``--data DIR``, else the demo data,
  generated on first use) to the raw bucket and run on it; ``--data`` implies it;
- ``--upsert-only``: create or update the pipeline, start nothing;
- ``--no-follow``: start the execution, print its ARN and return;
- ``--describe``: print the summary of the newest execution; starts and uploads nothing.

The exit code is 0 when the execution succeeded, 1 when it stopped at a Fail step or a failing
step (or was stopped), and 2 for a usage error or something to fix first (bad parameter,
missing data files, a setting, a bucket, a role or credentials).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.config import PROJECT_ROOT, MissingSettingError, Settings, load_settings
from pipelines.lake import Lake, LakePathError
from pipelines.local.executor import ParameterError
from pipelines.local.graph import DefinitionError

if TYPE_CHECKING:
    from pipelines.aws.runner import AwsRequest

RAW_FILES = ("vagas.json", "applicants.json", "prospects.json")
EXIT_FAILED, EXIT_USAGE = 1, 2


class UsageError(ValueError):
    """Something the user asked for cannot be done; the message says what to change."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pipelines.run", description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=["local", "aws"], default="local")
    parser.add_argument(
        "--data",
        type=Path,
        help="folder with vagas.json, applicants.json, "
        "prospects.json (and optionally cvs/) to run on instead of demo data",
    )
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a pipeline parameter (repeatable)",
    )
    parser.add_argument("--no-cache", action="store_true", help="run every step afresh")
    parser.add_argument("--quiet", action="store_true", help="show step lines, not step output")
    aws = parser.add_argument_group("--target aws only")
    aws.add_argument(
        "--sync-data",
        action="store_true",
        help="upload --data (or the local demo data) to the raw bucket first and run on it",
    )
    aws.add_argument(
        "--upsert-only", action="store_true", help="create or update the pipeline, start nothing"
    )
    aws.add_argument(
        "--no-follow", action="store_true", help="start the execution, print its ARN, return"
    )
    aws.add_argument(
        "--describe",
        action="store_true",
        help="print the summary of the newest execution (no upload, no start)",
    )
    return parser.parse_args(argv)


AWS_ONLY = ("sync_data", "upsert_only", "no_follow", "describe")


def _flag(dest: str) -> str:
    return "--" + dest.replace("_", "-")


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--param takes NAME=VALUE, got {pair!r}")
        overrides[name.strip()] = value
    return overrides


def dataset_name_for(folder: Path) -> str:
    return "user-" + (
        re.sub(r"[^a-z0-9-]+", "-", folder.resolve().name.lower()).strip("-") or "data"
    )


def check_data_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise UsageError(f"--data {folder} is not a folder")
    missing = [name for name in RAW_FILES if not (folder / name).is_file()]
    if missing:
        raise UsageError(f"--data {folder} lacks {', '.join(missing)} (the Decision JSON files)")


def stage_user_data(folder: Path, settings: Settings, lake: Lake) -> str:
    """Mirror a user's data folder into the raw lake; return its URI. The folder is untouched."""
    check_data_folder(folder)
    uri = f"s3://{settings.raw_bucket}/{dataset_name_for(folder)}"
    target = lake.path(uri)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(folder, target)
    return uri


def ensure_demo_data(settings: Settings, lake: Lake) -> str:
    """The demo data set, generated into the raw lake on first use."""
    uri = f"s3://{settings.raw_bucket}/{settings.dataset}"
    folder = lake.path(uri)
    if not all((folder / name).exists() for name in RAW_FILES):
        from datagen import generate

        print(f"Generating the demo data set into {folder} (first run only) ...")
        report = generate(folder, seed=42, scale=0.1, signal=True, cv_file_share=0.1)
        print(f"  {report['counts']}")
    return uri


def image_resolver(expected: str):
    def image_path(uri: str) -> Path:
        if uri != expected:
            raise UsageError(
                f"the definition names image {uri}, but this checkout is {expected}: recompile"
            )
        return PROJECT_ROOT

    return image_path


def run_local(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.compile import (
        compile_pipeline,
        local_image_uri,
        publish_uploads,
        write_definition,
    )
    from pipelines.local.executor import Console, LocalExecutor
    from pipelines.summary import render

    started = time.perf_counter()
    lake = Lake(settings.lake_dir)
    overrides = parse_overrides(args.param)
    data_uri = stage_user_data(args.data, settings, lake) if args.data else None
    if data_uri is None and "InputDataUrl" not in overrides:
        ensure_demo_data(settings, lake)
    if data_uri:
        overrides["InputDataUrl"] = data_uri
    print("Compiling the pipeline definition ...")
    compiled = compile_pipeline(settings, "local")
    definition_path = write_definition(compiled, settings.build_dir / "pipeline-definition.json")
    publish_uploads(compiled, lake)
    print(f"  {definition_path} ({len(compiled.definition['Steps'])} top-level steps)\n")
    executor = LocalExecutor(
        compiled.definition,
        settings.pipeline_name,
        lake,
        settings.lake_dir / ".executor",
        image_resolver(local_image_uri()),
        Console(verbose=not args.quiet),
        use_cache=not args.no_cache,
    )
    result = executor.run(overrides)
    extra = {"MLflow": settings.tracking_uri_for("local")}
    print(render(result, lake, time.perf_counter() - started, extra))
    return 0 if result.succeeded else EXIT_FAILED


def aws_request(args: argparse.Namespace, settings: Settings) -> AwsRequest:
    """The AWS target's request from the command line; UsageError for what does not fit."""
    from pipelines.aws.runner import AwsRequest, DataUpload

    if args.no_cache:
        raise UsageError("--no-cache is for --target local; on SageMaker the definition caches")
    overrides = parse_overrides(args.param)
    if args.describe:
        given = [_flag(d) for d in ("sync_data", "upsert_only", "no_follow") if getattr(args, d)]
        given += ["--data"] * bool(args.data) + ["--param"] * bool(args.param)
        if given:
            raise UsageError(f"--describe starts nothing, so it takes no {', '.join(given)}")
        return AwsRequest(describe=True)
    if args.upsert_only and (args.param or args.no_follow):
        raise UsageError("--upsert-only starts no execution: drop --param / --no-follow")
    data = None
    if args.data or args.sync_data:
        if "InputDataUrl" in overrides:
            raise UsageError("--param InputDataUrl and --sync-data/--data both name the data")
        if args.data:
            check_data_folder(args.data)
            folder, dataset = args.data, dataset_name_for(args.data)
        else:
            lake = Lake(settings.lake_dir)
            folder, dataset = lake.path(ensure_demo_data(settings, lake)), settings.dataset
        data = DataUpload(folder, f"s3://{settings.raw_bucket}/{dataset}")
    return AwsRequest(
        overrides=overrides,
        data=data,
        required_files=RAW_FILES,
        upsert_only=args.upsert_only,
        follow=not args.no_follow,
    )


def run_aws(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.aws.errors import AwsSetupError
    from pipelines.aws.runner import run_aws as run_on_sagemaker

    request = aws_request(args, settings)
    try:
        return run_on_sagemaker(request, settings)
    except AwsSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = load_settings()
    try:
        if args.target == "aws":
            return run_aws(args, settings)
        given = [_flag(dest) for dest in AWS_ONLY if getattr(args, dest)]
        if given:
            raise UsageError(f"{', '.join(given)} only apply to --target aws")
        return run_local(args, settings)
    except (
        UsageError,
        MissingSettingError,
        ParameterError,
        DefinitionError,
        LakePathError,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
