"""The data scientist's loop: a cold run and a warm re-run, as multiples of one import time R.

``python -m benchmarks.loop_bench [--scales 0.25 1.0] [--workspace DIR] [--keep]``

R is the wall time of ``python -c "import lightgbm, pandas, pyarrow.parquet"`` (the median of
three, taken beside each scale's runs): machines are noisy, a ratio to R holds across them.
For each scale, in a workspace of its own (lake, MLflow and build folders, so the project's
are untouched), with the data generated first (seed 42):

- a first run, untimed: it stages the data, compiles, fills the OCR text cache;
- cold: ``python -m pipelines.run --no-cache`` (the data there, every step runs);
- warm: ``python -m pipelines.run`` again, nothing changed.

Each run is a new process, as ``make pipeline-run`` is. Prints each run's wall time and its
steps' times, in seconds and in R, beside the aims (cold at most 6 R and warm at most 3 R at
the default scale, cold at most 20 R at scale 1), and the test AUC of both runs (the same
model either way). See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.report import cpu_model, render_table
from datagen import generate
from pipelines.config import PROJECT_ROOT

SEED = 42
DEFAULT_SCALES = (0.25, 1.0)
#: the aims, as multiples of R: (scale, run) -> at most
AIMS = {(0.25, "cold"): 6.0, (0.25, "warm"): 3.0, (1.0, "cold"): 20.0}
REFERENCE_IMPORT = "import lightgbm, pandas, pyarrow.parquet"


@dataclass
class Run:
    name: str
    seconds: float
    steps: dict[str, tuple[str, float]]  # step -> (status, seconds)
    auc: float | None


def reference_seconds(samples: int = 3) -> float:
    """R: the median wall time of a fresh interpreter importing LightGBM, pandas and pyarrow."""
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", REFERENCE_IMPORT], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def workspace_env(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "MATCH_LAKE_DIR": str(root / "lake"),
        "MATCH_MLFLOW_DIR": str(root / "mlflow"),
        "MATCH_BUILD_DIR": str(root / "build"),
    }


def run_pipeline(root: Path, data: Path, name: str, *extra: str) -> Run:
    command = [sys.executable, "-m", "pipelines.run", "--quiet", "--data", str(data), *extra]
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, env=workspace_env(root), capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"the {name} run exited with {done.returncode}:\n{done.stdout[-3000:]}")
    return Run(name, seconds, *latest_execution(root))


def latest_execution(root: Path) -> tuple[dict[str, tuple[str, float]], float | None]:
    executions = root / "lake" / ".executor" / "executions"
    latest = json.loads((executions / "latest.json").read_text())["execution_id"]
    record = json.loads((executions / latest / "execution.json").read_text())
    steps = {s["name"]: (s["status"], s["seconds"]) for s in record["steps"]}
    evaluation = record["properties"]["Evaluate"]["ProcessingOutputConfig"]["Outputs"]
    uri = evaluation["evaluation"]["S3Output"]["S3Uri"]
    path = root / "lake" / uri.removeprefix("s3://") / "evaluation.json"
    return steps, json.loads(path.read_text())["metrics"]["auc"]


def bench_scale(root: Path, scale: float) -> tuple[float, list[Run]]:
    data = root / "data"
    print(f"\n=== scale {scale:g}: generating the data (seed {SEED}) ...", flush=True)
    generate(data, seed=SEED, scale=scale, signal=True, log=None)
    print("  first run (stages the data, compiles, reads the scans) ...", flush=True)
    run_pipeline(root, data, "first")
    reference = reference_seconds()
    print(f"  R = {reference:.2f}s; cold and warm runs ...", flush=True)
    runs = [run_pipeline(root, data, "cold", "--no-cache"), run_pipeline(root, data, "warm")]
    return reference, runs


def rows(scale: float, reference: float, runs: list[Run]) -> list[list[str]]:
    table = []
    for run in runs:
        aim = AIMS.get((scale, run.name))
        ratio = run.seconds / reference
        verdict = "" if aim is None else f"{'met' if ratio <= aim else 'NOT met'} (<= {aim:g} R)"
        auc = f"{run.auc:.4f}" if run.auc is not None else "-"
        table.append([f"{scale:g}", run.name, f"{run.seconds:.1f}", f"{ratio:.1f}", verdict, auc])
    return table


def step_rows(reference: float, runs: list[Run]) -> list[list[str]]:
    names = list(runs[0].steps)
    table = []
    for name in names:
        cells = [name]
        for run in runs:
            status, seconds = run.steps.get(name, ("-", 0.0))
            cells += [status.lower(), f"{seconds:.1f}", f"{seconds / reference:.2f}"]
        table.append(cells)
    return table


def main(argv: list[str] | None = None) -> int:
    description = __doc__.split("\n")[0]
    parser = argparse.ArgumentParser(prog="benchmarks.loop_bench", description=description)
    parser.add_argument("--scales", type=float, nargs="+", default=list(DEFAULT_SCALES))
    parser.add_argument("--workspace", type=Path, help="folder for the runs (kept)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspace")
    args = parser.parse_args(argv)
    base = args.workspace or Path(tempfile.mkdtemp(prefix="loop-bench-"))
    summary: list[list[str]] = []
    try:
        for scale in args.scales:
            reference, runs = bench_scale(base / f"scale-{scale:g}", scale)
            summary += rows(scale, reference, runs)
            print(f"\nScale {scale:g}, R = {reference:.2f}s: each step, cold then warm")
            headers = ["step"] + [f"{r.name} {h}" for r in runs for h in ("", "s", "R")]
            print(render_table(headers, step_rows(reference, runs), "l" + "lrr" * len(runs)))
    except RuntimeError as error:
        print(f"\nbench failed: {error}\nworkspace kept: {base}", file=sys.stderr)
        return 1
    print("\nThe loop, as multiples of R (the import of lightgbm, pandas and pyarrow)")
    print(render_table(["scale", "run", "s", "R", "aim", "AUC"], summary, "llrrll"))
    print(f"\nMachine: {os.cpu_count()} CPUs ({cpu_model()})")
    if args.workspace is None and not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
