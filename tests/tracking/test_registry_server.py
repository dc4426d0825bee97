"""Registration, the champion and approval against a real MLflow server of the managed version.

SageMaker's managed tracking server runs MLflow 3.0 (terraform ``mlflow_version``), and the
jobs' client is pinned to it (mlflow-skinny 3.0.1 in ``images/*/requirements.txt``). Here:

- ``mlflow server`` 3.0 runs from its own tool environment, ``.tools/mlflow-server``
  (``tools/mlflow-server``: hash-pinned, made by ``make mlflow-server-setup``; the tests make it
  from uv's cache, else from PyPI, and skip, saying why, only when PyPI cannot be reached);
- the registry code runs with the steps image's own requirements (installed by uv into an empty
  folder, as ``tests/images`` does, so with the pinned client), through the Register step's
  entry point and Evaluate's champion lookup, as the jobs run them on SageMaker;
- the deploy Lambda's REST client (``deploy/mlflow_registry.py``) moves the champion on the same
  server, as it does on AWS after an approval in Studio.

What SageMaker adds (SigV4 through the ``sagemaker-mlflow`` plugin, IAM) is not here.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from deploy.mlflow_registry import MlflowRegistry, RegistryError
from tests.containers import NETWORK_ERRORS, ROOT, install_requirements

TOOL_ENV = ROOT / ".tools" / "mlflow-server"
SERVER_VERSION = "3.0"
STEPS_IMAGE_PACKAGES = ("features", "featurestore", "steps", "tracking")
MODEL = "datathon-mlet03-match"
FEATURES = ["a", "b", "c"]

pytestmark = pytest.mark.slow


def _setup(offline: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UV": str(ROOT / ".uv" / "bin" / "uv")}
    if offline:
        env["UV_OFFLINE"] = "1"
    return subprocess.run(
        ["bash", str(ROOT / "tools" / "mlflow-server" / "setup.sh")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def server_env() -> Path:
    """The tool environment: from uv's cache, else from PyPI; skipped only when unreachable."""
    TOOL_ENV.parent.mkdir(exist_ok=True)
    with (TOOL_ENV.parent / "mlflow-server.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one maker at a time (pytest-xdist workers)
        if (TOOL_ENV / ".installed").exists():
            return TOOL_ENV
        made = _setup(offline=True)
        if made.returncode != 0:
            made = _setup(offline=False)
        if made.returncode != 0:
            tail = (made.stderr or made.stdout).strip()[-600:]
            if any(marker in tail.lower() for marker in NETWORK_ERRORS):
                pytest.skip(f"cannot install MLflow {SERVER_VERSION} (PyPI unreachable): {tail}")
            pytest.fail(f"tools/mlflow-server/setup.sh failed: {tail}")
    return TOOL_ENV


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(server_env: Path, tmp_path_factory) -> Iterator[str]:
    """``mlflow server`` of the managed version on loopback, with a SQLite store."""
    root = tmp_path_factory.mktemp("mlflow-server")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (root / "server.log").open("w")
    process = subprocess.Popen(
        [str(server_env / "bin" / "mlflow"), "server"]
        + ["--backend-store-uri", f"sqlite:///{root / 'mlflow.db'}"]
        + ["--artifacts-destination", str(root / "artifacts")]
        + ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=root,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")},
        # `mlflow server` starts gunicorn as a child: a group of its own, ended as one below
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"mlflow server did not start: {(root / 'server.log').read_text()}")
            time.sleep(0.5)
        yield url
    finally:
        _end_group(process)
        log.close()


def _end_group(process: subprocess.Popen) -> None:
    """Stop the server and every process it started (gunicorn and its worker)."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            time.sleep(0.2)  # let the group's children exit after their parent
        except subprocess.TimeoutExpired:
            continue
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 0)  # someone of the group is left: end them all
            os.killpg(process.pid, signal.SIGKILL)
        return


@pytest.fixture(scope="module")
def steps_image(tmp_path_factory) -> tuple[Path, Path]:
    """(site-packages, /opt/program) of the steps image, without Docker."""
    root = tmp_path_factory.mktemp("steps-image")
    site, program = root / "site", root / "program"
    install_requirements(ROOT / "images" / "steps" / "requirements.txt", site)
    for package in STEPS_IMAGE_PACKAGES:
        shutil.copytree(
            ROOT / package, program / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    return site, program


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A trained model folder (its metadata's run id is filled in per registration)."""
    folder = tmp_path_factory.mktemp("model")
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.random((300, 3)), columns=FEATURES)
    labels = (frame["a"] + 0.2 * rng.standard_normal(300) > 0.6).astype(int)
    booster = lgb.train(
        {"objective": "binary", "verbose": -1, "num_leaves": 4},
        lgb.Dataset(frame, labels, feature_name=FEATURES),
        num_boost_round=5,
    )
    booster.save_model(str(folder / "model.txt"))
    (folder / "feature_names.json").write_text(json.dumps(FEATURES))
    (folder / "metadata.json").write_text("{}")
    return folder


# Run inside the steps image's environment: what Train logs (a run with the model folder),
# what Register does (its entry point, as the job runs it), what Evaluate reads (the champion).
SCENARIO = textwrap.dedent(
    """
    import json, shutil, sys, tempfile
    from pathlib import Path
    program, site, result_file, model_dir, work = sys.argv[1:6]
    sys.path[:0] = [program]
    sys.path.append(site)
    import mlflow
    import pandas as pd
    from tracking import connection
    from tracking import registry
    from steps import evaluate, register

    MODEL = "datathon-mlet03-match"
    work = Path(work)
    results = {"client": mlflow.__version__, "none_registered": registry.champion_version(MODEL)}
    experiment = connection.ensure_experiment("match")

    def trained() -> Path:
        with mlflow.start_run(experiment_id=experiment) as run:
            mlflow.log_artifacts(model_dir, artifact_path="model_dir")
        folder = work / run.info.run_id
        shutil.copytree(model_dir, folder)
        (folder / "metadata.json").write_text(json.dumps({"mlflow_run_id": run.info.run_id}))
        return folder

    def register_step(model: Path, status: str, name: str) -> dict:
        evaluation, out = work / (name + "-evaluation"), work / name
        evaluation.mkdir()
        (evaluation / "evaluation.json").write_text(json.dumps({"metrics": {"auc": 0.8}}))
        code = register.main(["--model-dir", str(model), "--evaluation-dir", str(evaluation),
                              "--output-dir", str(out), "--model-name", MODEL,
                              "--approval-status", status, "--model-data-url", "s3://a/m.tar.gz"])
        answer = json.loads((out / "registration.json").read_text()) if code == 0 else {}
        return {"exit": code, **answer, "champion_now": registry.champion_version(MODEL)}

    test = pd.DataFrame({"a": [0.1, 0.9, 0.5, 0.7], "b": [0.2, 0.3, 0.4, 0.5],
                         "c": [0.5, 0.5, 0.5, 0.5], "label": [0, 1, 0, 1],
                         "job_code": ["1", "1", "2", "2"]})
    first, second = trained(), trained()
    results["first"] = register_step(first, "PendingManualApproval", "first")
    results["compared_while_pending"] = evaluate.champion_metrics(MODEL, test, work / "e1")
    approved, previous = registry.approve(MODEL, results["first"]["version"])
    results["approved"] = {"version": approved.version, "previous": previous}
    results["first_again"] = register_step(first, "PendingManualApproval", "again")
    results["second"] = register_step(second, "PendingManualApproval", "second")
    compared = evaluate.champion_metrics(MODEL, test, work / "e2")
    results["compared_after_approval"] = compared and compared["version"]
    Path(result_file).write_text(json.dumps(results))
    """
)


@pytest.fixture(scope="module")
def scenario(server, steps_image, model_dir, tmp_path_factory) -> dict:
    site, program = steps_image
    root = tmp_path_factory.mktemp("scenario")
    result_file = root / "result.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "MLFLOW_"))}
    env |= {"MLFLOW_TRACKING_URI": server, "GIT_PYTHON_REFRESH": "quiet", "PYTHONUNBUFFERED": "1"}
    ran = subprocess.run(
        [sys.executable, "-I", "-S", "-c", SCENARIO, program, site, result_file, model_dir, root],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ran.returncode == 0, ran.stdout[-4000:] + ran.stderr[-4000:]
    return json.loads(result_file.read_text())


def test_the_client_is_the_managed_servers_version(scenario, server):
    with urllib.request.urlopen(f"{server}/version", timeout=5) as answer:
        server_version = answer.read().decode().strip()
    assert server_version.startswith(SERVER_VERSION + ".")
    assert scenario["client"].startswith(SERVER_VERSION + ".")


def test_no_champion_while_every_version_is_pending(scenario):
    assert scenario["none_registered"] is None
    first = scenario["first"]
    assert first["exit"] == 0 and first["version"] == "1"
    assert (first["approval_status"], first["champion"], first["champion_now"]) == (
        "PendingManualApproval",
        False,
        None,
    )
    assert scenario["compared_while_pending"] is None  # Evaluate goes on, with nothing to beat


def test_an_approved_version_is_the_champion_and_a_pending_rerun_keeps_it(scenario):
    assert scenario["approved"] == {"version": "1", "previous": None}
    again = scenario["first_again"]
    assert (again["version"], again["approval_status"], again["champion"]) == (
        "1",
        "Approved",
        True,
    )
    second = scenario["second"]
    assert (second["version"], second["champion"], second["champion_now"]) == ("2", False, "1")
    assert scenario["compared_after_approval"] == "1"  # downloaded and scored through the server


def test_the_deploy_lambdas_rest_calls_move_the_champion(scenario, server):
    registry = MlflowRegistry(server)

    previous = registry.promote(MODEL, "2")

    assert previous == "1"
    assert registry.champion_version(MODEL) == "2"
    tags = {tag["key"]: tag["value"] for tag in registry.model_version(MODEL, "2")["tags"]}
    assert tags["approval_status"] == "Approved"
    with pytest.raises(RegistryError) as missing:
        registry.promote(MODEL, "9")
    assert missing.value.code == "RESOURCE_DOES_NOT_EXIST"
    assert registry.champion_version(MODEL) == "2"
