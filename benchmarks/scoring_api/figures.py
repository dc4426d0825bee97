"""What the serving benchmark measures and reports, as data: the harness names, the error a
part of the bench raises when it cannot run, the dataclasses of figures (latencies, cold
starts, routes, target checks, and ``Figures`` that holds them all and is written as JSON),
and the machine the figures came from."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.report import cpu_model

ROOT = Path(__file__).resolve().parents[2]
#: the harnesses: the ASGI app called directly (no client), Starlette's TestClient, uvicorn
ASGI, TESTCLIENT, HTTP = "in-process (ASGI)", "in-process (TestClient)", "HTTP (uvicorn)"


class BenchError(RuntimeError):
    """A part of the bench could not run; the message says why."""


# --------------------------------------------------------------------------- figures


@dataclass
class Latency:
    """Milliseconds over ``n`` samples."""

    n: int
    mean_ms: float
    p50_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        ms = np.asarray(seconds, dtype=np.float64) * 1000
        return cls(
            n=len(ms),
            mean_ms=float(ms.mean()),
            p50_ms=float(np.percentile(ms, 50)),
            p99_ms=float(np.percentile(ms, 99)),
            max_ms=float(ms.max()),
        )


@dataclass
class ImportCost:
    package: str  # top-level package (first part of the module name)
    cumulative_ms: float  # its outermost imports' cumulative time: with what it pulls in
    self_ms: float  # the sum of its own modules' self time
    modules: int
    imported_by: str  # the package whose import first brought it in ("-": at top level)


@dataclass
class ColdStart:
    environment: str
    label: str
    python: list[str]  # the command line before ``-c``
    runs_s: list[float]  # process start to the /health answer, per timed run
    median_s: float
    max_s: float
    first_run_s: float  # the untimed priming run (may write .pyc files)
    split_median_s: dict[str, float]  # interpreter, imports, create_app, model_load, request
    modules: int
    heavy_modules: list[str]
    import_total_ms: float | None  # `import serving.app` under -X importtime
    top_imports: list[ImportCost]
    note: str = ""


@dataclass
class RouteFigures:
    name: str  # score | rank-100 | rank-1000 | rank-100-codes | rank-1000-codes
    path: str
    pairs: int  # (job, applicant) pairs per request
    body_bytes: int  # mean request body size
    sends: str = "records"  # records | codes (job and applicants looked up in the online store)
    #: per harness (ASGI, TESTCLIENT, HTTP): latency of the whole route
    latency: dict[str, Latency] = field(default_factory=dict)
    raw_predict: dict[str, Latency] = field(default_factory=dict)  # LightGBM alone
    raw_reference: str = ""  # which raw figure the overhead ratio divides by
    overhead: dict[str, float] = field(default_factory=dict)  # route p50 / raw predict p50
    breakdown_ms: dict[str, float] = field(default_factory=dict)  # median per stage


@dataclass
class TargetCheck:
    target: str
    limit: str
    measured: str
    checked_against: str
    met: bool | None  # None: not measured
    note: str = ""


@dataclass
class Figures:
    generated_at: str
    machine: dict[str, Any]
    model: dict[str, Any]
    records: dict[str, Any]
    online_store: dict[str, Any]  # the store the codes scenarios look profiles up in
    cold_start: list[ColdStart]
    cold_start_skipped: list[str]
    server_start_s: float | None
    health: dict[str, Latency]  # GET /health per harness: the floor without model work
    routes: list[RouteFigures]
    targets: list[TargetCheck]
    explain: list[Any] = field(default_factory=list)  # explain_bench.ExplainFigures


# --------------------------------------------------------------------------- machine


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def machine_figures() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "load_average_start": load_average(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def start_figures() -> Figures:
    """The figures of a run about to start: when and where, nothing measured yet."""
    return Figures(
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=machine_figures(),
        model={},
        records={},
        online_store={},
        cold_start=[],
        cold_start_skipped=[],
        server_start_s=None,
        health={},
        routes=[],
        targets=[],
    )
