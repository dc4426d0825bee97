"""The whole pipeline on small generated data sets, through the same entry point as `make`.

Runs: a signal data set (registers a champion), the same again (every step reused, Evaluate and
Register too: the registry is as the first run left it),
two runs started together as two processes (the second waits for the first, each summary shows
its own results), a no-signal data set (stops at the Fail step, registers nothing), and too
little data (the preprocessing step's message and report reach the user).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from datagen import generate
from pipelines import run as cli
from pipelines.config import Settings
from pipelines.lake import Lake
from pipelines.local.workspace import WorkspaceLock

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def settings(workspace) -> Settings:
    return Settings(
        lake_dir=workspace / "lake", mlflow_dir=workspace / "mlflow", build_dir=workspace / "build"
    )


@pytest.fixture(scope="module")
def signal_data(workspace) -> Path:
    folder = workspace / "signal"
    generate(folder, seed=7, scale=0.05, signal=True, cv_file_share=0.1, log=None)
    return folder


@pytest.fixture(scope="module")
def no_signal_data(workspace) -> Path:
    folder = workspace / "nosignal"
    generate(folder, seed=8, scale=0.05, signal=False, cv_file_share=0.1, log=None)
    return folder


def run(settings: Settings, monkeypatch, capsys, *args: str) -> tuple[int, str]:
    monkeypatch.setattr(cli, "load_settings", lambda: settings)
    code = cli.main(["--quiet", *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def latest_execution(settings: Settings) -> dict:
    executions = settings.lake_dir / ".executor" / "executions"
    latest = json.loads((executions / "latest.json").read_text())["execution_id"]
    return json.loads((executions / latest / "execution.json").read_text())


def statuses(execution: dict) -> dict[str, str]:
    return {s["name"]: s["status"] for s in execution["steps"]}


def registered_versions(settings: Settings) -> list[str]:
    """Read from the SQLite file itself: an MLflow client in this process keeps its store (and
    an open connection) per URI, which would outlive a removed .mlflow/ folder."""
    with sqlite3.connect(settings.mlflow_dir / "mlflow.db") as db:
        rows = db.execute(
            "select version from model_versions where name = ?", (settings.model_name,)
        ).fetchall()
    return sorted(str(version) for (version,) in rows)


def approve(settings: Settings, version: str) -> subprocess.CompletedProcess[str]:
    """``make approve VERSION=...``, in its own process as a user runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATCH_", "MLFLOW_"))}
    env |= {"MATCH_MLFLOW_DIR": str(settings.mlflow_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "pipelines.approve", version],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_signal_data_registers_a_champion(settings, signal_data, monkeypatch, capsys):
    code, out = run(settings, monkeypatch, capsys, "--data", str(signal_data))
    assert code == 0, out
    execution = latest_execution(settings)
    assert statuses(execution)["Register"] == "Succeeded"
    assert statuses(execution)["FailModelQuality"] == "Skipped"
    assert "Registered datathon-mlet03-match version 1 (Approved, champion)" in out
    assert "best achievable" in out
    assert registered_versions(settings) == ["1"]
    scans = len(json.loads((signal_data / "_truth" / "scanned_cv_text.json").read_text()))
    assert scans >= 2, "the data set has scanned CVs"
    # every scan's text reaches the features, read by OCR, measured against its truth
    assert f" {scans} by OCR, " in out, out
    assert f"OCR by rapidocr: {scans} files, 0 from the text cache, {scans} read now (" in out
    assert "character error rate " in out and f" over {scans} scans)" in out


def test_second_run_reuses_cached_steps(settings, signal_data, monkeypatch, capsys):
    code, out = run(settings, monkeypatch, capsys, "--data", str(signal_data))
    assert code == 0, out
    steps = statuses(latest_execution(settings))
    assert steps["Preprocess"] == steps["IngestFeatures"] == steps["Train"] == "Cached"
    # the registry changed only by the first run's own registration: nothing to evaluate again
    assert steps["Evaluate"] == steps["Register"] == "Cached"
    first = re.search(r"reused from (local-\S+)", out).group(1)
    assert f"(evaluated by {first}: same model and data, and the registry as that run " in out
    assert f"Registered datathon-mlet03-match version 1 (Approved, champion) by {first}" in out
    assert registered_versions(settings) == ["1"]  # same training run: no second version


def test_a_run_without_the_step_cache_takes_the_scans_text_from_the_text_cache(
    settings, signal_data, monkeypatch, capsys
):
    scans = len(json.loads((signal_data / "_truth" / "scanned_cv_text.json").read_text()))
    gate = ("--param", "MinAuc=0.99")  # stops at the gate: no second version registered
    code, out = run(settings, monkeypatch, capsys, "--data", str(signal_data), "--no-cache", *gate)
    assert code == 1, out
    assert statuses(latest_execution(settings))["Preprocess"] == "Succeeded"
    assert f"OCR by rapidocr: {scans} files, {scans} from the text cache; " in out, out
    assert registered_versions(settings) == ["1"]


def start_run(settings: Settings, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MATCH_LAKE_DIR": str(settings.lake_dir),
        "MATCH_MLFLOW_DIR": str(settings.mlflow_dir),
        "MATCH_BUILD_DIR": str(settings.build_dir),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.run", "--quiet", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def execution_record(settings: Settings, out: str) -> dict:
    execution_id = re.search(r"^Execution (\S+): ", out, re.MULTILINE).group(1)
    folder = settings.lake_dir / ".executor" / "executions" / execution_id
    return json.loads((folder / "execution.json").read_text())


def evaluate_log(settings: Settings, record: dict) -> Path:
    """The log of the Evaluate step that gave this execution its evaluation (reused or not)."""
    step = next(s for s in record["steps"] if s["name"] == "Evaluate")
    if step["status"] != "Cached":
        return Path(step["log"])
    executions = settings.lake_dir / ".executor" / "executions"
    return executions / step["cached_from"] / "Evaluate" / "job.log"


def evaluated_auc(settings: Settings, record: dict) -> str:
    log = evaluate_log(settings, record).read_text()
    return re.search(r"test AUC (\d\.\d{4})", log).group(1)


def summarised_auc(out: str) -> str:
    return re.search(r"^  AUC (\d\.\d{4})  ", out, re.MULTILINE).group(1)


def test_two_runs_started_together_run_one_after_the_other(settings, signal_data):
    first = start_run(settings, "--data", str(signal_data))
    lock = WorkspaceLock(settings.lake_dir / ".executor")
    deadline = time.monotonic() + 120
    while (lock.holder() or {}).get("pid") != first.pid and time.monotonic() < deadline:
        time.sleep(0.1)
    second = start_run(
        settings,
        *("--data", str(signal_data), "--keep-executions", "2"),
        *("--param", "NumBoostRound=30", "--param", "MinAuc=0.99"),
    )
    first_out, _ = first.communicate(timeout=900)
    second_out, _ = second.communicate(timeout=900)

    assert first.returncode == 0, first_out
    assert second.returncode == 1, second_out  # MinAuc 0.99: stopped at the quality gate
    a, b = execution_record(settings, first_out), execution_record(settings, second_out)
    assert f"is in use by execution {a['execution_id']}" in second_out
    assert "the other run has finished; starting." in second_out
    assert b["started_at"] > a["ended_at"]  # never side by side
    assert b["parameters"]["NumBoostRound"] == 30
    # Each summary shows what its own Evaluate step measured, not the other run's.
    assert summarised_auc(first_out) == evaluated_auc(settings, a)
    assert summarised_auc(second_out) == evaluated_auc(settings, b)
    assert evaluated_auc(settings, a) != evaluated_auc(settings, b)
    assert "Stopped: the model was not registered: AUC" in second_out
    assert "Pruned " in second_out and " freed." in second_out
    for out, record in ((first_out, a), (second_out, b)):
        assert "INFO:sagemaker.config" not in out and "Traceback" not in out
        log = evaluate_log(settings, record).read_text()
        assert "Downloading artifacts" not in log  # no progress bars
    # the first of the two reused the model the --no-cache run trained (a new training run,
    # recorded in the cache) and registered it
    assert registered_versions(settings) == ["1", "2"]


def test_a_removed_mlflow_store_retrains_instead_of_reusing_a_run_it_lacks(
    settings, signal_data, monkeypatch, capsys
):
    """Removing .mlflow/ while .lake/ stays: the store's id is in Train's cache key, so Train
    runs again and Evaluate and Register find its run (no "Run with id=... not found")."""
    shutil.rmtree(settings.mlflow_dir)
    pending = ("--param", "ModelApprovalStatus=PendingManualApproval")

    code, out = run(settings, monkeypatch, capsys, "--data", str(signal_data), *pending)

    assert code == 0, out
    steps = statuses(latest_execution(settings))
    assert steps["Preprocess"] == "Cached" and steps["Train"] == "Succeeded"
    assert steps["Evaluate"] == steps["Register"] == "Succeeded"
    assert "Registered datathon-mlet03-match version 1 (PendingManualApproval)" in out
    assert registered_versions(settings) == ["1"]


def test_a_second_pending_run_passes_evaluate_and_approval_makes_the_champion(
    settings, signal_data, monkeypatch, capsys
):
    """A registered model whose versions are all pending has no champion alias: Evaluate
    compares with nothing (MLflow's INVALID_PARAMETER_VALUE is not a failure), and approving
    a version locally makes it the champion that the next run compares against."""
    pending = ("--param", "ModelApprovalStatus=PendingManualApproval")

    code, out = run(settings, monkeypatch, capsys, "--data", str(signal_data), *pending)

    assert code == 0, out
    steps = statuses(latest_execution(settings))
    # same model, registry as the last run left it: its evaluation (no champion) is reused
    assert steps["Train"] == steps["Evaluate"] == steps["Register"] == "Cached"
    assert "champion before" not in out
    assert "Registered datathon-mlet03-match version 1 (PendingManualApproval) by local-" in out
    approved = approve(settings, "1")
    assert approved.returncode == 0, approved.stderr
    assert "version 1 approved: now the champion (there was none)" in approved.stdout

    code, out = run(settings, monkeypatch, capsys, "--data", str(signal_data), *pending)

    assert code == 0, out
    steps = statuses(latest_execution(settings))
    assert steps["Evaluate"] == steps["Register"] == "Succeeded"  # a new champion since
    assert "champion before this run: version 1" in out, out
    assert "Registered datathon-mlet03-match version 1 (Approved, champion)\n" in out


def test_each_registry_state_keeps_its_own_evaluation(settings):
    # locally an evaluation is kept per registry state (an execution id in its output would
    # make every cache key new): Evaluate steps run against different states keep theirs
    executions = settings.lake_dir / ".executor" / "executions"
    uris = set()
    for path in executions.glob("*/execution.json"):
        record = json.loads(path.read_text())
        step = next((s for s in record["steps"] if s["name"] == "Evaluate"), None)
        if step and step["status"] == "Succeeded":
            evaluate = record["properties"]["Evaluate"]["ProcessingOutputConfig"]
            uri = evaluate["Outputs"]["evaluation"]["S3Output"]["S3Uri"]
            assert uri.endswith("/" + record["parameters"]["RegistryState"])
            uris.add(uri)
    assert len(uris) >= 2  # the first store's registry, and the store made after its removal


def test_no_signal_data_ends_at_the_fail_step(settings, no_signal_data, monkeypatch, capsys):
    # Its scans are left unread (OcrEngine=none): OCR is tested on the signal data, and a
    # minute of it here would change nothing this test looks at.
    no_ocr = ("--param", "OcrEngine=none")
    code, out = run(settings, monkeypatch, capsys, "--data", str(no_signal_data), *no_ocr)
    assert code == 1
    steps = statuses(latest_execution(settings))
    assert steps["FailModelQuality"] == "Failed"
    assert steps["Register"] == "Skipped"
    assert "Model not registered: test AUC" in out and "must be >= MinAuc 0.7" in out
    assert registered_versions(settings) == ["1"]


def test_too_little_labelled_data_stops_with_a_message(settings, workspace, monkeypatch, capsys):
    folder = workspace / "tiny"
    generate(folder, seed=9, scale=0.002, signal=True, cv_file_share=0.0, log=None)
    code, out = run(settings, monkeypatch, capsys, "--data", str(folder))
    assert code == 1
    execution = latest_execution(settings)
    assert statuses(execution)["Preprocess"] == "Failed"
    assert "labelled" in out and "Traceback" not in out
    stopped = next(line for line in out.splitlines() if line.startswith("Stopped: "))
    assert "preprocess: not enough labelled data: " in stopped
    assert "training needs at least 200" in stopped and ".executor" not in stopped
    # The failing run's report is published where the summary and the README point.
    report_uri = execution["properties"]["Preprocess"]["ProcessingOutputConfig"]["Outputs"][
        "report"
    ]["S3Output"]["S3Uri"]
    report = json.loads((Lake(settings.lake_dir).path(report_uri) / "data_report.json").read_text())
    assert report["status"] == "insufficient_data"
    read = report["counts"]["application"]["read"]
    assert f"{read:,} applications" in next(line for line in out.splitlines() if "  read " in line)
    assert f"input data    {folder}" in out


def test_missing_data_files_are_a_usage_error(settings, workspace, monkeypatch, capsys):
    (workspace / "empty").mkdir()
    code, out = run(settings, monkeypatch, capsys, "--data", str(workspace / "empty"))
    assert code == 2
    assert "lacks vagas.json, applicants.json, prospects.json" in out


def test_unknown_parameter_is_a_usage_error(settings, signal_data, monkeypatch, capsys):
    started = time.perf_counter()
    code, out = run(settings, monkeypatch, capsys, "--data", str(signal_data), "--param", "Nope=1")
    assert code == 2
    assert "unknown parameter(s) Nope" in out
    assert "Compiling" not in out  # checked against the last compile's parameters first
    assert time.perf_counter() - started < 5
