"""The whole pipeline on small generated data sets, through the same entry point as `make`.

Runs: a signal data set (registers a champion), the same again (cached steps, same version),
a no-signal data set (stops at the Fail step, registers nothing), and too little data (the
preprocessing step's message reaches the user).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datagen import generate
from pipelines import run as cli
from pipelines.config import Settings

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
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=settings.local_tracking_uri())
    return sorted(
        str(v.version) for v in client.search_model_versions(f"name='{settings.model_name}'")
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


def test_second_run_reuses_cached_steps(settings, signal_data, monkeypatch, capsys):
    code, out = run(settings, monkeypatch, capsys, "--data", str(signal_data))
    assert code == 0, out
    steps = statuses(latest_execution(settings))
    assert steps["Preprocess"] == steps["IngestFeatures"] == steps["Train"] == "Cached"
    assert steps["Evaluate"] == steps["Register"] == "Succeeded"
    assert "champion before this run: version 1" in out
    assert registered_versions(settings) == ["1"]  # same training run: no second version


def test_no_signal_data_ends_at_the_fail_step(settings, no_signal_data, monkeypatch, capsys):
    code, out = run(settings, monkeypatch, capsys, "--data", str(no_signal_data))
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
    assert statuses(latest_execution(settings))["Preprocess"] == "Failed"
    assert "labelled" in out and "Traceback" not in out


def test_missing_data_files_are_a_usage_error(settings, workspace, monkeypatch, capsys):
    (workspace / "empty").mkdir()
    code, out = run(settings, monkeypatch, capsys, "--data", str(workspace / "empty"))
    assert code == 2
    assert "lacks vagas.json, applicants.json, prospects.json" in out


def test_unknown_parameter_is_a_usage_error(settings, signal_data, monkeypatch, capsys):
    code, out = run(settings, monkeypatch, capsys, "--data", str(signal_data), "--param", "Nope=1")
    assert code == 2
    assert "unknown parameter(s) Nope" in out
