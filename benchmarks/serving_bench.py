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
import asyncio
import contextlib
import gc
import itertools
import json
import logging
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.explain_bench import bench_explain, print_explain
from benchmarks.report import cpu_model, render_table

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL_DIR = ROOT / "build" / "serving" / "model"
RAW_DIR = ROOT / ".lake" / "datathon-mlet03-raw" / "decision"
REQUIREMENTS = ROOT / "serving" / "requirements.txt"
#: where a pipeline run leaves the online store, and the serving environment that names it
PIPELINE_STORE = (
    ROOT / ".lake" / "datathon-mlet03-curated" / "feature-store" / "online-store.sqlite"
)
SERVING_ENV = ROOT / "build" / "serving" / "serving.env"
SQLITE_PREFIX = "sqlite:///"
RESULT_MARKER = "SERVING_BENCH_RESULT "
RANK_SIZES = (100, 1000)
SCORE_BODIES = 50  # distinct (job, applicant) pairs the score calls cycle through
COLD_TIMEOUT_S = 120
SERVER_START_TIMEOUT_S = 90
TOP_IMPORTS = 10
EXIT_FAILED = 1
#: the harnesses: the ASGI app called directly (no client), Starlette's TestClient, uvicorn
ASGI, TESTCLIENT, HTTP = "in-process (ASGI)", "in-process (TestClient)", "HTTP (uvicorn)"

TARGET_COLD_S = 1.0
TARGET_SCORE_P99_MS = 10.0
TARGET_RANK1000_MS = 50.0

#: Run in a fresh interpreter: import, create the app, load the model, answer GET /health.
#: Prints one line ``SERVING_BENCH_RESULT {json}`` with the split (seconds, perf_counter).
CHILD_CODE = r"""
import time
_t0 = time.perf_counter()
import json, os, sys
_extra = os.environ.get("SERVING_BENCH_PATH")
if _extra:
    sys.path[:0] = _extra.split(os.pathsep)
_t1 = time.perf_counter()
import serving.app
_t2 = time.perf_counter()
app = serving.app.create_app(load_at_start=False)
_t3 = time.perf_counter()
holder = getattr(app.state, "model_holder", None)
loaded = None if holder is None else holder.load() is not None
_t4 = time.perf_counter()
import asyncio

async def _get(path):
    messages = []
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
        "root_path": "", "headers": [(b"host", b"bench")], "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    await app(scope, receive, send)
    return next(m["status"] for m in messages if m["type"] == "http.response.start")

status = asyncio.run(_get("/health"))
_t5 = time.perf_counter()
heavy = ("pandas", "pyarrow", "scipy", "sklearn", "narwhals", "botocore", "boto3", "matplotlib")
print("SERVING_BENCH_RESULT " + json.dumps({
    "status": status,
    "model_loaded": loaded,
    "path_setup": _t1 - _t0,
    "imports": _t2 - _t1,
    "create_app": _t3 - _t2,
    "model_load": _t4 - _t3,
    "first_request": _t5 - _t4,
    "in_script": _t5 - _t0,
    "modules": len(sys.modules),
    "heavy_modules": [name for name in heavy if name in sys.modules],
}), flush=True)
"""


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


# --------------------------------------------------------------------------- model, records


def model_source(model_dir: Path | None, workdir: Path) -> tuple[Path, str]:
    """The model folder to serve and where it came from."""
    if model_dir is not None:
        if not (model_dir / "model.txt").is_file():
            raise BenchError(f"--model-dir {model_dir} holds no model.txt")
        return model_dir.resolve(), f"--model-dir {model_dir}"
    if (DEFAULT_MODEL_DIR / "model.txt").is_file():
        return DEFAULT_MODEL_DIR, f"the exported champion ({DEFAULT_MODEL_DIR.relative_to(ROOT)})"
    from tests.serving.factory import train_model_dir

    folder = train_model_dir(workdir / "model")
    return folder, (
        "a small model trained for the bench (tests.serving.factory.train_model_dir: 40 trees "
        "of 4 leaves); run `make serve` or pass --model-dir for the champion"
    )


@dataclass
class Records:
    source: str
    jobs: list[tuple[str, dict[str, Any]]]
    applicants: list[tuple[str, dict[str, Any]]]


def _valid(records: dict[str, Any], model: Any, profile: Callable[[Any], Any]) -> list:
    """(code, record) pairs the API accepts and profiles, in file order."""
    from pydantic import ValidationError

    valid = []
    for code, record in records.items():
        if not isinstance(record, dict) or not str(code).strip() or len(str(code)) > 64:
            continue
        try:
            model.model_validate(record)
            profile(record)
        except (ValidationError, TypeError, ValueError, AttributeError):
            continue
        valid.append((str(code).strip(), record))
    return valid


def load_records(count: int) -> Records:
    """Jobs and ``count`` applicants: the generated raw data when present, else the factory's."""
    from features import applicant_profile, job_profile
    from serving import schemas

    jobs_file, applicants_file = RAW_DIR / "vagas.json", RAW_DIR / "applicants.json"
    if jobs_file.is_file() and applicants_file.is_file():
        jobs = _valid(json.loads(jobs_file.read_text("utf-8")), schemas.JobRecord, job_profile)
        applicants = _valid(
            json.loads(applicants_file.read_text("utf-8")),
            schemas.ApplicantRecord,
            applicant_profile,
        )
        if jobs and applicants:
            source = f"generated raw data ({RAW_DIR.relative_to(ROOT)}), records as stored"
            if len(applicants) < count:
                source += f"; {len(applicants)} valid applicants reused under new codes"
                applicants = [
                    (f"{code}-{k}", record)
                    for k, (code, record) in zip(
                        range(count), itertools.cycle(applicants), strict=False
                    )
                ]
            return Records(source, jobs[:SCORE_BODIES], applicants[:count])
    from tests.serving.factory import applicant_record, job_record

    return Records(
        "tests.serving.factory records (short CVs): generate data with `make data` for real ones",
        [("5185", job_record())],
        [(str(31000 + i), applicant_record(i)) for i in range(count)],
    )


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def score_bodies(records: Records) -> list[bytes]:
    jobs, applicants = records.jobs, records.applicants
    return [
        encode(
            {
                "job_code": jobs[i % len(jobs)][0],
                "job": jobs[i % len(jobs)][1],
                "applicant_code": applicants[i % len(applicants)][0],
                "applicant": applicants[i % len(applicants)][1],
                "top": 5,
            }
        )
        for i in range(SCORE_BODIES)
    ]


def rank_body(records: Records, size: int) -> bytes:
    code, job = records.jobs[0]
    applicants = [{"applicant_code": c, "applicant": r} for c, r in records.applicants[:size]]
    return encode({"job_code": code, "job": job, "applicants": applicants})


def rank_codes_body(records: Records, size: int) -> bytes:
    """The rank body of the codes scenarios: the same job and applicants, as codes."""
    codes = [code for code, _ in records.applicants[:size]]
    return encode({"job_code": records.jobs[0][0], "applicant_codes": codes})


def records_figures(records: Records) -> dict[str, Any]:
    sizes = [len(encode(r)) for _, r in records.applicants]
    cvs = [len(r.get("cv_pt") or "") for _, r in records.applicants]
    return {
        "source": records.source,
        "jobs": len(records.jobs),
        "applicants": len(records.applicants),
        "applicant_record_bytes_mean": round(statistics.fmean(sizes)),
        "cv_pt_chars_mean": round(statistics.fmean(cvs)),
        "cv_pt_chars_max": max(cvs),
    }


# --------------------------------------------------------------------------- online store


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _sqlite_spec(setting: str) -> str | None:
    """``sqlite:///<absolute path>`` for a SQLite store setting whose file exists, else None."""
    setting = setting.strip().strip("\"'")
    if not setting.startswith(SQLITE_PREFIX) or len(setting) == len(SQLITE_PREFIX):
        return None
    path = Path(setting[len(SQLITE_PREFIX) :]).resolve()
    return f"{SQLITE_PREFIX}{path}" if path.is_file() else None


def store_candidates() -> list[tuple[str, str]]:
    """SQLite online stores a pipeline run left (or the environment names), with where each
    came from: ``MATCH_ONLINE_STORE`` here, the one ``build/serving/serving.env`` names (written
    by ``python -m pipelines.export_model``), the pipeline's default file."""
    settings = [(os.environ.get("MATCH_ONLINE_STORE", ""), "MATCH_ONLINE_STORE in the environment")]
    if SERVING_ENV.is_file():
        for line in SERVING_ENV.read_text("utf-8").splitlines():
            name, _, value = line.partition("=")
            if name.strip() == "MATCH_ONLINE_STORE":
                settings.append((value, f"the pipeline's store, named in {_relative(SERVING_ENV)}"))
    settings.append((f"{SQLITE_PREFIX}{PIPELINE_STORE}", "the pipeline's store"))
    found: dict[str, str] = {}
    for setting, where in settings:
        spec = _sqlite_spec(setting)
        if spec is not None and spec not in found:
            found[spec] = where
    return list(found.items())


class StoredProfiles:
    """An online store opened read-only as the app opens it, with the app's group names."""

    def __init__(self, spec: str, config: Any) -> None:
        from featurestore.online import open_online_store
        from serving.app import profile_field_types

        self.spec = spec
        self.jobs_group, self.applicants_group = config.jobs_group, config.applicants_group
        store = open_online_store(spec, profile_field_types(config), config.region)
        if store is None:
            raise BenchError(f"no online store for {spec!r}")
        self.store = store

    def lookup(self, job_code: str, codes: Sequence[str]) -> tuple[Any, dict[str, Any]]:
        """The job's profile (None when absent) and the applicants' profiles found, by code."""
        job = self.store.get_profiles(self.jobs_group, [job_code]).get(job_code)
        return job, self.store.get_profiles(self.applicants_group, list(codes))

    def close(self) -> None:
        self.store.close()


def store_misses(spec: str, config: Any, job_code: str, codes: Sequence[str]) -> str | None:
    """Why this store cannot serve the codes scenarios, or None when it holds them all."""
    from featurestore.online import OnlineStoreError

    try:
        stored = StoredProfiles(spec, config)
    except (OnlineStoreError, ValueError) as error:
        return f"cannot be opened ({error})"
    try:
        job, applicants = stored.lookup(job_code, codes)
    except OnlineStoreError as error:
        return f"lookup failed ({error})"
    finally:
        stored.close()
    if job is None:
        return f"holds no job {job_code} in {config.jobs_group}"
    if len(applicants) < len(codes):
        held = f"{len(applicants):,} of the {len(codes):,} applicants"
        return f"holds {held} in {config.applicants_group}"
    return None


def online_store_for(records: Records, config: Any, work: Path) -> tuple[str, dict[str, Any]]:
    """The store the codes scenarios use: the first pipeline store holding the bench's job and
    every one of its applicants, else one built in ``work`` from the same records."""
    job_code = records.jobs[0][0]
    codes = [code for code, _ in records.applicants[: max(RANK_SIZES)]]
    skipped = []
    for spec, where in store_candidates():
        reason = store_misses(spec, config, job_code, codes)
        if reason is None:
            return spec, {
                "source": where,
                "path": spec[len(SQLITE_PREFIX) :],
                "built": False,
                "profiles": "as the pipeline's feature ingestion computed and stored them",
                "job_code": job_code,
                "applicants": len(codes),
                "skipped": skipped,
            }
        skipped.append(f"{where} ({spec[len(SQLITE_PREFIX) :]}): {reason}")
    from tests.serving.factory import build_online_store

    started = time.perf_counter()
    path = build_online_store(
        work / "feature-store", dict(records.jobs), dict(records.applicants[: len(codes)])
    )
    built_s = time.perf_counter() - started
    spec = f"{SQLITE_PREFIX}{path.resolve()}"
    reason = store_misses(spec, config, job_code, codes)
    if reason is not None:
        raise BenchError(f"the online store built from the records {reason}")
    why = "; ".join(skipped) if skipped else "no pipeline store found"
    return spec, {
        "source": (
            "built in the temporary folder from the bench's records "
            f"(tests.serving.factory.build_online_store, {built_s:.1f} s): {why}"
        ),
        "path": str(path),
        "built": True,
        "profiles": "computed from the bench's records by build_online_store",
        "job_code": job_code,
        "applicants": len(codes),
        "skipped": skipped,
    }


# --------------------------------------------------------------------------- cold start


@dataclass
class ColdEnv:
    name: str
    label: str
    python: list[str]
    env: dict[str, str]
    cwd: Path
    note: str = ""


def child_env(
    model_dir: Path, *, pythonpath: str | None, extra_path: str | None, online_store: str = ""
) -> dict:
    """The environment of a serving process: this one's, with the bench's model, the given
    online store (none by default) and only the given import path (other ``MATCH_`` settings
    are passed on)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SERVING_BENCH_"))}
    env |= {"MATCH_MODEL_URI": str(model_dir), "MATCH_ONLINE_STORE": online_store}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    if extra_path:
        env["SERVING_BENCH_PATH"] = extra_path
    return env


def venv_env(model_dir: Path) -> ColdEnv:
    return ColdEnv(
        name="venv",
        label="(a) project venv",
        python=[sys.executable],
        env=child_env(model_dir, pythonpath=str(ROOT), extra_path=None),
        cwd=ROOT,
        note=f"{sys.prefix}: every project dependency installed (pandas, scipy, MLflow, ...)",
    )


def find_uv(given: str | None) -> str | None:
    candidates = [given, os.environ.get("UV"), shutil.which("uv"), str(ROOT / ".uv/bin/uv")]
    for candidate in candidates:
        found = shutil.which(candidate) if candidate else None
        if found:
            return str(Path(found).resolve())
    return None


def _run(command: list[str], **options: Any) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=False, **options)


def _error_tail(result: subprocess.CompletedProcess, lines: int = 6) -> str:
    text = (result.stderr or result.stdout or "").strip().splitlines()
    return " | ".join(text[-lines:]) or f"exit code {result.returncode}"


def lambda_env(model_dir: Path, workdir: Path, uv: str | None) -> ColdEnv:
    """Only the serving packages, in a folder of their own, and the code as the image lays it
    out (``serving/``, ``features/``, ``explain/``, ``featurestore/{__init__,online}.py``)."""
    if uv is None:
        raise BenchError("uv not found: pass --uv PATH or set UV")
    root = workdir / "lambda"
    site, task = root / "site", root / "task"
    root.mkdir(parents=True, exist_ok=True)
    if REQUIREMENTS.is_file():
        requirements, source = REQUIREMENTS, str(REQUIREMENTS.relative_to(ROOT))
    else:
        requirements = root / "requirements.txt"
        # --frozen: read uv.lock as it is, never re-lock (the bench must not write uv.lock)
        export = [uv, "export", "--frozen", "--only-group", "serving", "--no-emit-project"]
        export += ["--no-hashes", "--project", str(ROOT), "--quiet", "-o", str(requirements)]
        result = _run(export)
        if result.returncode != 0:
            raise BenchError(f"uv export failed: {_error_tail(result)}")
        source = "uv export --only-group serving (serving/requirements.txt does not exist yet)"
    install = [uv, "pip", "install", "--quiet", "--target", str(site), "-r", str(requirements)]
    install += ["--python", sys.executable]
    result = _run([*install, "--offline"])
    offline = result.returncode == 0
    if not offline:
        result = _run(install)
        if result.returncode != 0:
            raise BenchError(f"uv pip install --target failed: {_error_tail(result)}")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "requirements*.txt", "Dockerfile")
    for package in ("serving", "features", "explain"):
        shutil.copytree(ROOT / package, task / package, ignore=ignore)
    (task / "featurestore").mkdir()
    for name in ("__init__.py", "online.py"):
        shutil.copy2(ROOT / "featurestore" / name, task / "featurestore" / name)
    packages = sum(1 for p in site.iterdir() if p.name.endswith(".dist-info"))
    return ColdEnv(
        name="lambda",
        label="(b) Lambda-like",
        python=[sys.executable, "-S"],
        env=child_env(model_dir, pythonpath=None, extra_path=f"{task}{os.pathsep}{site}"),
        cwd=task,
        note=(
            f"python -S, sys.path = [task, site]: {packages} packages from {source}"
            f"{'' if offline else ' (installed online: not all were in the uv cache)'}"
        ),
    )


def cold_run(env: ColdEnv) -> tuple[float, dict[str, Any]]:
    """One fresh process: seconds from before it starts to its answer, and its own split."""
    with tempfile.TemporaryFile(mode="w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            [*env.python, "-c", CHILD_CODE],
            cwd=env.cwd,
            env=env.env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        answered, result = None, None
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(RESULT_MARKER):
                answered = time.perf_counter()
                result = json.loads(line[len(RESULT_MARKER) :])
                break
        process.stdout.read()
        try:
            process.wait(timeout=COLD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if result is None or answered is None:
            errors.seek(0)
            tail = " | ".join(errors.read().strip().splitlines()[-6:])
            raise BenchError(f"{env.label}: the process gave no answer ({tail})")
    if result["status"] != 200:
        raise BenchError(f"{env.label}: GET /health answered {result['status']}")
    return answered - started, result


def parse_importtime(stderr: str) -> tuple[float | None, list[ImportCost]]:
    """``-X importtime`` lines -> the cost of ``import serving.app`` and per top-level package.

    The lines come children first, indented by depth; read backwards, the open entries of a
    stack are each line's ancestors. A package's cumulative time is the sum over its outermost
    imports (none of their ancestors is in the same package), so what it pulls in counts too.
    """
    entries: list[tuple[int, str, int, int]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line[len("import time:") :].split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue  # the header line
        name = parts[2].strip()
        depth = (len(parts[2]) - len(parts[2].lstrip(" ")) - 1) // 2
        entries.append((depth, name, int(parts[0]), int(parts[1])))
    total: float | None = None
    costs: dict[str, dict[str, Any]] = {}
    stack: list[str] = []
    for depth, name, self_us, cumulative_us in reversed(entries):
        del stack[depth:]
        if name == "serving.app" and depth == 0:
            total = cumulative_us / 1000
        package = name.split(".")[0]
        cost = costs.setdefault(package, {"cum": 0, "self": 0, "n": 0, "by": "-", "outer": 0})
        cost["self"] += self_us
        cost["n"] += 1
        if all(a.split(".")[0] != package for a in stack):
            cost["cum"] += cumulative_us
            if cumulative_us >= cost["outer"]:
                cost["outer"] = cumulative_us
                cost["by"] = stack[-1].split(".")[0] if stack else "-"
        stack.append(name)
    top = sorted(
        (
            ImportCost(p, c["cum"] / 1000, c["self"] / 1000, c["n"], c["by"])
            for p, c in costs.items()
            if p != "serving"  # the whole import: reported as the total
        ),
        key=lambda cost: -cost.cumulative_ms,
    )
    return total, top[:TOP_IMPORTS]


def import_profile(env: ColdEnv) -> tuple[float | None, list[ImportCost]]:
    command = [env.python[0], "-X", "importtime", *env.python[1:], "-c", CHILD_CODE]
    result = _run(command, cwd=env.cwd, env=env.env, timeout=COLD_TIMEOUT_S)
    if result.returncode != 0:
        raise BenchError(f"{env.label}: -X importtime run failed: {_error_tail(result)}")
    return parse_importtime(result.stderr)


def cold_start(env: ColdEnv, runs: int) -> ColdStart:
    print(f"  {env.label}: 1 priming run + {runs} timed runs + 1 -X importtime run", flush=True)
    first, _ = cold_run(env)
    totals, results = [], []
    for _ in range(runs):
        seconds, result = cold_run(env)
        totals.append(seconds)
        results.append(result)
    splits = {
        "interpreter start": [t - r["in_script"] for t, r in zip(totals, results, strict=True)],
        "imports": [r["imports"] for r in results],
        "create_app": [r["create_app"] for r in results],
        "model load": [r["model_load"] for r in results],
        "first request": [r["first_request"] for r in results],
    }
    import_total, top = import_profile(env)
    note = env.note
    if results[-1]["model_loaded"] is None:
        note += "; app.state.model_holder is gone: the model load counts in the first request"
    return ColdStart(
        environment=env.name,
        label=env.label,
        python=env.python,
        runs_s=totals,
        median_s=statistics.median(totals),
        max_s=max(totals),
        first_run_s=first,
        split_median_s={k: statistics.median(v) for k, v in splits.items()},
        modules=results[-1]["modules"],
        heavy_modules=results[-1]["heavy_modules"],
        import_total_ms=import_total,
        top_imports=top,
        note=note,
    )


# --------------------------------------------------------------------------- warm latency


Poster = Callable[[str, bytes], int]
JSON_HEADERS = {"content-type": "application/json"}


def timed_calls(call: Callable[[], int], iterations: int, warmup: int, what: str) -> Latency:
    for _ in range(warmup):
        if (status := call()) != 200:
            raise BenchError(f"{what}: status {status}")
    gc.collect()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        status = call()
        samples.append(time.perf_counter() - started)
        if status != 200:
            raise BenchError(f"{what}: status {status}")
    return Latency.of(samples)


def timed(call: Callable[[], Any], iterations: int, warmup: int = 2) -> Latency:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return Latency.of(samples)


@dataclass
class Workload:
    route: RouteFigures
    bodies: list[bytes]
    iterations: int
    warmup: int


def health_latency(client: Any, iterations: int) -> Latency:
    return timed_calls(lambda: client.get("/health").status_code, iterations, 20, "GET /health")


@contextlib.contextmanager
def app_logs_discarded() -> Iterator[None]:
    """The app still formats its request log line, but writes it to /dev/null, not stdout."""
    from serving.observability import SERVICE

    handlers = [
        h for h in logging.getLogger(SERVICE).handlers if isinstance(h, logging.StreamHandler)
    ]
    with open(os.devnull, "w") as devnull:
        previous = [h.setStream(devnull) for h in handlers]
        try:
            yield
        finally:
            for handler, stream in zip(handlers, previous, strict=True):
                if stream is not None:
                    handler.setStream(stream)


@dataclass
class _Answer:
    status_code: int


class AsgiClient:
    """Calls the ASGI app directly on one event loop of its own: no client, no server.

    After the body, ``receive`` waits for the response to end and then reports a disconnect,
    as a server would; sync routes still run in the app's thread pool, as under uvicorn.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()

    def __enter__(self) -> AsgiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.loop.run_until_complete(self.loop.shutdown_default_executor())
        self.loop.close()

    def get(self, path: str) -> _Answer:
        return _Answer(self.loop.run_until_complete(self._call("GET", path, b"", {})))

    def post(self, path: str, content: bytes, headers: dict[str, str]) -> _Answer:
        return _Answer(self.loop.run_until_complete(self._call("POST", path, content, headers)))

    async def _call(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> int:
        raw_headers = [(b"host", b"bench"), (b"content-length", str(len(body)).encode())]
        raw_headers += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": raw_headers,
            "client": ("127.0.0.1", 50000),
            "server": ("bench", 80),
        }
        done = asyncio.Event()
        status = {"code": 0, "sent": False}

        async def receive() -> dict[str, Any]:
            if not status["sent"]:
                status["sent"] = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        await self.app(scope, receive, send)
        return status["code"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def http_server(
    model_dir: Path, log_file: Path, online_store: str = ""
) -> Iterator[tuple[str, float]]:
    """``python -m serving`` on a free port, with ``MATCH_ONLINE_STORE=online_store``; yields
    its URL and seconds to the first 200."""
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = child_env(model_dir, pythonpath=str(ROOT), extra_path=None, online_store=online_store)
    with open(log_file, "w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "serving", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            ready = None
            while ready is None:
                if process.poll() is not None:
                    raise BenchError(f"python -m serving exited ({process.returncode}): {log_file}")
                if time.perf_counter() - started > SERVER_START_TIMEOUT_S:
                    raise BenchError(f"python -m serving not ready in time: see {log_file}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                        ready = time.perf_counter() - started
                        break
                time.sleep(0.05)
            yield url, ready
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --------------------------------------------------------------------------- raw predict, stages


def raw_predict(
    model: Any, route: RouteFigures, matrices: Sequence[np.ndarray], iterations: int
) -> None:
    """LightGBM alone on the prepared float64 matrices (cycled), with the served num_threads."""
    booster, threads = model.booster, model.predict_threads
    rows = itertools.cycle(matrices)

    def predict() -> None:
        booster.predict(next(rows), num_threads=threads)

    def contrib() -> None:
        booster.predict(next(rows), pred_contrib=True, num_threads=threads)

    def both() -> None:
        matrix = next(rows)
        booster.predict(matrix, num_threads=threads)
        booster.predict(matrix, pred_contrib=True, num_threads=threads)

    route.raw_predict["predict"] = timed(predict, iterations)
    route.raw_reference = "predict"
    if route.name == "score":
        route.raw_predict["pred_contrib"] = timed(contrib, iterations)
        route.raw_predict["predict + pred_contrib"] = timed(both, iterations)
        route.raw_reference = "predict + pred_contrib"


def body_matrix(body: bytes, text_model: Any, stored: StoredProfiles | None = None) -> np.ndarray:
    """The feature matrix the route computes for this request body (codes: from ``stored``)."""
    from serving.scoring import applicant_profile_of, feature_matrix, job_profile_of

    parsed = json.loads(body)
    if "applicant_codes" in parsed:
        if stored is None:
            raise BenchError("a body of codes needs the online store")
        job, found = stored.lookup(parsed["job_code"], parsed["applicant_codes"])
        return feature_matrix(job, [found[code] for code in parsed["applicant_codes"]], text_model)
    if "applicant" in parsed:
        applicants = [parsed["applicant"]]
    else:
        applicants = [a["applicant"] for a in parsed["applicants"]]
    return feature_matrix(
        job_profile_of(parsed["job"]), [applicant_profile_of(a) for a in applicants], text_model
    )


def stage_breakdown(model: Any, route: RouteFigures, body: bytes, iterations: int) -> None:
    """Median ms of each stage the route runs, each called directly on the same body."""
    from serving import schemas
    from serving.scoring import (
        applicant_profile_of,
        feature_matrix,
        job_profile_of,
        top_contributions,
    )

    scoring = route.name == "score"
    request_model = schemas.ScoreRequest if scoring else schemas.RankRequest
    parsed = json.loads(body)
    request = request_model.model_validate(parsed)

    def records() -> tuple[dict, list[dict]]:
        job = request.job.model_dump(by_alias=True, exclude_unset=True)
        if scoring:
            return job, [request.applicant.model_dump(by_alias=True, exclude_unset=True)]
        return job, [
            a.applicant.model_dump(by_alias=True, exclude_unset=True) for a in request.applicants
        ]

    job_record, applicant_records = records()

    def profiles() -> tuple[dict, list[dict]]:
        return job_profile_of(job_record), [applicant_profile_of(r) for r in applicant_records]

    job, applicants = profiles()
    rows = feature_matrix(job, applicants, model.text_model)

    def predict() -> Any:
        if scoring:
            return model.probabilities(rows), model.contributions(rows)
        return model.probabilities(rows)

    predicted = predict()
    ref = {"name": model.name, "version": model.version}

    def respond() -> bytes:
        if scoring:
            probabilities, contributions = predicted
            result = {
                "job_code": request.job_code,
                "applicant_code": request.applicant_code,
                "model": ref,
                "probability": float(probabilities[0]),
                "base_value": float(contributions[0][-1]),
                "contributions": top_contributions(rows[0], contributions[0][:-1], 5),
                "features": dict(zip(model.feature_names, rows[0].tolist(), strict=True)),
            }
            return schemas.ScoreResponse.model_validate(result).model_dump_json().encode()
        order = sorted(range(len(predicted)), key=lambda i: -predicted[i])
        ranking = [
            {
                "rank": n,
                "applicant_code": request.applicants[i].applicant_code,
                "probability": float(predicted[i]),
                "source": "request",
            }
            for n, i in enumerate(order, start=1)
        ]
        result = {"job_code": request.job_code, "model": ref, "count": len(ranking)}
        result |= {"ranking": ranking, "not_found": []}
        return schemas.RankResponse.model_validate(result).model_dump_json().encode()

    stages: dict[str, Callable[[], Any]] = {
        "JSON parse": lambda: json.loads(body),
        "validation (pydantic)": lambda: request_model.model_validate(parsed),
        "records (model_dump)": records,
        "profiles": profiles,
        "feature matrix": lambda: feature_matrix(job, applicants, model.text_model),
        "LightGBM predict (score: + contrib)": predict,
        "response (model + JSON)": respond,
    }
    route.breakdown_ms = {
        name: timed(stage, iterations, warmup=1).p50_ms for name, stage in stages.items()
    }


def codes_stage_breakdown(
    model: Any, route: RouteFigures, body: bytes, iterations: int, stored: StoredProfiles
) -> None:
    """The stages of a rank by codes, each called directly on the same body (median ms): the
    store lookup replaces the records and profiles stages of a rank by records."""
    from serving import schemas
    from serving.scoring import Candidate, feature_matrix

    parsed = json.loads(body)
    request = schemas.RankRequest.model_validate(parsed)
    codes = request.applicant_codes
    if request.job_code is None or not codes:
        raise BenchError(f"{route.name}: the body holds no job_code or no applicant_codes")

    def lookup() -> tuple[Any, list[Candidate], list[str]]:
        # as the route: the job's profile, then the applicants' as candidates and the misses
        job, found = stored.lookup(request.job_code, codes)
        candidates = [Candidate(c, found[c], "feature_store") for c in codes if c in found]
        return job, candidates, [c for c in codes if c not in found]

    job, candidates, not_found = lookup()
    if job is None or not_found:
        raise BenchError(f"{route.name}: the online store misses the job or applicants")
    profiles = [c.profile for c in candidates]
    rows = feature_matrix(job, profiles, model.text_model)
    predicted = model.probabilities(rows)
    ref = {"name": model.name, "version": model.version}

    def respond() -> bytes:
        order = sorted(range(len(predicted)), key=lambda i: -predicted[i])
        ranking = [
            {
                "rank": n,
                "applicant_code": candidates[i].applicant_code,
                "probability": float(predicted[i]),
                "source": candidates[i].source,
            }
            for n, i in enumerate(order, start=1)
        ]
        result = {"job_code": request.job_code, "model": ref, "count": len(ranking)}
        result |= {"ranking": ranking, "not_found": not_found}
        return schemas.RankResponse.model_validate(result).model_dump_json().encode()

    stages: dict[str, Callable[[], Any]] = {
        "JSON parse": lambda: json.loads(body),
        "validation (pydantic)": lambda: schemas.RankRequest.model_validate(parsed),
        "store lookup (codes: job + applicants)": lookup,
        "feature matrix": lambda: feature_matrix(job, profiles, model.text_model),
        "LightGBM predict (score: + contrib)": lambda: model.probabilities(rows),
        "response (model + JSON)": respond,
    }
    route.breakdown_ms = {
        name: timed(stage, iterations, warmup=1).p50_ms for name, stage in stages.items()
    }


# --------------------------------------------------------------------------- targets


def target_checks(figures: Figures) -> list[TargetCheck]:
    checks = []
    cold = {c.environment: c for c in figures.cold_start}
    chosen = cold.get("lambda") or cold.get("venv")
    if chosen is None:
        checks.append(TargetCheck("cold start", f"< {TARGET_COLD_S:g} s", "-", "not run", None))
    else:
        runs = len(chosen.runs_s)
        checks.append(
            TargetCheck(
                "cold start (process start to /health)",
                f"< {TARGET_COLD_S:g} s",
                f"median {chosen.median_s:.2f} s, max {chosen.max_s:.2f} s",
                f"max of {runs} runs, {chosen.label}",
                chosen.max_s < TARGET_COLD_S,
            )
        )
    routes = {r.name: r for r in figures.routes}
    score = routes.get("score")
    if score is not None and ASGI in score.latency:
        latency = score.latency[ASGI]
        checks.append(
            TargetCheck(
                "POST /v1/score",
                f"p99 < {TARGET_SCORE_P99_MS:g} ms",
                f"p50 {latency.p50_ms:.2f} ms, p99 {latency.p99_ms:.2f} ms",
                f"p99 {ASGI}, {latency.n} calls",
                latency.p99_ms < TARGET_SCORE_P99_MS,
            )
        )
    for name, sent in (("rank-1000", "records"), ("rank-1000-codes", "codes")):
        rank = routes.get(name)
        target = f"POST /v1/rank, 1,000 applicants ({sent})"
        if rank is None or ASGI not in rank.latency:
            limit = f"< {TARGET_RANK1000_MS:g} ms"
            checks.append(TargetCheck(target, limit, "-", "not run", None))
            continue
        latency = rank.latency[ASGI]
        checks.append(
            TargetCheck(
                target,
                f"< {TARGET_RANK1000_MS:g} ms",
                f"p50 {latency.p50_ms:.1f} ms, p99 {latency.p99_ms:.1f} ms",
                f"p99 (strict) {ASGI}, {latency.n} calls",
                latency.p99_ms < TARGET_RANK1000_MS,
            )
        )
    records, codes = routes.get("rank-1000"), routes.get("rank-1000-codes")
    if records is not None and codes is not None:
        checks[-1].note = rank_paths_note(records, codes)
    return checks


def rank_paths_note(records: RouteFigures, codes: RouteFigures) -> str:
    """One line on why ranking by records is slower than by codes, with the stage figures."""
    profiles = records.breakdown_ms.get("profiles")
    lookup = codes.breakdown_ms.get("store lookup (codes: job + applicants)")
    figures = ""
    if profiles is not None and lookup is not None:
        figures = f" ({profiles:.1f} ms of profiles against a {lookup:.1f} ms store lookup)"
    return (
        "records are slower: each request computes the applicants' profiles from their "
        "records, CV text included; codes reuse the profiles computed once at ingestion and "
        f"read from the online store{figures}"
    )


# --------------------------------------------------------------------------- printing


def _ms(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _digits(value: float) -> int:
    return 3 if value < 1 else 2 if value < 10 else 1


def print_header(figures: Figures) -> None:
    m, model, records = figures.machine, figures.model, figures.records
    print("\nServing benchmark")
    print(
        f"Machine: {m['cpu_count']} CPUs ({m['cpu_model']}), {m['platform']}, Python "
        f"{m['python']}; load average (1/5/15 min) {m['load_average_start']} at start, "
        f"{m.get('load_average_end')} at end"
    )
    print(
        f"Model: {model['source']}; {model['trees']} trees, {model['features']} features, "
        f"predict_threads={model['predict_threads']}"
    )
    print(
        f"Records: {records['source']}; {records['applicants']} applicants, "
        f"{records['jobs']} jobs; applicant record {records['applicant_record_bytes_mean']:,} "
        f"bytes of JSON on average, cv_pt {records['cv_pt_chars_mean']:,} chars on average "
        f"(max {records['cv_pt_chars_max']:,})"
    )
    store = figures.online_store
    if store:
        print(
            f"Online store (rank by codes): {store['source']}; {store['path']}; job "
            f"{store['job_code']} and {store['applicants']:,} applicants, profiles "
            f"{store['profiles']}"
        )


def print_cold(figures: Figures) -> None:
    print("\n1. Cold start: process start to the first answer (GET /health, ASGI in-process)")
    for reason in figures.cold_start_skipped:
        print(f"  skipped: {reason}")
    if not figures.cold_start:
        return
    parts = list(figures.cold_start[0].split_median_s)
    headers = ["environment", "median s", "max s", "first run s", *(f"{p} s" for p in parts)]
    rows = [
        [
            c.label,
            f"{c.median_s:.3f}",
            f"{c.max_s:.3f}",
            f"{c.first_run_s:.3f}",
            *(f"{c.split_median_s[p]:.3f}" for p in parts),
        ]
        for c in figures.cold_start
    ]
    print(render_table(headers, rows, "l" + "r" * (len(headers) - 1)))
    print(
        "  (split: median per part across the timed runs, measured inside the process; "
        "interpreter start = total - time inside the script; first run = the untimed priming "
        "run, which compiles and writes any missing .pyc)"
    )
    for c in figures.cold_start:
        total = f"{c.import_total_ms:,.0f} ms" if c.import_total_ms is not None else "-"
        heavy = ", ".join(c.heavy_modules) or "none"
        print(f"\n  {c.label}: {c.note}")
        print(
            f"  runs: {', '.join(f'{s:.2f}' for s in c.runs_s)} s; {c.modules} modules loaded; "
            f"heavy packages loaded: {heavy}"
        )
        print(
            f"  slowest imports (python -X importtime, which itself slows imports; "
            f"import serving.app total {total}):"
        )
        rows = [
            [
                i.package,
                f"{i.cumulative_ms:,.1f}",
                f"{i.self_ms:,.1f}",
                str(i.modules),
                i.imported_by if i.imported_by != "-" else "(top level or lazy)",
            ]
            for i in c.top_imports
        ]
        table = render_table(
            ["package", "cumulative ms", "own ms", "modules", "first imported by"], rows, "lrrrl"
        )
        print("\n".join("    " + line for line in table.splitlines()))


def print_latency(figures: Figures) -> None:
    print("\n2-3. Warm latency (ms) beside LightGBM's own predict on the same rows")
    print(
        f"  {ASGI}: the app called directly on one event loop, no client; {TESTCLIENT}: "
        f"Starlette's TestClient (httpx and a thread hop on the client side); {HTTP}: "
        "python -m serving in its own process, one keep-alive httpx client"
    )
    if figures.server_start_s is not None:
        print(f"  python -m serving: {figures.server_start_s:.2f} s from start to the first 200")
    headers = ["route", "harness", "n", "mean", "p50", "p99", "max", "raw p50 / p99", "x raw"]
    rows = []
    for label, latency in figures.health.items():
        values = (latency.mean_ms, latency.p50_ms, latency.p99_ms, latency.max_ms)
        rows.append(["GET /health", label, str(latency.n), *(_ms(v) for v in values), "", ""])
    for route in figures.routes:
        raw = route.raw_predict.get(route.raw_reference)
        raw_text = f"{_ms(raw.p50_ms, 3)} / {_ms(raw.p99_ms, 3)}" if raw else "-"
        for label, latency in route.latency.items():
            d = _digits(latency.p50_ms)
            values = (latency.mean_ms, latency.p50_ms, latency.p99_ms, latency.max_ms)
            ratio = route.overhead.get(label)
            rows.append(
                [
                    f"POST {route.path} ({route.name})",
                    label,
                    str(latency.n),
                    *(_ms(v, d) for v in values),
                    raw_text,
                    f"{ratio:,.1f}" if ratio is not None else "-",
                ]
            )
    print(render_table(headers, rows, "llrrrrrrr"))
    print(
        "  raw = booster.predict alone on the prepared float64 matrix, with the served "
        "num_threads (score: predict + pred_contrib, as the route computes both); "
        "x raw = route p50 / raw p50; GET /health is the floor without model work"
    )
    for route in figures.routes:
        raw = ", ".join(
            f"{name} p50 {_ms(lat.p50_ms, 3)} / p99 {_ms(lat.p99_ms, 3)} ms"
            for name, lat in route.raw_predict.items()
        )
        print(f"  {route.name}: {route.pairs} pairs, body {route.body_bytes:,} bytes; raw {raw}")

    if not figures.routes or not figures.routes[0].breakdown_ms:
        return
    print("\n  Where the time goes (median ms per stage, each called directly on the same body)")
    names: list[str] = []
    for route in figures.routes:  # a stage new to a route goes before its next known stage
        own = list(route.breakdown_ms)
        for k, name in enumerate(own):
            if name not in names:
                after = [names.index(n) for n in own[k + 1 :] if n in names]
                names.insert(after[0] if after else len(names), name)
    headers = ["stage", *(r.name for r in figures.routes)]
    rows = [[name, *(_ms(r.breakdown_ms.get(name), 3) for r in figures.routes)] for name in names]
    sums = [sum(r.breakdown_ms.values()) for r in figures.routes]
    rows.append(["sum of stages", *(_ms(s, 3) for s in sums)])
    p50s = [r.latency[ASGI].p50_ms if ASGI in r.latency else None for r in figures.routes]
    rows.append([f"route p50, {ASGI}", *(_ms(p, 3) for p in p50s)])
    rest = [None if p is None else p - s for p, s in zip(p50s, sums, strict=True)]
    rows.append(["rest: ASGI, routing, middleware, log line", *(_ms(r, 3) for r in rest)])
    print(render_table(headers, rows, "l" + "r" * len(figures.routes)))
    if any(route.sends == "codes" for route in figures.routes):
        print(
            "  codes: store lookup = the job's and the applicants' stored profiles read from the "
            "online store (SQLite, JSON-decoded) and made candidates, as the route does; "
            "feature matrix = from those stored profiles (no records, no profiles computed)"
        )


def print_targets(figures: Figures) -> None:
    print("\n4. Targets")
    rows = [
        [
            t.target,
            t.limit,
            t.measured,
            t.checked_against,
            {True: "met", False: "MISSED", None: "not measured"}[t.met],
        ]
        for t in figures.targets
    ]
    print(render_table(["target", "limit", "measured", "checked against", "result"], rows, "lllll"))
    for check in figures.targets:
        if check.note:
            print(f"  {check.note}")


def write_json(path: Path, figures: Figures) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(figures), indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- main


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
    routes = [RouteFigures("score", "/v1/score", 1, round(statistics.fmean(map(len, scores))))]
    workloads = [Workload(routes[0], scores, args.score_calls, 20)]
    for size, calls, warmup in zip(
        RANK_SIZES, (args.rank100_calls, args.rank1000_calls), (10, 3), strict=True
    ):
        body = rank_body(records, size)
        route = RouteFigures(f"rank-{size}", "/v1/rank", size, len(body))
        routes.append(route)
        workloads.append(Workload(route, [body], calls, warmup))

    print("Online store for the codes scenarios ...", flush=True)
    config = load_config(child_env(model_dir, pythonpath=None, extra_path=None))
    store_spec, figures.online_store = online_store_for(records, config, work)
    print(f"  {figures.online_store['source']}", flush=True)
    for size, calls, warmup in zip(
        RANK_SIZES, (args.rank100_calls, args.rank1000_calls), (10, 3), strict=True
    ):
        body = rank_codes_body(records, size)
        route = RouteFigures(f"rank-{size}-codes", "/v1/rank", size, len(body), sends="codes")
        routes.append(route)
        workloads.append(Workload(route, [body], calls, warmup))
    figures.routes = routes

    # One app for every scenario: records never touch the store, codes are looked up in it.
    config = load_config(
        child_env(model_dir, pythonpath=None, extra_path=None, online_store=store_spec)
    )
    with app_logs_discarded():
        app = create_app(config)
    # As the entry points do (serving.handler, python -m serving): start-up objects frozen.
    freeze_startup_objects()
    holder = getattr(app.state, "model_holder", None)
    model = holder.current if holder is not None else None
    if model is None:
        from serving.model import load_model

        model = load_model(str(model_dir), predict_threads=config.predict_threads)
    figures.model |= {
        "trees": model.booster.num_trees(),
        "features": len(model.feature_names),
        "predict_threads": model.predict_threads,
        "name": model.name,
        "version": model.version,
    }

    print("Warm latency, in-process ...", flush=True)
    with app_logs_discarded():
        with AsgiClient(app) as client:
            measure_harness(figures, client, workloads, ASGI)
        with TestClient(app) as client:
            measure_harness(figures, client, workloads, TESTCLIENT)

    print("Raw LightGBM predict and stage breakdown ...", flush=True)
    stored = StoredProfiles(store_spec, config)
    try:
        for workload in workloads:
            route = workload.route
            body, iterations = workload.bodies[0], min(workload.iterations, 50)
            if route.sends == "codes":
                codes_stage_breakdown(model, route, body, iterations, stored)
            else:
                stage_breakdown(model, route, body, iterations)
            matrices = [body_matrix(body, model.text_model, stored) for body in workload.bodies]
            raw_predict(model, route, matrices, workload.iterations)
    finally:
        stored.close()

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


def measure_harness(
    figures: Figures, client: Any, workloads: Sequence[Workload], where: str
) -> None:
    figures.health[where] = health_latency(client, 200)
    for workload in workloads:
        route = workload.route
        print(f"  {where}: {route.name} x {workload.iterations}", flush=True)
        bodies = itertools.cycle(workload.bodies)

        def call(path: str = route.path, bodies: Iterator[bytes] = bodies) -> int:
            return client.post(path, content=next(bodies), headers=JSON_HEADERS).status_code

        what = f"{where} {route.name}"
        route.latency[where] = timed_calls(call, workload.iterations, workload.warmup, what)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="serving-bench-"))
    figures = Figures(
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
    print_header(figures)
    print_cold(figures)
    print_latency(figures)
    print_targets(figures)
    print_explain(figures.explain, render_table)
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
