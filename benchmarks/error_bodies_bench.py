"""How big, how slow and how memory-hungry the API's refusals of oversized requests are.

A script, not a test: ``PYTHONPATH=. .venv/bin/python -m benchmarks.error_bodies_bench``.
It builds the app in-process (a small model trained on synthetic features, as the serving
tests do), sends each bad request ``--repeat`` times and prints, per request: its size, the
status and size of the answer, the median time, and the process's resident memory (RSS) before
the first and after the last, after a garbage collection. Memory growth over the repeats is
what "stays flat" means: a figure near zero, whatever the request held.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import tempfile
import time
from pathlib import Path

import psutil
from fastapi.testclient import TestClient

from serving.app import create_app
from serving.config import ServingConfig
from serving.observability import logger
from tests.serving.factory import applicant_record, job_record, train_model_dir

MB = 1024 * 1024


def bad_requests() -> dict[str, str]:
    """Name -> body of requests the API must refuse cheaply."""
    record = {"applicant_code": "a", "applicant": {"formacao_e_idiomas": {"nivel_ingles": 4}}}
    return {
        "200,000 codes that are numbers (~400 KB)": json.dumps(
            {"job": {}, "applicant_codes": [1] * 200_000}
        ),
        "500,000 empty items (~2 MB)": json.dumps({"job": {}, "applicants": [{}] * 500_000}),
        "1,000 empty items (the maximum)": json.dumps({"job": {}, "applicants": [{}] * 1000}),
        "1,000 items, each with a bad field": json.dumps(
            {"job": job_record(), "applicants": [record] * 1000}
        ),
        "1,000 good items (for comparison, answered 200)": json.dumps(
            {
                "job": job_record(),
                "applicants": [
                    {"applicant_code": f"a{i}", "applicant": applicant_record(i)}
                    for i in range(1000)
                ],
            }
        ),
    }


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / MB


def measure(client: TestClient, body: str, repeat: int) -> dict[str, float | int]:
    headers = {"content-type": "application/json"}
    client.post("/v1/rank", content=body, headers=headers)  # warm-up: first-call allocations
    before = rss_mb()
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.post("/v1/rank", content=body, headers=headers)
        seconds.append(time.perf_counter() - started)
    after = rss_mb()
    return {
        "request_kb": len(body) / 1024,
        "status": response.status_code,
        "answer_bytes": len(response.content),
        "median_ms": statistics.median(seconds) * 1000,
        "rss_before_mb": before,
        "rss_after_mb": after,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="requests of each kind (30)")
    args = parser.parse_args(argv)
    logger.setLevel("WARNING")  # one access-log line per request would drown the table
    with tempfile.TemporaryDirectory() as scratch:
        model_dir = train_model_dir(Path(scratch))
        client = TestClient(create_app(ServingConfig(model_uri=str(model_dir))))
        print(f"RSS at start {rss_mb():.1f} MB; {args.repeat} requests of each kind\n")
        header = (
            f"{'request':<48} {'size':>9} {'status':>6} {'answer':>9} {'median':>9} {'RSS':>17}"
        )
        print(header)
        for name, body in bad_requests().items():
            figures = measure(client, body, args.repeat)
            print(
                f"{name:<48} {figures['request_kb']:>6.0f} KB {figures['status']:>6} "
                f"{figures['answer_bytes']:>7,} B {figures['median_ms']:>6.1f} ms "
                f"{figures['rss_before_mb']:>6.1f} -> {figures['rss_after_mb']:.1f} MB"
            )
        print(f"\nRSS at the end {rss_mb():.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
