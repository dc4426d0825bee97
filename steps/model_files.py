"""Read a trained model directory (or the model.tar.gz SageMaker makes of it)."""

from __future__ import annotations

import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd


class ModelFilesError(ValueError):
    """The model folder lacks a file or holds one that does not parse."""


@dataclass(frozen=True)
class TrainedModel:
    booster: lgb.Booster
    feature_names: list[str]
    metadata: dict

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        missing = [c for c in self.feature_names if c not in frame.columns]
        if missing:
            raise ModelFilesError(f"data lacks the model's features {missing}")
        return self.booster.predict(frame[self.feature_names])


def unpack_model_archive(folder: Path, destination: Path) -> Path:
    """Extract ``model.tar.gz`` when the folder holds one; return the model directory."""
    archive = folder / "model.tar.gz"
    if not archive.exists():
        return folder
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        tar.extractall(destination, filter="data")
    return destination


def load_model_dir(folder: Path) -> TrainedModel:
    try:
        booster = lgb.Booster(model_file=str(folder / "model.txt"))
        names = json.loads((folder / "feature_names.json").read_text())
        metadata = json.loads((folder / "metadata.json").read_text())
    except (OSError, json.JSONDecodeError, lgb.basic.LightGBMError) as error:
        raise ModelFilesError(f"model folder {folder} is incomplete: {error}") from error
    if list(booster.feature_name()) != list(names):
        raise ModelFilesError("feature_names.json does not match the model's own feature list")
    return TrainedModel(booster, names, metadata)
