"""Time the local pipeline end to end at one or more data scales and print the figures.

``python -m benchmarks.pipeline_bench [--scales 0.25 1.0] [--workspace DIR] [--keep] [--out FILE]``

For each scale, in a fresh workspace of its own (lake, MLflow and build folders under a
temporary folder, so the project's ``.lake``, ``.mlflow`` and ``build/`` are untouched): generate
the data (seed 42), run the whole pipeline with ``--no-cache`` through ``pipelines.run.main``,
then read the execution record, the data report, the model's metadata and the evaluation to
report step times, throughput, model quality beside the best achievable AUC and peak memory.
The figures are printed as tables and written as JSON. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

import pipelines.run as pipeline_run
from benchmarks.report import cpu_model, render_table
from datagen import generate
from pipelines.config import PROJECT_ROOT, Settings

SEED = 42
CV_FILE_SHARE = None  # the profile's default, as the demo data of `make pipeline-run`
SAMPLE_INTERVAL_S = 0.1
MB = 1024 * 1024
DEFAULT_SCALES = (0.25, 1.0)  # the demo data's scale and the published size
DEFAULT_OUT = PROJECT_ROOT / "build" / "bench" / "pipeline-bench.json"
BENCH_LABEL = "bench (executor)"
EXIT_FAILED = 1


class BenchError(RuntimeError):
    """A run failed or left no usable record; the message says why and where to look."""


# --------------------------------------------------------------------------- workspace


@dataclass(frozen=True)
class Workspace:
    """One scale's folders: raw data, lake, MLflow and build, all under ``root``."""

    root: Path
    settings: Settings

    @property
    def data_dir(self) -> Path:
        return self.root / "data" / "decision"

    @property
    def executions_dir(self) -> Path:
        return self.settings.lake_dir / ".executor" / "executions"

    def lake_path(self, uri: str) -> Path:
        """``s3://bucket/key`` in the definition is ``<lake_dir>/bucket/key`` locally."""
        if not uri.startswith("s3://"):
            raise BenchError(f"expected an s3:// URI, got {uri!r}")
        return self.settings.lake_dir / uri.removeprefix("s3://")


def make_workspace(root: Path) -> Workspace:
    if root.exists():
        raise BenchError(f"{root} already exists: give an empty --workspace folder")
    root.mkdir(parents=True)
    root = root.resolve()
    settings = Settings(
        lake_dir=root / "lake",
        mlflow_dir=root / "mlflow",
        build_dir=root / "build",
    )
    return Workspace(root, settings)


# --------------------------------------------------------------------------- memory


@dataclass
class MemoryPeaks:
    """Peak resident memory (RSS) seen while sampling, in MB."""

    total_mb: float = 0.0  # this process plus all its descendants, at the same instant
    process_mb: float = 0.0  # the largest single process
    process: str = ""  # which one: a step name, the bench itself, or a process name
    by_process_mb: dict[str, float] = field(default_factory=dict)  # peak per label, summed
    processes: dict[str, int] = field(default_factory=dict)  # most processes seen per label
    samples: int = 0


class MemorySampler:
    """Samples RSS of this process and all its descendants in a background thread.

    A child process is labelled with the pipeline step it runs for (its working folder is
    ``<executions>/<execution id>/<step>/...``), so the peaks say which step used the memory.
    """

    def __init__(self, executions_dir: Path | None = None, interval: float = SAMPLE_INTERVAL_S):
        self.executions_dir = executions_dir
        self.interval = interval
        self.peaks = MemoryPeaks()
        self._me = psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="memory-sampler", daemon=True)

    def __enter__(self) -> MemoryPeaks:
        self._sample()
        self._thread.start()
        return self.peaks

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def _sample(self) -> None:
        by_label: dict[str, int] = {}
        count: dict[str, int] = {}
        largest, largest_label = 0, ""
        for process in self._processes():
            rss = _rss(process)
            if rss is None:
                continue
            label = self._label(process)
            by_label[label] = by_label.get(label, 0) + rss
            count[label] = count.get(label, 0) + 1
            if rss > largest:
                largest, largest_label = rss, label
        peaks = self.peaks
        peaks.samples += 1
        peaks.total_mb = max(peaks.total_mb, sum(by_label.values()) / MB)
        if largest / MB > peaks.process_mb:
            peaks.process_mb, peaks.process = largest / MB, largest_label
        for label, rss in by_label.items():
            peaks.by_process_mb[label] = max(peaks.by_process_mb.get(label, 0.0), rss / MB)
            peaks.processes[label] = max(peaks.processes.get(label, 0), count[label])

    def _processes(self) -> list[psutil.Process]:
        try:
            return [self._me, *self._me.children(recursive=True)]
        except psutil.Error:
            return [self._me]

    def _label(self, process: psutil.Process) -> str:
        if process.pid == self._me.pid:
            return BENCH_LABEL
        step = self._step_of(process)
        if step:
            return step
        try:
            return process.name()
        except psutil.Error:
            return f"pid {process.pid}"

    def _step_of(self, process: psutil.Process) -> str | None:
        if self.executions_dir is None:
            return None
        try:
            relative = Path(process.cwd()).relative_to(self.executions_dir)
        except (psutil.Error, ValueError):
            return None
        return relative.parts[1] if len(relative.parts) > 1 else None


def _rss(process: psutil.Process) -> int | None:
    try:
        return process.memory_info().rss
    except psutil.Error:
        return None


# --------------------------------------------------------------------------- figures


@dataclass
class GenerationFigures:
    seconds: float
    peak_mb: float
    counts: dict[str, Any]
    generator_best_auc: float | None


@dataclass
class StepFigures:
    name: str
    type: str
    status: str
    seconds: float


@dataclass
class ThroughputFigures:
    """Preprocess: how many raw records it read, and how fast."""

    applications_read: int
    applicants_read: int
    jobs_read: int
    cv_files_read: int
    labelled_rows: int
    step_seconds: float  # the Preprocess step's wall time (copy in, start Python, run, copy out)
    script_seconds: float  # the sum of the stage durations the script itself reports
    stage_seconds: dict[str, float]
    applications_per_s: float
    applicants_jobs_per_s: float
    applications_per_script_s: float


@dataclass
class TrainFigures:
    training_seconds: float | None
    best_iteration: int | None
    train_rows: int | None
    validation_rows: int | None
    validation_auc: float | None


@dataclass
class QualityFigures:
    auc: float
    best_auc: float
    normalized_auc: float  # (AUC - 0.5) / (best - 0.5): the share of the achievable lift
    test_rows: int | None


@dataclass
class ScaleFigures:
    scale: float
    workspace: str
    execution_id: str
    generation: GenerationFigures
    run_seconds: float
    load_average: tuple[float, float]  # 1-minute load average before and after the run
    steps: list[StepFigures]
    overhead_seconds: float  # run wall time not spent in a step: staging, compiling, summary
    preprocess: ThroughputFigures
    train: TrainFigures
    quality: QualityFigures
    memory: MemoryPeaks

    def step_seconds(self, name: str) -> float | None:
        step = next((s for s in self.steps if s.name == name), None)
        return None if step is None or step.status == "Skipped" else step.seconds


# --------------------------------------------------------------------------- running


def datagen_log(message: str) -> None:
    print(f"  {message}", flush=True)


def generate_data(workspace: Workspace, scale: float) -> tuple[dict[str, Any], float, MemoryPeaks]:
    started = time.perf_counter()
    with MemorySampler() as peaks:
        report = generate(
            workspace.data_dir,
            seed=SEED,
            scale=scale,
            signal=True,
            cv_file_share=CV_FILE_SHARE,
            log=datagen_log,
        )
    return report, time.perf_counter() - started, peaks


@contextmanager
def settings_patched(settings: Settings) -> Iterator[None]:
    """``pipelines.run`` reads the bench's settings instead of the project's."""
    original: Callable[[], Settings] = pipeline_run.load_settings
    pipeline_run.load_settings = lambda: settings
    try:
        yield
    finally:
        pipeline_run.load_settings = original


@dataclass
class RunOutcome:
    exit_code: int
    seconds: float
    memory: MemoryPeaks
    load_average: tuple[float, float]


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def run_pipeline(workspace: Workspace, params: Sequence[str] = ()) -> RunOutcome:
    argv = ["--quiet", "--no-cache", "--data", str(workspace.data_dir)]
    argv += [arg for pair in params for arg in ("--param", pair)]
    load_before = load_average()
    started = time.perf_counter()
    with settings_patched(workspace.settings), MemorySampler(workspace.executions_dir) as peaks:
        code = pipeline_run.main(argv)
    seconds = time.perf_counter() - started
    return RunOutcome(code, seconds, peaks, (load_before, load_average()))


# --------------------------------------------------------------------------- reading records


def read_json(path: Path) -> Any:
    if not path.is_file():
        raise BenchError(f"{path} is missing")
    return json.loads(path.read_text(encoding="utf-8"))


def read_execution(workspace: Workspace) -> dict[str, Any]:
    latest = workspace.executions_dir / "latest.json"
    if not latest.is_file():
        raise BenchError(f"the run recorded no execution ({latest} is missing)")
    execution_id = read_json(latest)["execution_id"]
    return read_json(workspace.executions_dir / execution_id / "execution.json")


def failure_message(workspace: Workspace, code: int) -> str:
    """What went wrong, from the execution record when there is one."""
    try:
        execution = read_execution(workspace)
    except BenchError as missing:
        return f"the pipeline run exited with code {code}; {missing}"
    reason = execution.get("failure_reason") or f"status {execution.get('status')}"
    lines = [f"the pipeline run failed (exit code {code}): {reason}"]
    for step in execution.get("steps", []):
        if step.get("status") == "Failed" and step.get("log"):
            lines.append(f"  log of {step['name']}: {step['log']}")
    return "\n".join(lines)


def processing_output(properties: dict[str, Any], step: str, output: str) -> str:
    try:
        outputs = properties[step]["ProcessingOutputConfig"]["Outputs"]
        return outputs[output]["S3Output"]["S3Uri"]
    except KeyError:
        raise BenchError(f"the execution has no output {output!r} of step {step}") from None


def read_model_metadata(archive: Path) -> dict[str, Any]:
    if not archive.is_file():
        raise BenchError(f"{archive} is missing")
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile("metadata.json")
        if member is None:
            raise BenchError(f"{archive} holds no metadata.json")
        return json.loads(member.read())


def step_figures(execution: dict[str, Any]) -> list[StepFigures]:
    return [
        StepFigures(s["name"], s["type"], s["status"], float(s["seconds"]))
        for s in execution["steps"]
    ]


def throughput_figures(report: dict[str, Any], step_seconds: float) -> ThroughputFigures:
    counts = report["counts"]
    applications = int(counts["application"]["read"])
    applicants = int(counts["applicant"]["read"])
    jobs = int(counts["job"]["read"])
    stages = {k: float(v) for k, v in report.get("durations_s", {}).items()}
    script_seconds = sum(stages.values())
    return ThroughputFigures(
        applications_read=applications,
        applicants_read=applicants,
        jobs_read=jobs,
        cv_files_read=int(counts.get("document", {}).get("read", 0)),
        labelled_rows=int(counts["application"].get("labelled", 0)),
        step_seconds=step_seconds,
        script_seconds=script_seconds,
        stage_seconds=stages,
        applications_per_s=_rate(applications, step_seconds),
        applicants_jobs_per_s=_rate(applicants + jobs, step_seconds),
        applications_per_script_s=_rate(applications, script_seconds),
    )


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def train_figures(metadata: dict[str, Any]) -> TrainFigures:
    rows = metadata.get("rows", {})
    return TrainFigures(
        training_seconds=metadata.get("training_seconds"),
        best_iteration=metadata.get("best_iteration"),
        train_rows=rows.get("train"),
        validation_rows=rows.get("validation"),
        validation_auc=metadata.get("validation", {}).get("auc"),
    )


def quality_figures(evaluation: dict[str, Any]) -> QualityFigures:
    auc = float(evaluation["metrics"]["auc"])
    best = float(evaluation["best_achievable"]["auc"])
    share = (auc - 0.5) / (best - 0.5) if best > 0.5 else 0.0
    return QualityFigures(auc, best, share, evaluation.get("rows"))


def collect_figures(
    workspace: Workspace,
    scale: float,
    generation: GenerationFigures,
    run: RunOutcome,
) -> ScaleFigures:
    execution = read_execution(workspace)
    properties = execution["properties"]
    steps = step_figures(execution)
    preprocess_seconds = next(s.seconds for s in steps if s.name == "Preprocess")
    report_dir = workspace.lake_path(processing_output(properties, "Preprocess", "report"))
    evaluation_dir = workspace.lake_path(processing_output(properties, "Evaluate", "evaluation"))
    try:
        model_uri = properties["Train"]["ModelArtifacts"]["S3ModelArtifacts"]
    except KeyError:
        raise BenchError("the execution has no model artifact of step Train") from None
    return ScaleFigures(
        scale=scale,
        workspace=str(workspace.root),
        execution_id=execution["execution_id"],
        generation=generation,
        run_seconds=run.seconds,
        load_average=run.load_average,
        steps=steps,
        overhead_seconds=run.seconds - sum(s.seconds for s in steps),
        preprocess=throughput_figures(
            read_json(report_dir / "data_report.json"), preprocess_seconds
        ),
        train=train_figures(read_model_metadata(workspace.lake_path(model_uri))),
        quality=quality_figures(read_json(evaluation_dir / "evaluation.json")),
        memory=run.memory,
    )


def bench_scale(root: Path, scale: float, params: Sequence[str] = ()) -> ScaleFigures:
    workspace = make_workspace(root / f"scale-{scale:g}")
    print(f"\n=== scale {scale:g}: workspace {workspace.root}", flush=True)
    print(f"Generating data (seed {SEED}, scale {scale:g}) ...", flush=True)
    report, gen_seconds, gen_peaks = generate_data(workspace, scale)
    generation = GenerationFigures(
        gen_seconds, gen_peaks.total_mb, report["counts"], report.get("best_auc")
    )
    print(f"  generated in {gen_seconds:.1f}s; running the pipeline ...\n", flush=True)
    run = run_pipeline(workspace, params)
    if run.exit_code != 0:
        raise BenchError(f"scale {scale:g}: {failure_message(workspace, run.exit_code)}")
    return collect_figures(workspace, scale, generation, run)


# --------------------------------------------------------------------------- machine


def machine_figures() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "cpu_count_physical": psutil.cpu_count(logical=False),
        "cpu_model": cpu_model(),
        "memory_total_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


# --------------------------------------------------------------------------- printing


def _num(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def _counts_text(counts: dict[str, Any]) -> str:
    cv_files = counts.get("cv_files", {})
    cv_total = cv_files.get("total") if isinstance(cv_files, dict) else cv_files
    return (
        f"{_num(counts.get('jobs'))} jobs, {_num(counts.get('applicants'))} applicants, "
        f"{_num(counts.get('applications'))} applications, {_num(cv_total)} CV files, "
        f"{_num(counts.get('labelled'))} labelled"
    )


def scale_rows(figures: ScaleFigures) -> list[list[str]]:
    gen, pre, train, quality, memory = (
        figures.generation,
        figures.preprocess,
        figures.train,
        figures.quality,
        figures.memory,
    )
    rows = [
        ["data generation", f"{gen.seconds:.1f} s", _counts_text(gen.counts)],
        [
            "pipeline run (wall)",
            f"{figures.run_seconds:.1f} s",
            f"{figures.execution_id}; load average {figures.load_average[0]:.2f} before, "
            f"{figures.load_average[1]:.2f} after",
        ],
    ]
    for step in figures.steps:
        share = 100 * step.seconds / figures.run_seconds if figures.run_seconds else 0.0
        note = f"{step.status.lower()}, {share:.0f}% of the run"
        rows.append([f"  {step.name}", f"{step.seconds:.1f} s", note])
    rows.append(
        [
            "  (outside steps)",
            f"{figures.overhead_seconds:.1f} s",
            "staging the data, compiling the definition, summary",
        ]
    )
    stages = ", ".join(f"{k} {v:.2f}" for k, v in pre.stage_seconds.items())
    rows += [
        ["Preprocess script", f"{pre.script_seconds:.1f} s", f"stages (s): {stages}"],
        [
            "Preprocess throughput",
            f"{pre.applications_per_s:,.0f} rows/s",
            f"{_num(pre.applications_read)} applications read / step time; "
            f"{pre.applicants_jobs_per_s:,.0f} applicants+jobs/s; "
            f"{pre.applications_per_script_s:,.0f} rows/s over script time",
        ],
        [
            "training (in script)",
            f"{_num(train.training_seconds, 2)} s",
            f"best iteration {_num(train.best_iteration)}, {_num(train.train_rows)} train / "
            f"{_num(train.validation_rows)} validation rows, "
            f"validation AUC {_num(train.validation_auc, 4)}",
        ],
        [
            "test AUC",
            f"{quality.auc:.4f}",
            f"best achievable {quality.best_auc:.4f}, (AUC - 0.5) / (best - 0.5) "
            f"{quality.normalized_auc:.3f} "
            f"({_num(quality.test_rows)} test rows)",
        ],
        [
            "peak memory (RSS)",
            f"{memory.total_mb:,.0f} MB",
            f"all processes together; largest single process {memory.process_mb:,.0f} MB "
            f"({memory.process})",
        ],
        ["  peak per step", "", _per_process_text(memory)],
        ["data generation peak", f"{gen.peak_mb:,.0f} MB", "datagen and its workers"],
    ]
    return rows


def _per_process_text(memory: MemoryPeaks) -> str:
    """Peak MB per label (a step's processes summed), with the most processes seen at once."""
    parts = []
    for label, mb in memory.by_process_mb.items():
        if mb < 1:
            continue  # a process caught while starting or ending
        count = memory.processes.get(label, 1)
        parts.append(f"{label} {mb:,.0f}" + (f" ({count} procs)" if count > 1 else ""))
    return ", ".join(parts) + " MB"


def print_scale(figures: ScaleFigures) -> None:
    print(f"\nScale {figures.scale:g} (workspace {figures.workspace})")
    print(render_table(["figure", "value", "detail"], scale_rows(figures), "lrl"))


def comparison_steps(results: Sequence[ScaleFigures]) -> list[str]:
    """Steps that ran (not skipped) in at least one scale, excluding conditions."""
    names: list[str] = []
    for figures in results:
        for step in figures.steps:
            ran = step.status != "Skipped" and step.type != "Condition"
            if ran and step.name not in names:
                names.append(step.name)
    return names


def print_comparison(results: Sequence[ScaleFigures], machine: dict[str, Any]) -> None:
    steps = comparison_steps(results)
    headers = [
        "scale",
        "rows",
        "gen s",
        "total s",
        *(f"{name} s" for name in steps),
        "rows/s",
        "train s",
        "AUC",
        "best AUC",
        "norm. AUC",
        "peak MB",
        "max proc MB",
    ]
    rows = [
        [
            f"{f.scale:g}",
            _num(f.preprocess.applications_read),
            _num(f.generation.seconds),
            _num(f.run_seconds),
            *(_num(f.step_seconds(name)) for name in steps),
            f"{f.preprocess.applications_per_s:,.0f}",
            _num(f.train.training_seconds, 2),
            f"{f.quality.auc:.4f}",
            f"{f.quality.best_auc:.4f}",
            f"{f.quality.normalized_auc:.3f}",
            f"{f.memory.total_mb:,.0f}",
            f"{f.memory.process_mb:,.0f}",
        ]
        for f in results
    ]
    print("\nComparison (rows = applications read by Preprocess; rows/s over its step time)")
    print(render_table(headers, rows, "l" + "r" * (len(headers) - 1)))
    print(
        f"\nMachine: {machine['cpu_count']} CPUs ({machine['cpu_count_physical']} physical, "
        f"{machine['cpu_model']}), {machine['memory_total_gb']} GiB memory, "
        f"{machine['platform']}, Python {machine['python']}"
    )


def write_json(
    path: Path,
    results: Sequence[ScaleFigures],
    machine: dict[str, Any],
    params: Sequence[str] = (),
) -> None:
    document = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seed": SEED,
        "cv_file_share": CV_FILE_SHARE,
        "params": list(params),
        "machine": machine,
        "scales": [asdict(f) for f in results],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks.pipeline_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--scales",
        type=float,
        nargs="+",
        default=list(DEFAULT_SCALES),
        help="data scales to run, 1 = the published size (default: 0.25 1.0)",
    )
    parser.add_argument(
        "--workspace",
        type=Path,
        help="folder for the runs (kept afterwards); default: a temporary folder, "
        "removed at the end unless --keep or a run fails",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspace")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="pipeline parameter passed on to every run (repeatable)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"JSON figures (default: {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    if any(scale <= 0 for scale in args.scales):
        parser.error("--scales must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = args.workspace or Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    remove_after = args.workspace is None and not args.keep
    machine = machine_figures()
    results: list[ScaleFigures] = []
    try:
        for scale in args.scales:
            figures = bench_scale(root, scale, args.param)
            print_scale(figures)
            results.append(figures)
    except BenchError as error:
        print(f"\nbench failed: {error}", file=sys.stderr)
        print(f"workspace kept for inspection: {root}", file=sys.stderr)
        return EXIT_FAILED
    print_comparison(results, machine)
    write_json(args.out, results, machine, args.param)
    print(f"\nFigures written to {args.out}")
    if remove_after:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f"Workspace kept: {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
