"""The clients that time the warm routes and the helpers that time them: ``AsgiClient`` (the
ASGI app called directly, no client, no server), ``http_server`` (``python -m serving`` on
uvicorn), the timed call loops behind every latency figure, and ``measure_harness``, which
runs each workload through one harness."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.scoring_api.cold import child_env
from benchmarks.scoring_api.figures import ROOT, BenchError, Figures, Latency
from benchmarks.scoring_api.records import Workload

SERVER_START_TIMEOUT_S = 90

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
