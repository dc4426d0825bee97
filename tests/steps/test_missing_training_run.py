"""A model whose MLflow training run is gone (a cached Train step that outlived its store).

Evaluate and Register stop with one line saying what is missing and how to train again, not a
traceback from MLflow ("Run with id=... not found"). The local run avoids the case itself: the
store's id is part of Train's cache key (tests/pipelines/test_end_to_end.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from steps import evaluate, register

GONE = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def model_without_run(tmp_path, monkeypatch) -> dict[str, Path]:
    rng = np.random.default_rng(1)
    names = ["a", "b", "c"]
    frame = pd.DataFrame(rng.random((300, 3)), columns=names)
    frame["label"] = (frame["a"] + 0.2 * rng.standard_normal(300) > 0.6).astype(int)
    frame["job_code"] = (np.arange(300) % 10).astype(str)
    frame["applicant_code"] = np.arange(300).astype(str)
    model_dir, test_dir = tmp_path / "model", tmp_path / "test"
    model_dir.mkdir()
    test_dir.mkdir()
    booster = lgb.train(
        {"objective": "binary", "verbose": -1, "num_leaves": 4},
        lgb.Dataset(frame[names], frame["label"], feature_name=names),
        num_boost_round=5,
    )
    booster.save_model(str(model_dir / "model.txt"))
    (model_dir / "feature_names.json").write_text(json.dumps(names))
    (model_dir / "metadata.json").write_text(json.dumps({"mlflow_run_id": GONE}))
    frame.to_parquet(test_dir / "test.parquet", index=False)
    evaluation = tmp_path / "evaluation"
    evaluation.mkdir()
    (evaluation / "evaluation.json").write_text(json.dumps({"metrics": {"auc": 0.8}}))
    # a fresh store: the run the model names is not in it
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow' / 'mlflow.db'}")
    return {"model": model_dir, "test": test_dir, "evaluation": evaluation, "out": tmp_path / "o"}


def assert_says_what_is_missing(err: str) -> None:
    lines = [line for line in err.splitlines() if "mlflow.store.db.utils" not in line]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("ERROR: the model's MLflow run " + GONE), err
    assert "--no-cache" in lines[0]


def test_evaluate_says_the_training_run_is_gone(model_without_run, capsys):
    paths = model_without_run
    code = evaluate.main(
        ["--model-dir", str(paths["model"]), "--test-dir", str(paths["test"])]
        + ["--output-dir", str(paths["out"]), "--model-name", "match"]
    )

    assert code == 2
    assert_says_what_is_missing(capsys.readouterr().err)


def test_register_says_the_training_run_is_gone(model_without_run, capsys):
    paths = model_without_run
    code = register.main(
        ["--model-dir", str(paths["model"]), "--evaluation-dir", str(paths["evaluation"])]
        + ["--output-dir", str(paths["out"]), "--model-name", "match"]
    )

    assert code == 2
    assert_says_what_is_missing(capsys.readouterr().err)
