"""What the Train step logs to MLflow, read back from a real SQLite tracking store."""

from __future__ import annotations

from pathlib import Path

import mlflow
import pytest

from features.text_similarity import TEXT_MODEL_FILE, fit_text_model
from tests.training.test_text_model_channel import _args
from training.train import CURVE_POINTS, main, validation_curve


def test_the_curve_keeps_about_fifty_points_a_metric():
    history = {"validation": {"auc": [i / 200 for i in range(200)], "binary_logloss": [0.5] * 7}}
    curve = validation_curve(history)
    auc = [(value, step) for name, value, step in curve if name == "validation_auc"]
    assert [step for _, step in auc] == list(range(0, 200, 200 // CURVE_POINTS))
    assert all(value == step / 200 for value, step in auc)
    losses = [step for name, _, step in curve if name == "validation_binary_logloss"]
    assert losses == list(range(7))
    assert validation_curve({}) == []


@pytest.fixture
def tracked_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    uri = f"sqlite:///{tmp_path / 'mlflow' / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    args = _args(tmp_path) + ["--experiment_name=train-test", "--num_boost_round=60"]
    weights = fit_text_model([{"java": 2, "sql": 1}, {"sap": 1}]).to_json()
    (tmp_path / "train" / TEXT_MODEL_FILE).write_text(weights)
    assert main(args) == 0
    client = mlflow.MlflowClient(uri)
    experiment = client.get_experiment_by_name("train-test")
    (run,) = client.search_runs([experiment.experiment_id])
    yield client, run
    mlflow.set_tracking_uri(None)


def test_train_logs_the_curve_the_best_scores_and_the_model(tracked_run):
    client, run = tracked_run
    history = client.get_metric_history(run.info.run_id, "validation_auc")
    steps = [m.step for m in history]
    assert steps == sorted(steps) and steps[0] == 0 and len(steps) >= 20
    assert all(0.0 <= m.value <= 1.0 for m in history)
    assert "best_validation_auc" in run.data.metrics
    assert run.data.params["device_used"] == "cpu"
    assert {"data_version", "code_version"} <= set(run.data.tags)
    files = {f.path for f in client.list_artifacts(run.info.run_id, "model_dir")}
    assert {"model_dir/model.txt", "model_dir/metadata.json"} <= files
