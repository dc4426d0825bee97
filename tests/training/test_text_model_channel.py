"""The Train step carries the Preprocess step's text weights into the model it writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from features import FEATURE_NAMES
from features.text_similarity import TEXT_MODEL_FILE, fit_text_model
from training.train import EXIT_BAD_DATA, main


def _channel(folder: Path, rows: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.random((rows, len(FEATURE_NAMES))), columns=list(FEATURE_NAMES))
    frame["label"] = (frame[FEATURE_NAMES[0]] + 0.3 * rng.standard_normal(rows) > 0.8).astype(int)
    folder.mkdir(parents=True)
    frame.to_parquet(folder / f"{folder.name}.parquet", index=False)
    return folder


def _args(tmp_path: Path) -> list[str]:
    train = _channel(tmp_path / "train", 400, 1)
    validation = _channel(tmp_path / "validation", 200, 2)
    return [
        f"--train={train}",
        f"--validation={validation}",
        f"--model-dir={tmp_path / 'model'}",
        "--num_boost_round=20",
        "--device_type=cpu",
    ]


def test_the_model_folder_holds_the_channels_text_weights(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    args = _args(tmp_path)
    weights = fit_text_model([{"java": 2, "sql": 1}, {"sap": 1}]).to_json()
    (tmp_path / "train" / TEXT_MODEL_FILE).write_text(weights)
    assert main(args) == 0
    assert (tmp_path / "model" / TEXT_MODEL_FILE).read_text() == weights


@pytest.mark.parametrize("content", [None, "{not json", '{"format": "other/1"}'])
def test_missing_or_unreadable_weights_stop_training_with_a_reason(
    tmp_path, monkeypatch, capsys, content: str | None
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    args = _args(tmp_path)
    if content is not None:
        (tmp_path / "train" / TEXT_MODEL_FILE).write_text(content)
    assert main(args) == EXIT_BAD_DATA
    err = capsys.readouterr().err
    assert TEXT_MODEL_FILE in err and "Traceback" not in err
    assert not (tmp_path / "model").exists()
