"""Time the scoring API: cold start, warm latency in-process and over HTTP, raw LightGBM predict.

``python -m benchmarks.serving_bench [--model-dir DIR] [--json PATH] [--cold-runs N] ...``

1. Cold start: a fresh Python process imports ``serving.app``, creates the app, loads the model
   and answers ``GET /health`` by calling the ASGI app directly; timed from before the process
   starts to the answer, with the split measured inside the process and the slowest imports
   from ``python -X importtime``. Twice: in the project's virtual environment, and with only
   the packages of ``serving/requirements.txt`` (what the Lambda image installs) under
   ``python -S``.
2. Warm latency of ``POST /v1/score``, ``POST /v1/rank`` with 100 and with 1,000 applicant
   records, and ``POST /v1/rank`` with the same job and 100 and 1,000 applicants sent as codes
   that the online store holds (the pipeline's store when it holds them, else a store built in
   the temporary folder from the same records), in-process (the ASGI app called directly, and
   Starlette's ``TestClient``) and over HTTP (``python -m serving`` on uvicorn, one keep-alive
   ``httpx`` client).
3. Beside each, LightGBM's own predict time on the same rows and where the rest of the time
   goes (JSON, validation, profiles or store lookup, feature matrix, predict, response).
4. The targets (cold start < 1 s, score p99 < 10 ms, rank of 1,000 < 50 ms with records and
   with codes, latencies checked against the p99 of the direct ASGI calls) and whether each is
   met. Nothing asserts: the bench prints figures. See ``benchmarks/README.md``.
5. ``POST /v1/explain`` with the template and with a stubbed Bedrock backend (with and
   without Langfuse tracing to a loopback fake): ``benchmarks/explain_bench.py``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from benchmarks.explain_bench import bench_explain
from benchmarks.scoring_api.clients import (
    AsgiClient,
    app_logs_discarded,
    http_server,
    measure_harness,
    timed_calls,
)
from benchmarks.scoring_api.cold import child_env, cold_start, find_uv, lambda_env, venv_env
from benchmarks.scoring_api.figures import (
    ASGI,
    HTTP,
    ROOT,
    TESTCLIENT,
    BenchError,
    Figures,
    load_average,
    start_figures,
)
from benchmarks.scoring_api.records import (
    DEFAULT_MODEL_DIR,
    RANK_SIZES,
    codes_workloads,
    load_records,
    model_figures,
    model_source,
    record_workloads,
    records_figures,
    score_bodies,
    served_model,
)
from benchmarks.scoring_api.report import print_figures, target_checks, write_json
from benchmarks.scoring_api.stages import measure_stages
from benchmarks.scoring_api.store import online_store_for

EXIT_FAILED = 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks.serving_bench", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--model-dir",
        type=Path,
        help=f"model folder to serve (default: {DEFAULT_MODEL_DIR.relative_to(ROOT)} when it "
        "exists, else a small model trained for the bench)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--cold-runs", type=int, default=5, help="timed cold starts (default 5)")
    parser.add_argument("--score-calls", type=int, default=500, help="default 500")
    parser.add_argument("--rank100-calls", type=int, default=200, help="default 200")
    parser.add_argument("--rank1000-calls", type=int, default=50, help="default 50")
    parser.add_argument(
        "--explain-calls", type=int, default=200, help="timed /v1/explain calls (default 200)"
    )
    parser.add_argument("--no-http", action="store_true", help="skip the uvicorn measurements")
    parser.add_argument(
        "--no-lambda", action="store_true", help="skip the Lambda-like cold start (b)"
    )
    parser.add_argument(
        "--uv", help="uv executable for the Lambda-like package set (default: $UV, uv on PATH)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    for name in ("cold_runs", "score_calls", "rank100_calls", "rank1000_calls", "explain_calls"):
        if getattr(args, name) < 0 or (name != "cold_runs" and getattr(args, name) < 1):
            parser.error(f"--{name.replace('_', '-')} is out of range")
    return args


def bench_cold(figures: Figures, args: argparse.Namespace, model_dir: Path, work: Path) -> None:
    if args.cold_runs == 0:
        figures.cold_start_skipped.append("--cold-runs 0")
        return
    print("Cold start ...", flush=True)
    envs = [venv_env(model_dir)]
    if args.no_lambda:
        figures.cold_start_skipped.append("(b) Lambda-like: --no-lambda")
    else:
        try:
            envs.append(lambda_env(model_dir, work, find_uv(args.uv)))
        except (BenchError, OSError, subprocess.SubprocessError) as error:
            figures.cold_start_skipped.append(f"(b) Lambda-like could not be set up: {error}")
            print(f"  {figures.cold_start_skipped[-1]}", flush=True)
    for env in envs:
        try:
            figures.cold_start.append(cold_start(env, args.cold_runs))
        except (BenchError, subprocess.SubprocessError) as error:
            figures.cold_start_skipped.append(str(error))
            print(f"  {error}", flush=True)


def bench_warm(figures: Figures, args: argparse.Namespace, model_dir: Path, work: Path) -> None:
    with warnings.catch_warnings():  # starlette asks for httpx2; httpx is what the venv has
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from serving.app import create_app, freeze_startup_objects
    from serving.config import load_config

    records = load_records(max(RANK_SIZES))
    figures.records = records_figures(records)
    scores = score_bodies(records)
    rank_calls = (args.rank100_calls, args.rank1000_calls)
    workloads = record_workloads(records, scores, args.score_calls, rank_calls)

    print("Online store for the codes scenarios ...", flush=True)
    config = load_config(child_env(model_dir, pythonpath=None, extra_path=None))
    store_spec, figures.online_store = online_store_for(records, config, work)
    print(f"  {figures.online_store['source']}", flush=True)
    workloads += codes_workloads(records, rank_calls)
    routes = figures.routes = [workload.route for workload in workloads]

    # One app for every scenario: records never touch the store, codes are looked up in it.
    config = load_config(
        child_env(model_dir, pythonpath=None, extra_path=None, online_store=store_spec)
    )
    with app_logs_discarded():
        app = create_app(config)
    # As the entry points do (serving.handler, python -m serving): start-up objects frozen.
    freeze_startup_objects()
    model = served_model(app, model_dir, config)
    figures.model |= model_figures(model)

    print("Warm latency, in-process ...", flush=True)
    with app_logs_discarded():
        with AsgiClient(app) as client:
            measure_harness(figures, client, workloads, ASGI)
        with TestClient(app) as client:
            measure_harness(figures, client, workloads, TESTCLIENT)

    print("Raw LightGBM predict and stage breakdown ...", flush=True)
    measure_stages(model, workloads, store_spec, config)

    if not args.no_http:
        import httpx

        print("Warm latency over HTTP (python -m serving, uvicorn) ...", flush=True)
        with (
            http_server(model_dir, work / "uvicorn.log", store_spec) as (url, ready),
            httpx.Client(base_url=url, timeout=60.0) as client,
        ):
            figures.server_start_s = ready
            measure_harness(figures, client, workloads, HTTP)

    for route in routes:
        raw = route.raw_predict.get(route.raw_reference)
        if raw is not None and raw.p50_ms > 0:
            route.overhead = {k: v.p50_ms / raw.p50_ms for k, v in route.latency.items()}

    print("POST /v1/explain: template, stubbed Bedrock, + Langfuse (in-process) ...", flush=True)
    with app_logs_discarded():
        figures.explain = bench_explain(
            model_dir, scores, args.explain_calls, AsgiClient, timed_calls
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="serving-bench-"))
    figures = start_figures()
    started = time.perf_counter()
    try:
        model_dir, source = model_source(args.model_dir, work)
        figures.model = {"source": source, "path": str(model_dir)}
        print(f"Model: {source}", flush=True)
        bench_cold(figures, args, model_dir, work)
        bench_warm(figures, args, model_dir, work)
    except BenchError as error:
        print(f"\nbench failed: {error}", file=sys.stderr)
        print(f"temporary folder kept: {work}", file=sys.stderr)
        return EXIT_FAILED
    figures.machine["load_average_end"] = load_average()
    figures.machine["bench_seconds"] = round(time.perf_counter() - started, 1)
    figures.targets = target_checks(figures)
    print_figures(figures)
    print(f"\nBench took {figures.machine['bench_seconds']:.0f} s.")
    if args.json:
        write_json(args.json, figures)
        print(f"Figures written to {args.json}")
    if args.keep:
        print(f"Temporary folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
