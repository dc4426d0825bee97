"""Evaluate beside the generator's truth: whole, partial (rows labelled by StaleAfterDays have no
true probability) or absent."""

from __future__ import annotations

import json
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from steps import evaluate

NAMES = ["a", "b", "c"]


@pytest.fixture
def inputs(tmp_path, monkeypatch) -> dict[str, Path]:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.random((300, 3)), columns=NAMES)
    frame["label"] = (frame["a"] + 0.2 * rng.standard_normal(300) > 0.6).astype(int)
    frame["job_code"] = (np.arange(300) % 30).astype(str)
    frame["applicant_code"] = np.arange(300).astype(str)
    model_dir, test_dir = tmp_path / "model", tmp_path / "test"
    model_dir.mkdir()
    test_dir.mkdir()
    booster = lgb.train(
        {"objective": "binary", "verbose": -1, "num_leaves": 4},
        lgb.Dataset(frame[NAMES], frame["label"], feature_name=NAMES),
        num_boost_round=5,
    )
    booster.save_model(str(model_dir / "model.txt"))
    (model_dir / "feature_names.json").write_text(json.dumps(NAMES))
    (model_dir / "metadata.json").write_text(json.dumps({}))
    frame.to_parquet(test_dir / "test.parquet", index=False)
    oracle = frame[["job_code", "applicant_code"]].assign(oracle_p=frame["a"])
    return {"model": model_dir, "test": test_dir, "out": tmp_path / "out", "oracle": oracle}


def _run(paths: dict) -> dict:
    code = evaluate.main(
        ["--model-dir", str(paths["model"]), "--test-dir", str(paths["test"])]
        + ["--output-dir", str(paths["out"]), "--model-name", "match"]
    )
    assert code == 0
    return json.loads((paths["out"] / "evaluation.json").read_text())


def test_a_whole_oracle_gives_the_best_achievable_and_its_share(inputs) -> None:
    inputs["oracle"].to_parquet(inputs["test"] / "oracle.parquet", index=False)
    report = _run(inputs)
    best, auc = report["best_achievable"]["auc"], report["metrics"]["auc"]
    assert report["metrics"]["normalized_auc"] == pytest.approx((auc - 0.5) / (best - 0.5))
    assert (inputs["out"] / "plots" / "roc.png").is_file()


def test_a_partial_oracle_gives_no_best_and_still_draws_the_plots(inputs) -> None:
    inputs["oracle"].iloc[::2].to_parquet(inputs["test"] / "oracle.parquet", index=False)
    report = _run(inputs)
    assert report["best_achievable"] is None
    assert "normalized_auc" not in report["metrics"]
    assert (inputs["out"] / "plots" / "roc.png").is_file()


def test_the_ranking_context_counts_candidates_and_a_random_order(inputs) -> None:
    report = _run(inputs)
    context = report["ranking_context"]
    assert context["candidates_per_job"]["jobs"] == 30
    assert context["candidates_per_job"]["median"] == 10
    assert set(context["random_ranking"]) == {"ndcg_at_10", "precision_at_5", "recall_at_10"}
