"""Run Processing and Training jobs of a definition on this machine, as their containers would.

A job gets a work folder standing in for the container's file system: ``/opt/ml/...`` in the
job's arguments becomes ``<work>/opt/ml/...``. Inputs are linked in from the local lake before
the job (hard links: a job must not write into its inputs, and the step fails if one does),
outputs moved back after it succeeds, exactly where the definition says. The local
"image" is this checkout: its library code goes on PYTHONPATH, the step's own code comes from
the lake, where the compiler uploaded it.

Locally, a Processing job that fails still hands over the outputs it wrote (a data report
saying why it stopped, for instance): they are copied to the lake, and named in the failure,
so the report of the failing run is where a successful run's would be. Outputs it left empty
are not touched. The job log is written line by line, so a run killed mid-job leaves the lines
so far, and the job's output goes to a file, not a terminal: progress bars are turned off.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.lake import Lake
from pipelines.local.forkserver import ForkedProcess, ForkServer

CONTAINER_ROOT = "/opt/ml"
LOG_TAIL_LINES = 25


#: Set in every job's environment unless the definition sets them: output goes to a log file.
QUIET_PROGRESS = {"TQDM_DISABLE": "1", "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false"}


class JobFailed(RuntimeError):
    """A job exited non-zero; carries the tail of its log and its last line for the user."""

    def __init__(self, job_name: str, exit_code: int, log_tail: list[str], log_path: Path) -> None:
        super().__init__(f"{job_name} exited with code {exit_code}")
        self.exit_code = exit_code
        self.log_tail = log_tail
        self.log_path = log_path
        #: what the job wrote before it stopped (the outputs it published), Describe-like
        self.properties: dict[str, Any] = {}

    @property
    def reason(self) -> str:
        """One line: the exit code and the job's last words (a Python error's last line)."""
        last = next((line.strip() for line in reversed(self.log_tail) if line.strip()), "")
        return f"exit code {self.exit_code}" + (f": {last}" if last else "")


@dataclass(frozen=True)
class JobContext:
    lake: Lake
    work_dir: Path
    job_name: str
    image_path: Callable[[str], Path]  # image URI -> folder to put on PYTHONPATH
    echo: Callable[[str], None] | None = None
    #: forks Python jobs from a process with the heavy libraries imported (None: never)
    fork_server: ForkServer | None = None

    def container_path(self, path: str) -> Path:
        return self.work_dir / path.lstrip("/")

    def map_argument(self, value: str) -> str:
        return str(self.container_path(value)) if value.startswith(CONTAINER_ROOT) else value


def _start(
    command: list[str], env: Mapping[str, str], cwd: Path, ctx: JobContext, image_dir: Path
) -> subprocess.Popen[str] | ForkedProcess:
    """The job's process: forked by the run's fork server when it can, else a fresh Python.

    The first job starts the server (with the environment every job shares) and runs afresh
    while the server imports; the jobs after it find the server ready.
    """
    if ctx.fork_server is not None:
        ctx.fork_server.start(_environment({}, image_dir))
        forked = ctx.fork_server.launch(command, env, cwd)
        if forked is not None:
            return forked
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
    )


def _run(
    command: list[str], env: Mapping[str, str], cwd: Path, ctx: JobContext, image_dir: Path
) -> None:
    log_path = ctx.work_dir / "job.log"
    tail: deque[str] = deque(maxlen=LOG_TAIL_LINES)
    with log_path.open("w", encoding="utf-8", buffering=1) as log:
        process = _start(command, env, cwd, ctx, image_dir)
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            tail.append(line.rstrip("\n"))
            if ctx.echo:
                ctx.echo(line.rstrip("\n"))
        code = process.wait()
    if code != 0:
        raise JobFailed(ctx.job_name, code, list(tail), log_path)


def _environment(extra: Mapping[str, Any], image_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SM_")}
    env.update(QUIET_PROGRESS)
    env.update({key: str(value) for key, value in extra.items()})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(image_dir), env.get("PYTHONPATH")]))
    return env


def _python_command(entrypoint: list[str]) -> list[str]:
    """The container's ``python3`` is this environment's interpreter."""
    head, *rest = entrypoint
    return [sys.executable, *rest] if Path(head).name.startswith("python") else entrypoint


def run_processing_job(arguments: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Run a resolved CreateProcessingJob request; return its Describe-like properties."""
    app = arguments["AppSpecification"]
    image_dir = ctx.image_path(app["ImageUri"])
    inputs = {
        ctx.container_path(item["S3Input"]["LocalPath"]): item["S3Input"]["S3Uri"]
        for item in arguments.get("ProcessingInputs", [])
    }
    before = _link_inputs(ctx, inputs)
    outputs = arguments.get("ProcessingOutputConfig", {}).get("Outputs", [])
    for item in outputs:
        ctx.container_path(item["S3Output"]["LocalPath"]).mkdir(parents=True, exist_ok=True)

    command = _python_command(app["ContainerEntrypoint"]) + list(app.get("ContainerArguments", []))
    command = [ctx.map_argument(part) for part in command]
    env = _environment(arguments.get("Environment", {}), image_dir)
    try:
        _run(command, env, ctx.work_dir, ctx, image_dir)
    except JobFailed as failure:
        _check_inputs_untouched(before, ctx)
        written = [item for item in outputs if _wrote_files(ctx, item)]
        _publish(ctx, written)
        failure.properties = _processing_properties(ctx, "Failed", written)
        raise
    _check_inputs_untouched(before, ctx)
    _publish(ctx, outputs, move=True)
    return _processing_properties(ctx, "Completed", outputs)


#: (inode, size, modification time) of each input file, as the job found it
FileStates = dict[Path, tuple[int, int, int]]


class InputWritten(RuntimeError):
    """A job wrote into one of its input files, which locally are the lake's own files."""


def _link_inputs(ctx: JobContext, inputs: Mapping[Path, str]) -> FileStates:
    """Each input's files, hard-linked from the lake (copied where links cannot be made).

    Thousands of files take milliseconds, where copies took seconds. A job must not write into
    its inputs (on SageMaker they are private copies): ``_check_inputs_untouched`` says so if
    one does.
    """
    for local, uri in inputs.items():
        ctx.lake.download(uri, local, link=True)
    return _file_states(inputs)


def _file_states(folders: Iterable[Path]) -> FileStates:
    states: FileStates = {}
    for folder in folders:
        for path in folder.rglob("*") if folder.is_dir() else []:
            if path.is_file():
                info = path.stat()
                states[path] = (info.st_ino, info.st_size, info.st_mtime_ns)
    return states


def _check_inputs_untouched(before: FileStates, ctx: JobContext) -> None:
    """Fail the step when the job changed an input file in place (a new file is no harm)."""
    for path, (inode, size, mtime) in before.items():
        try:
            info = path.stat()
        except OSError:
            continue  # removed: the lake's file is untouched
        if info.st_ino == inode and (info.st_size, info.st_mtime_ns) != (size, mtime):
            raise InputWritten(
                f"{ctx.job_name} wrote into its input file {path.relative_to(ctx.work_dir)}: "
                "locally inputs are links to the lake's files, so the lake's copy changed too "
                "(on SageMaker they are private copies); write to an output folder instead"
            )


def _wrote_files(ctx: JobContext, output: Mapping[str, Any]) -> bool:
    folder = ctx.container_path(output["S3Output"]["LocalPath"])
    return any(path.is_file() for path in folder.rglob("*"))


def _publish(ctx: JobContext, outputs: list[Mapping[str, Any]], *, move: bool = False) -> None:
    """Outputs to the lake. ``move``: the work folder goes next (the job succeeded), so each
    output folder is renamed into the lake rather than copied, unless it holds or lies in
    another output's folder."""
    folders = [ctx.container_path(item["S3Output"]["LocalPath"]) for item in outputs]
    for item, folder in zip(outputs, folders, strict=True):
        nested = any(
            other != folder and (other.is_relative_to(folder) or folder.is_relative_to(other))
            for other in folders
        )
        ctx.lake.upload(folder, item["S3Output"]["S3Uri"], move=move and not nested)


def _processing_properties(
    ctx: JobContext, status: str, outputs: list[Mapping[str, Any]]
) -> dict[str, Any]:
    return {
        "ProcessingJobName": ctx.job_name,
        "ProcessingJobStatus": status,
        "ProcessingOutputConfig": {
            "Outputs": {item["OutputName"]: item for item in outputs},
        },
    }


def _training_environment(
    arguments: Mapping[str, Any], channels: Mapping[str, Path], model_dir: Path, output_dir: Path
) -> dict[str, str]:
    """The SM_* variables the SDK's container drivers give a script-mode entry point."""
    hyperparameters = arguments.get("HyperParameters", {})
    env = {
        "SM_MODEL_DIR": str(model_dir),
        "SM_OUTPUT_DATA_DIR": str(output_dir),
        "SM_CHANNELS": json.dumps(sorted(channels)),
        "SM_HPS": json.dumps(hyperparameters),
        "SM_CURRENT_HOST": "algo-1",
        "SM_HOSTS": json.dumps(["algo-1"]),
        "SM_NUM_CPUS": str(os.cpu_count() or 1),
        "SM_NUM_GPUS": "0",
    }
    env.update({f"SM_CHANNEL_{name.upper()}": str(path) for name, path in channels.items()})
    return env


def run_training_job(arguments: Mapping[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Run a resolved CreateTrainingJob request in script mode; return Describe-like properties."""
    spec = arguments["AlgorithmSpecification"]
    image_dir = ctx.image_path(spec["TrainingImage"])
    channels: dict[str, Path] = {}
    inputs: dict[Path, str] = {}
    for channel in arguments.get("InputDataConfig", []):
        local = ctx.container_path(f"{CONTAINER_ROOT}/input/data/{channel['ChannelName']}")
        inputs[local] = channel["DataSource"]["S3DataSource"]["S3Uri"]
        channels[channel["ChannelName"]] = local
    before = _link_inputs(ctx, inputs)

    code_dir = channels.pop("code", None)
    drivers = channels.pop("sm_drivers", None)
    if code_dir is None or drivers is None:
        raise ValueError("training step has no 'code'/'sm_drivers' channels: not script mode")
    source = json.loads((drivers / "sourcecode.json").read_text())
    model_dir = ctx.container_path(f"{CONTAINER_ROOT}/model")
    output_dir = ctx.container_path(f"{CONTAINER_ROOT}/output/data")
    model_dir.mkdir(parents=True, exist_ok=True)
    output_dir.mkdir(parents=True, exist_ok=True)

    hyperparameters = arguments.get("HyperParameters", {})
    command = [sys.executable, str(code_dir / source["entry_script"])]
    for key, value in hyperparameters.items():
        command += [f"--{key}", str(value)]
    env = _environment(arguments.get("Environment", {}), image_dir)
    env.update(_training_environment(arguments, channels, model_dir, output_dir))
    _run(command, env, code_dir, ctx, image_dir)
    _check_inputs_untouched(before, ctx)

    output_path = arguments["OutputDataConfig"]["S3OutputPath"].rstrip("/")
    artifact_uri = f"{output_path}/{ctx.job_name}/output/model.tar.gz"
    archive = ctx.work_dir / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for path in sorted(model_dir.rglob("*")):
            tar.add(path, arcname=path.relative_to(model_dir).as_posix(), recursive=False)
    ctx.lake.write_bytes(artifact_uri, archive.read_bytes())
    return {
        "TrainingJobName": ctx.job_name,
        "TrainingJobStatus": "Completed",
        "HyperParameters": hyperparameters,
        "ModelArtifacts": {"S3ModelArtifacts": artifact_uri},
    }
