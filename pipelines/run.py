"""Run the pipeline: ``python -m pipelines.run [--target local|aws] [--data DIR] [--param K=V]``.

Locally (the default): generates the demo data on first use (or copies ``--data`` into the
local lake), compiles the definition, runs it with the local executor, prints a summary and
prunes old executions (``--keep-executions``). One local run at a time per workspace: a run
started while another holds the workspace waits for it (``--wait`` seconds at most, 0 refuses
at once), then runs; two never run side by side (`pipelines.local.workspace`).

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
step (or was stopped), 2 for a usage error or something to fix first (bad parameter, missing
data files, a setting, a bucket, a role or credentials, a workspace another run holds), and
130 when interrupted with Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.config import PROJECT_ROOT, MissingSettingError, Settings, load_settings
from pipelines.lake import Lake, LakePathError, folder_digest, temporary_sibling, write_atomically
from pipelines.local.executor import ParameterError, new_execution_id, resolve_parameters
from pipelines.local.graph import DefinitionError
from pipelines.local.workspace import WorkspaceBusy, WorkspaceLock

if TYPE_CHECKING:
    from pipelines.aws.runner import AwsRequest
    from pipelines.compile import CompiledPipeline

RAW_FILES = ("vagas.json", "applicants.json", "prospects.json")
EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
DEFAULT_WAIT_SECONDS = 3600
#: Written beside the compiled definition: its parameters, and a hash of the code that declared
#: them, so the next run checks ``--param`` before it compiles (when that code is unchanged).
PARAMETERS_FILE = "pipeline-parameters.json"
STAGED_DATA = re.compile(r"^user-.+-[0-9a-f]{12}$")
#: The local parameter the runner sets itself (`pipelines.registry_state`).
REGISTRY_STATE = "RegistryState"


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
    parser.add_argument(
        "--wait",
        type=_seconds,
        default=DEFAULT_WAIT_SECONDS,
        metavar="SECONDS",
        help="when another run holds the workspace, wait for it this long at most "
        f"(default {DEFAULT_WAIT_SECONDS}; 0: refuse at once)",
    )
    parser.add_argument(
        "--keep-executions",
        type=_count,
        default=None,
        metavar="N",
        help="keep the last N executions' folders, prune older ones "
        "(default: MATCH_KEEP_EXECUTIONS, 10; 0 keeps everything)",
    )
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
LOCAL_ONLY = ("keep_executions",)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


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
    """Copy a user's data folder into the raw lake; return its URI. The folder is untouched.

    The copy is named by its content (``user-<folder name>-<hash>``): unchanged data is not
    copied again, changed data gets a new name, and a staged copy is never rewritten or removed
    while a run may read it (pruning removes the ones no kept execution read).
    """
    check_data_folder(folder)
    digest = folder_digest(folder)[:12]
    uri = f"s3://{settings.raw_bucket}/{dataset_name_for(folder)}-{digest}"
    lake.put_folder_once(folder, uri)
    return uri


def staged_data_sets(settings: Settings, lake: Lake) -> list[str]:
    """URIs of the user data sets ``stage_user_data`` copied into the raw lake."""
    raw = lake.path(f"s3://{settings.raw_bucket}")
    if not raw.is_dir():
        return []
    return [
        f"s3://{settings.raw_bucket}/{path.name}"
        for path in sorted(raw.iterdir())
        if path.is_dir() and STAGED_DATA.match(path.name)
    ]


def _counts_in_words(counts: dict[str, Any]) -> str:
    files = counts.get("cv_files", {}).get("total", 0)
    return (
        f"{counts['jobs']:,} jobs, {counts['applicants']:,} applicants, "
        f"{counts['applications']:,} applications, {files:,} CV files"
    )


#: The generator profile of the demo data (datagen's default: shaped like the real files) and its
#: size: a quarter of the published set. Three applications in four are still in progress there,
#: so a tenth would leave under 200 labelled rows to test on: too few to measure a model by.
DEMO_PROFILE, DEMO_SCALE = "real", 0.25
GENERATOR_REPORT = Path("_truth") / "generator_report.json"


def demo_data_profile(folder: Path) -> str | None:
    """The generator profile a demo data folder was made with ("rich" before profiles existed)."""
    try:
        report = json.loads((folder / GENERATOR_REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return str(report.get("profile", "rich"))


def ensure_demo_data(settings: Settings, lake: Lake) -> str:
    """The demo data set, generated into the raw lake on first use (atomically)."""
    uri = f"s3://{settings.raw_bucket}/{settings.dataset}"
    folder = lake.path(uri)
    stale = demo_data_profile(folder) != DEMO_PROFILE
    if stale or not all((folder / name).exists() for name in RAW_FILES):
        from datagen import generate

        if stale and (folder / RAW_FILES[0]).exists():
            print(
                f"The demo data in {folder} is not of the generator's {DEMO_PROFILE} profile: "
                "generating it again ..."
            )
        else:
            print(f"Generating the demo data set into {folder} (first run only) ...")
        scratch = temporary_sibling(folder)
        try:
            report = generate(scratch, seed=42, scale=DEMO_SCALE, signal=True, log=None)
            if folder.exists():
                shutil.rmtree(folder)  # an incomplete set: its files are not all there
            scratch.rename(folder)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        print(f"  {_counts_in_words(report['counts'])}")
    return uri


def image_resolver(expected: str):
    def image_path(uri: str) -> Path:
        if uri != expected:
            raise UsageError(
                f"the definition names image {uri}, but this checkout is {expected}: recompile"
            )
        return PROJECT_ROOT

    return image_path


def _parameters_record(settings: Settings) -> Path:
    return settings.build_dir / PARAMETERS_FILE


def _declaring_code_hash() -> str:
    """A hash of the pipeline package's code: what declares the parameters and their types."""
    from pipelines.compile import hash_files

    return hash_files(sorted((PROJECT_ROOT / "pipelines").rglob("*.py")))


def check_parameters_early(overrides: dict[str, str], settings: Settings) -> bool:
    """Check ``--param`` names and types against the last compile, when its code is current.

    Raises ``ParameterError`` for a bad one; returns False when there is nothing current to
    check against (the executor checks again after compiling, in any case).
    """
    try:
        record = json.loads(_parameters_record(settings).read_text())
        if record["code"] != _declaring_code_hash() or record["target"] != "local":
            return False
        declared = record["parameters"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    resolve_parameters(declared, overrides)
    return True


def record_parameters(compiled: CompiledPipeline, settings: Settings) -> None:
    record = {
        "target": "local",
        "code": _declaring_code_hash(),
        "parameters": compiled.definition.get("Parameters", []),
    }
    write_atomically(_parameters_record(settings), json.dumps(record, indent=2).encode())


def _what_it_runs(args: argparse.Namespace) -> str:
    data = f"--data {args.data}" if args.data else "the demo data"
    return " ".join([data, *args.param])


def run_local(args: argparse.Namespace, settings: Settings) -> int:
    """Check what can be checked, take the workspace, run, summarise, prune, let go."""
    overrides = parse_overrides(args.param)
    if args.data:
        check_data_folder(args.data)
        if "InputDataUrl" in overrides:
            raise UsageError("--param InputDataUrl and --data both name the data: give one")
    if REGISTRY_STATE in overrides:
        raise UsageError(f"{REGISTRY_STATE} is the registry's state, which the run reads itself")
    check_parameters_early(overrides, settings)
    execution_id = new_execution_id()
    state_dir = settings.lake_dir / ".executor"
    lock = WorkspaceLock(state_dir, where=str(settings.lake_dir))
    lock.acquire({"execution_id": execution_id, "running": _what_it_runs(args)}, args.wait)
    try:
        return _run_in_workspace(args, settings, overrides, execution_id)
    finally:
        lock.release()


def _run_in_workspace(
    args: argparse.Namespace, settings: Settings, overrides: dict[str, str], execution_id: str
) -> int:
    from pipelines.compile import compile_cached, local_image_uri, publish_uploads
    from pipelines.local.executor import Console, LocalExecutor
    from pipelines.summary import render

    started = time.perf_counter()
    lake = Lake(settings.lake_dir)
    data_uri = stage_user_data(args.data, settings, lake) if args.data else None
    if data_uri is None and "InputDataUrl" not in overrides:
        ensure_demo_data(settings, lake)
    if data_uri:
        overrides["InputDataUrl"] = data_uri
    print("Compiling the pipeline definition ...")
    compiled = compile_cached(settings, "local")
    definition_path = settings.build_dir / "pipeline-definition.json"
    write_atomically(definition_path, compiled.to_json().encode("utf-8"))
    record_parameters(compiled, settings)
    publish_uploads(compiled, lake)
    reused = ", unchanged code and settings: the last compile reused" if compiled.reused else ""
    print(f"  {definition_path} ({len(compiled.definition['Steps'])} top-level steps{reused})\n")
    executor = LocalExecutor(
        compiled.definition,
        settings.pipeline_name,
        lake,
        settings.lake_dir / ".executor",
        image_resolver(local_image_uri()),
        Console(verbose=not args.quiet),
        use_cache=not args.no_cache,
        parallel=settings.parallel_steps(),
        fork_server=settings.local_fork_server,
    )
    overrides[REGISTRY_STATE] = state = registry_state_to_run_with(settings, execution_id)
    result = executor.run(overrides, execution_id=execution_id)
    record_registry_state(settings, state)
    extra = {"MLflow": settings.tracking_uri_for("local")}
    if args.data:
        extra["input data"] = f"{args.data} (copied to {data_uri})"
    print(render(result, lake, time.perf_counter() - started, extra))
    prune(args, settings, lake, executor, execution_id)
    return 0 if result.succeeded else EXIT_FAILED


def _registry_state_now(settings: Settings) -> str | None:
    from pipelines.registry_state import registry_state

    return registry_state(
        settings.tracking_uri_for("local"), settings.local_tracking_store_id(), settings.model_name
    )


def _registry_record(settings: Settings) -> Path:
    from pipelines.registry_state import RECORD_FILE

    return settings.lake_dir / ".executor" / RECORD_FILE


def registry_state_to_run_with(settings: Settings, execution_id: str) -> str:
    from pipelines.registry_state import state_to_run_with

    now = _registry_state_now(settings)
    return state_to_run_with(now, _registry_record(settings), execution_id)


def record_registry_state(settings: Settings, ran_with: str) -> None:
    from pipelines.registry_state import record_state

    record_state(_registry_record(settings), ran_with, _registry_state_now(settings))


def prune(
    args: argparse.Namespace, settings: Settings, lake: Lake, executor, execution_id: str
) -> None:
    """Keep the last N executions (``--keep-executions``, else the setting); say what went."""
    from pipelines.local.prune import prune_workspace

    keep = settings.keep_executions if args.keep_executions is None else args.keep_executions
    if keep == 0:
        return
    try:
        report = prune_workspace(
            settings.lake_dir / ".executor",
            lake,
            executor.cache,
            keep,
            current=execution_id,
            staged=staged_data_sets(settings, lake),
        )
    except OSError as error:
        print(f"\nNot pruned: {error}")
        return
    line = report.line()
    if line:
        print(f"\n{line}")


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
            given = [_flag(dest) for dest in LOCAL_ONLY if getattr(args, dest) is not None]
            if given:
                raise UsageError(f"{', '.join(given)} only apply to --target local")
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
        WorkspaceBusy,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\nstopped (Ctrl-C)", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
