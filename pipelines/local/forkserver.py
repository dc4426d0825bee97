"""Start the local jobs from a process that has the heavy libraries imported already.

Each local job is a fresh Python, as a container's would be, and each imported pandas, pyarrow,
LightGBM (which imports scikit-learn) and MLflow again: 3 to 6 s of a step's 8 to 10 s at the
demo scale. The executor starts one server per run, as its first job starts; the server imports
``PRELOAD`` once, then forks a child for each job that can use it. The child takes the job's
environment, working folder, arguments and output pipe, and runs the script as ``__main__``,
as ``python3 script.py`` would, then exits as Python does (threads joined, ``atexit``, streams
flushed). Jobs that start before the server is ready, that are not a Python script, or that
need another ``PYTHONPATH`` run as a fresh process, as before. The server logs each job it
forks; a run that ends before the server is ready (its first step failed) stops it.

The server and its jobs run ``NICENESS`` nicer than the executor, so that importing takes the
CPU the jobs started afresh beside it leave (Preprocess's serial stages) rather than theirs.
A job that finds the server past half of its imports waits for it (up to ``WAIT_S``): what is
left is less than the job would import itself, and importing it twice would slow both. A job
that finds it earlier on (Preprocess, just after ExtractText) starts afresh. What a child
inherits besides its job: the modules in
``PRELOAD``, imported with the run's
base environment (a library that reads an environment variable when imported reads the
server's, not the job's; none of these does for anything a step sets), and NumPy's global
random state (the steps seed their own generators).

The protocol: the client holds one end of a ``SOCK_SEQPACKET`` socket pair; the server the
other. The server says ``ready`` once it has imported ``PRELOAD``. A request is one message,
JSON ``{"argv", "env", "cwd"}``, with two file descriptors: a stream socket for the exit status
and the write end of the job's output pipe. The server answers on the stream socket with
``{"code": n}`` (a negative n: killed by that signal, as ``subprocess`` says) once the child is
reaped. When the client closes its end, the server waits for its children and exits.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import importlib
import io
import json
import os
import runpy
import select
import signal
import socket
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

#: imported once by the server: what the steps import that takes seconds
PRELOAD = (
    "numpy",
    "pandas",
    "pyarrow.parquet",
    "lightgbm",
    "sklearn.metrics",
    "sklearn.calibration",
    "mlflow",
    "mlflow.store.tracking.sqlalchemy_store",
    "mlflow.store.model_registry.sqlalchemy_store",
    "git",  # GitPython: MLflow reads the commit when Train starts its run (0.5 s to import)
    "matplotlib",
    "matplotlib.pyplot",  # chooses no backend when imported: Evaluate's plots still use Agg
)
#: how much nicer than the executor the server and its jobs run. At the same priority its
#: imports slowed Preprocess's two processes by 2 to 3 s at the demo scale; nicer, they were
#: not all done when Preprocess ended, and Train imported everything again itself (7.9 s
#: instead of 1.4 s) until jobs waited for a server past half of its imports.
NICENESS = 10
#: the longest a job waits for a server past half of its imports
WAIT_S = 60.0
READY = b"ready"
IMPORTED = b"imported"  # one message per module preloaded, before READY
MAX_REQUEST = 1 << 20  # bytes: a job's environment and arguments
POLL_S = 0.1
CLOSE_TIMEOUT_S = 30.0


class ForkServerLost(RuntimeError):
    """The server ended before it said how a job ended."""


# --- the server ------------------------------------------------------------------------------


def preload(modules: Iterable[str]) -> list[str]:
    """Import each module; the ones that fail, with why (a job then imports them itself)."""
    failed = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as error:  # a module missing here is the job's business, not ours
            failed.append(f"{name}: {type(error).__name__}: {error}")
    return failed


def exit_code(error: SystemExit) -> int:
    """The process exit code ``sys.exit(value)`` gives, as the interpreter computes it."""
    if error.code is None:
        return 0
    if isinstance(error.code, int):
        return error.code & 0xFF
    print(error.code, file=sys.stderr)
    return 1


def _script_path(script: str) -> list[str]:
    """``sys.path`` as ``python3 script.py`` starts it: the script's folder, then the rest."""
    return [str(Path(script).resolve().parent), *sys.path]


def _attach_output(out_fd: int) -> None:
    """stdin from /dev/null; stdout and stderr to the job's pipe, a line at a time."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    for name, fd in (("stdout", 1), ("stderr", 2)):
        stream = io.TextIOWrapper(
            io.FileIO(fd, "w", closefd=False),
            encoding="utf-8",
            errors="backslashreplace",
            line_buffering=True,
        )
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def _finish_like_python(code: int) -> int:
    """What the interpreter does at exit: join threads, run ``atexit``, flush every stream."""
    try:
        threading._shutdown()  # type: ignore[attr-defined]  # joins non-daemon threads
        atexit._run_exitfuncs()
    except BaseException:
        traceback.print_exc()
        code = code or 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    ctypes.CDLL(None).fflush(None)  # what C code (LightGBM's log) printed through stdio
    return code


def run_job(request: Mapping[str, Any], out_fd: int) -> int:
    """In the forked child: become the job, run its script, return its exit code."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    _attach_output(out_fd)
    try:
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        script, *arguments = request["argv"]
        sys.argv = [script, *arguments]
        sys.path[:] = _script_path(script)
        runpy.run_path(script, run_name="__main__")
        code = 0
    except SystemExit as error:
        code = exit_code(error)
    except BaseException:
        traceback.print_exc()
        code = 1
    return _finish_like_python(code)


def _fork_job(request: Mapping[str, Any], out_fd: int, close: Sequence[socket.socket]) -> int:
    pid = os.fork()
    if pid == 0:
        for item in close:
            item.close()
        code = 1
        try:
            code = run_job(request, out_fd)
        finally:
            os._exit(code)
    os.close(out_fd)
    return pid


def _reap(children: dict[int, socket.socket]) -> None:
    """Tell each finished job's client how its job ended."""
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = children.pop(pid, None)
        if conn is None:
            continue
        try:
            code = os.waitstatus_to_exitcode(status)
            conn.sendall(json.dumps({"code": code}).encode() + b"\n")
        except OSError:
            pass  # the client went away: nobody is waiting for this job
        finally:
            conn.close()


def serve(control: socket.socket) -> None:
    """Fork a child per request until the client closes its end and every child ended."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the jobs: they report back
    children: dict[int, socket.socket] = {}
    listening = True
    while listening or children:
        readable = select.select([control] if listening else [], [], [], POLL_S)[0]
        if readable:
            try:
                message, fds, _, _ = socket.recv_fds(control, MAX_REQUEST, 2)
            except OSError:
                message, fds = b"", []
            if not message or len(fds) != 2:
                for fd in fds:
                    os.close(fd)
                listening = bool(message)
                continue
            status = socket.socket(fileno=fds[0])
            request = json.loads(message)
            pid = _fork_job(request, fds[1], [control, status, *children.values()])
            children[pid] = status
            print(f"forked {Path(request['argv'][0]).name} as process {pid}", flush=True)
        _reap(children)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -P -m pipelines.local.forkserver FD [MODULE,MODULE...]``."""
    fd, *modules = argv if argv is not None else sys.argv[1:]
    control = socket.socket(fileno=int(fd))
    os.nice(NICENESS)
    names = [name for name in modules[0].split(",") if name] if modules else PRELOAD
    try:
        for name in names:
            for problem in preload([name]):
                print(f"fork server: not preloaded: {problem}", flush=True)
            control.sendall(IMPORTED)
        control.sendall(READY)
    except OSError:
        return 0  # the executor went away while this server was importing
    serve(control)
    return 0


def _exit_without_teardown(code: int) -> None:
    """Exit once served: the server holds nothing to save, and tearing down the modules it
    preloaded (MLflow, SQLAlchemy, matplotlib) took about 2 s that the run waited for."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


# --- the client, in the executor -------------------------------------------------------------


class ForkedProcess:
    """A job forked by the server, read as a ``subprocess.Popen`` with a text stdout."""

    def __init__(self, stdout: TextIO, status: socket.socket) -> None:
        self.stdout = stdout
        self._status = status
        self.returncode: int | None = None

    def wait(self) -> int:
        if self.returncode is None:
            with self._status, self._status.makefile("rb") as answer:
                line = answer.readline()
            self.stdout.close()
            try:
                self.returncode = int(json.loads(line)["code"])
            except (ValueError, KeyError, TypeError):
                raise ForkServerLost(
                    "the local fork server ended before the job did; run again, or set "
                    "MATCH_LOCAL_FORK_SERVER=0 to start every job as a fresh process"
                ) from None
        return self.returncode


def _is_python_script(command: Sequence[str]) -> bool:
    return (
        len(command) >= 2
        and command[0] == sys.executable
        and command[1].endswith(".py")
        and Path(command[1]).is_file()
    )


class ForkServer:
    """The executor's side: starts the server once, forks jobs through it when it can."""

    def __init__(self, log_path: Path, preload: Sequence[str] = PRELOAD) -> None:
        self.log_path = log_path
        self.preload = tuple(preload)
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._settled = threading.Event()  # ready, or gone before it was
        self.imported = 0  # modules of ``preload`` imported so far
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._pythonpath: str | None = None

    def start(self, env: Mapping[str, str]) -> None:
        """Start the server with this base environment, unless it is started already."""
        with self._lock:
            if self._process is not None:
                return
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("ab") as log:
                self._process = subprocess.Popen(
                    [
                        *(sys.executable, "-P", "-m", __name__),
                        *(str(theirs.fileno()), ",".join(self.preload)),
                    ],
                    pass_fds=[theirs.fileno()],
                    env=dict(env),
                    cwd=self.log_path.parent,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            theirs.close()
            self._control = ours
            self._pythonpath = env.get("PYTHONPATH", "")
        threading.Thread(target=self._await_ready, name="fork-server", daemon=True).start()

    def _await_ready(self) -> None:
        assert self._control is not None
        try:
            while (message := self._control.recv(len(IMPORTED))) == IMPORTED:
                self.imported += 1
            if message == READY:
                self._ready.set()
        except OSError:
            pass
        finally:
            self._settled.set()

    def _past_half(self) -> bool:
        return 2 * self.imported >= len(self.preload)

    def wait_ready(self, timeout: float) -> bool:
        return self._ready.wait(timeout)

    def launch(
        self, command: Sequence[str], env: Mapping[str, str], cwd: Path
    ) -> ForkedProcess | None:
        """The job forked by the server, or None when it cannot be (then start it afresh).

        A server past half of its imports is waited for (see the module's docstring)."""
        if not _is_python_script(command) or env.get("PYTHONPATH", "") != self._pythonpath:
            return None
        if self._control is None:
            return None
        if not self._ready.is_set() and self._past_half():
            self._settled.wait(WAIT_S)
        if not self._ready.is_set():
            return None
        request = json.dumps({"argv": list(command[1:]), "env": dict(env), "cwd": str(cwd)})
        out_read, out_write = os.pipe()
        status_here, status_there = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with self._lock:
                socket.send_fds(
                    self._control, [request.encode()], [status_there.fileno(), out_write]
                )
        except OSError:
            self._ready.clear()  # the server is gone: the next jobs start afresh
            os.close(out_read)
            status_here.close()
            return None
        finally:
            os.close(out_write)
            status_there.close()
        stdout = open(out_read, encoding="utf-8", errors="replace")  # noqa: SIM115
        return ForkedProcess(stdout, status_here)

    def close(self) -> None:
        """Let the server finish its jobs and exit; one still importing has none: it is
        stopped rather than waited for."""
        with self._lock:
            control, process = self._control, self._process
            self._control = self._process = None
            forked_any = self._ready.is_set()  # launch forks only through a ready server
            self._ready.clear()
        if control is not None:
            control.close()
        if process is not None:
            if not forked_any:
                process.kill()
            try:
                process.wait(timeout=CLOSE_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


if __name__ == "__main__":
    _exit_without_teardown(main())
