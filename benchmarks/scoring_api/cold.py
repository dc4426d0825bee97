"""The cold start: a fresh Python process imports the app, creates it, loads the model and
answers ``GET /health``, timed from outside and split from inside; the environments it runs in
(the project's virtual environment, and a Lambda-like one with only the serving packages under
``python -S``), and the slowest imports read from ``python -X importtime``."""

from __future__ import annotations

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
from typing import Any

from benchmarks.scoring_api.figures import ROOT, BenchError, ColdStart, ImportCost

REQUIREMENTS = ROOT / "serving" / "requirements.txt"
RESULT_MARKER = "SERVING_BENCH_RESULT "
COLD_TIMEOUT_S = 120
TOP_IMPORTS = 10

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
