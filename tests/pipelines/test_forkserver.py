"""The local fork server: a job forked from it behaves as ``python3 script.py`` would."""

from __future__ import annotations

import os
import signal
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.config import PROJECT_ROOT
from pipelines.local.forkserver import NICENESS, ForkServer, ForkServerLost, exit_code

JOB = """
import atexit, ctypes, json, os, sys, threading, time
atexit.register(lambda: print("atexit ran", flush=True))
def later():
    time.sleep(0.2)
    print("thread joined", flush=True)
threading.Thread(target=later).start()
ctypes.CDLL(None).printf(b"printed by C\\n")
print(json.dumps({
    "argv": sys.argv, "cwd": os.getcwd(), "path0": sys.path[0],
    "only_job": os.environ.get("ONLY_JOB"), "only_server": os.environ.get("ONLY_SERVER"),
    "preloaded": "colorsys" in sys.modules, "main": __name__, "pid": os.getpid(),
    "parent": os.getppid(), "nice": os.nice(0),
}))
print("to stderr", file=sys.stderr)
"""


def script(folder: Path, body: str, name: str = "job.py") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(body))
    return path


def base_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "ONLY_SERVER": "1"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ForkServer]:
    forks = ForkServer(tmp_path / "server" / "fork-server.log", preload=("colorsys",))
    forks.start(base_env())
    assert forks.wait_ready(60), (tmp_path / "server" / "fork-server.log").read_text()
    yield forks
    forks.close()


def run(server: ForkServer, command: list[str], cwd: Path, **extra: str) -> tuple[list[str], int]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **extra}
    process = server.launch(command, env, cwd)
    assert process is not None, "the server should take a Python script"
    lines = [line.rstrip("\n") for line in process.stdout]
    return lines, process.wait()


def test_a_forked_job_sees_only_its_own_arguments_folder_and_environment(server, tmp_path):
    import json

    job = script(tmp_path, JOB)
    work = tmp_path / "work"
    work.mkdir()
    lines, code = run(server, [sys.executable, str(job), "--flag", "x y"], work, ONLY_JOB="yes")
    assert code == 0, lines
    facts = json.loads(next(line for line in lines if line.startswith("{")))
    assert facts["argv"] == [str(job), "--flag", "x y"]
    assert facts["cwd"] == str(work) and facts["path0"] == str(tmp_path)
    assert (facts["only_job"], facts["only_server"]) == ("yes", None)
    assert facts["preloaded"] and facts["main"] == "__main__"
    assert facts["parent"] != os.getpid(), "forked by the server, not started by this process"
    assert facts["nice"] == min(19, os.nice(0) + NICENESS)
    assert {"to stderr", "thread joined", "atexit ran", "printed by C"} <= set(lines)
    assert lines.index("thread joined") < lines.index("atexit ran")  # as Python's exit does


@pytest.mark.parametrize(
    ("body", "code", "last"),
    [
        ("import sys; sys.exit(3)", 3, None),
        ("import sys; sys.exit()", 0, None),
        ("import sys; sys.exit('bad input: x')", 1, "bad input: x"),
        ("raise ValueError('no such column')", 1, "ValueError: no such column"),
        ("import os; os._exit(7)", 7, None),
        ("import os, signal; os.kill(os.getpid(), signal.SIGTERM)", -signal.SIGTERM, None),
    ],
)
def test_exit_codes_are_the_ones_python_gives(server, tmp_path, body, code, last):
    job = script(tmp_path, body)
    lines, returned = run(server, [sys.executable, str(job)], tmp_path)
    assert returned == code, lines
    if last:
        assert lines[-1] == last


def test_exit_code_of_sys_exit_values():
    assert exit_code(SystemExit(None)) == 0
    assert exit_code(SystemExit(2)) == 2
    assert exit_code(SystemExit(256 + 4)) == 4


def test_jobs_run_side_by_side(server, tmp_path):
    job = script(tmp_path, "import time; time.sleep(1.0); print('slept')")
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    processes = [server.launch([sys.executable, str(job)], env, tmp_path) for _ in range(3)]
    assert all(p is not None for p in processes)
    assert [list(p.stdout) for p in processes] == [["slept\n"]] * 3
    assert [p.wait() for p in processes] == [0, 0, 0]
    assert time.perf_counter() - started < 2.5


def test_what_the_server_does_not_take(server, tmp_path):
    job = script(tmp_path, "print('hi')")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    assert server.launch(["/bin/echo", "hi"], env, tmp_path) is None
    assert server.launch([sys.executable, "-c", "print(1)"], env, tmp_path) is None
    assert server.launch([sys.executable, str(tmp_path / "absent.py")], env, tmp_path) is None
    other_path = {**env, "PYTHONPATH": str(tmp_path)}
    assert server.launch([sys.executable, str(job)], other_path, tmp_path) is None


def test_nothing_is_forked_before_the_server_is_ready(tmp_path):
    forks = ForkServer(tmp_path / "fork-server.log", preload=("colorsys",))
    job = script(tmp_path, "print('hi')")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    assert forks.launch([sys.executable, str(job)], env, tmp_path) is None  # not started
    forks.start(base_env())
    assert forks.wait_ready(60)
    assert forks.launch([sys.executable, str(job)], env, tmp_path) is not None
    forks.close()
    assert forks.launch([sys.executable, str(job)], env, tmp_path) is None  # closed


def test_close_lets_running_jobs_finish(server, tmp_path):
    job = script(tmp_path, "import time; time.sleep(0.5); print('finished')")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    process = server.launch([sys.executable, str(job)], env, tmp_path)
    server.close()
    assert list(process.stdout) == ["finished\n"] and process.wait() == 0


def test_a_job_whose_server_died_says_so(server, tmp_path):
    job = script(tmp_path, "import time; time.sleep(2)")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    process = server.launch([sys.executable, str(job)], env, tmp_path)
    server._process.kill()
    list(process.stdout)
    with pytest.raises(ForkServerLost, match="MATCH_LOCAL_FORK_SERVER=0"):
        process.wait()


def test_a_module_that_cannot_be_preloaded_is_logged_not_fatal(tmp_path):
    log = tmp_path / "fork-server.log"
    forks = ForkServer(log, preload=("colorsys", "no_such_module_here"))
    forks.start(base_env())
    try:
        assert forks.wait_ready(60)
        assert "not preloaded: no_such_module_here: ModuleNotFoundError" in log.read_text()
    finally:
        forks.close()


def test_the_server_exits_without_tearing_its_modules_down(tmp_path):
    """Its preloaded modules' teardown is time the run would wait for, and saves nothing."""
    (tmp_path / "teardown_marker.py").write_text(
        "import atexit, os\natexit.register(lambda: open(os.environ['MARKER'], 'w').close())\n"
    )
    marker = tmp_path / "torn-down"
    env = {
        **base_env(),
        "PYTHONPATH": f"{PROJECT_ROOT}{os.pathsep}{tmp_path}",
        "MARKER": str(marker),
    }
    log = tmp_path / "fork-server.log"
    forks = ForkServer(log, preload=("teardown_marker", "no_such_module_here"))
    forks.start(env)
    assert forks.wait_ready(60), log.read_text()
    forks.close()
    assert not marker.exists()
    assert "no_such_module_here" in log.read_text()  # what it printed is flushed all the same


def test_each_forked_job_is_logged(tmp_path):
    log = tmp_path / "fork-server.log"
    forks = ForkServer(log, preload=("colorsys",))
    forks.start(base_env())
    try:
        assert forks.wait_ready(60)
        lines, code = run(forks, [sys.executable, str(script(tmp_path, "print('hi')"))], tmp_path)
    finally:
        forks.close()
    assert (lines, code) == (["hi"], 0)
    assert "forked job.py as process" in log.read_text()


def test_a_server_still_importing_is_stopped_not_waited_for(tmp_path):
    """It has forked nothing yet: a run whose first step failed need not wait for its imports."""
    (tmp_path / "slow_import.py").write_text("import time\ntime.sleep(120)\n")
    env = {**base_env(), "PYTHONPATH": f"{PROJECT_ROOT}{os.pathsep}{tmp_path}"}
    forks = ForkServer(tmp_path / "fork-server.log", preload=("slow_import",))
    forks.start(env)
    time.sleep(0.5)
    started = time.perf_counter()
    forks.close()
    assert time.perf_counter() - started < 20  # CLOSE_TIMEOUT_S is 30; the import, 120


def _slow_server(tmp_path: Path, preload: tuple[str, ...]) -> tuple[ForkServer, dict[str, str]]:
    (tmp_path / "slow_import.py").write_text("import time\ntime.sleep(2)\n")
    env = {**base_env(), "PYTHONPATH": f"{PROJECT_ROOT}{os.pathsep}{tmp_path}"}
    forks = ForkServer(tmp_path / "fork-server.log", preload=preload)
    forks.start(env)
    return forks, env


def test_a_job_waits_for_a_server_past_half_of_its_imports(tmp_path):
    """What is left to import is less than the job would import itself."""
    forks, env = _slow_server(tmp_path, ("colorsys", "slow_import"))
    job = script(tmp_path, "print('hi')")
    try:
        deadline = time.monotonic() + 60
        while forks.imported < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert forks.imported == 1 and not forks.wait_ready(0)  # half done, still importing
        forked = forks.launch([sys.executable, str(job)], env, tmp_path)
        assert forked is not None and list(forked.stdout) == ["hi\n"] and forked.wait() == 0
    finally:
        forks.close()


def test_a_job_starts_afresh_beside_a_server_not_half_way(tmp_path):
    forks, env = _slow_server(tmp_path, ("slow_import", "colorsys", "json"))
    job = script(tmp_path, "print('hi')")
    try:
        assert forks.launch([sys.executable, str(job)], env, tmp_path) is None
        assert forks.imported == 0
    finally:
        forks.close()
