"""The approved model, loaded once per container and checked against the features code.

A model is the folder the training step writes (``model.txt``, ``feature_names.json``,
``metadata.json``, ``text_model.json``: the text weights of the training period), optionally
with the ``model_card.json`` the exporter adds (registry name, version, test metrics). It may
come as that folder, as SageMaker's ``model.tar.gz``, or from S3 (an archive key or a folder
prefix). Loading fails with ``ModelLoadError`` when a file is
missing or the model's feature list is not the one ``features`` computes: a model trained on
other features must never score silently.
"""

from __future__ import annotations

import contextlib
import json
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np

from features import FEATURE_NAMES
from features.text_similarity import TEXT_MODEL_FILE, TextModel, TextModelError

MODEL_FILES = ("model.txt", "feature_names.json", "metadata.json", TEXT_MODEL_FILE)
CARD_FILE = "model_card.json"
ARCHIVE = "model.tar.gz"


class ModelLoadError(RuntimeError):
    """The configured model cannot be served (missing, unreadable or for other features)."""


@dataclass(frozen=True)
class LoadedModel:
    booster: lgb.Booster
    name: str
    version: str
    feature_names: tuple[str, ...]
    text_model: TextModel | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    card: dict[str, Any] = field(default_factory=dict)
    predict_threads: int = 1

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """Match probability per row of a (n, features) float64 matrix."""
        return self.booster.predict(rows, num_threads=self.predict_threads)

    def contributions(self, rows: np.ndarray) -> np.ndarray:
        """SHAP contributions in log-odds, one column per feature then the base value."""
        return self.booster.predict(rows, pred_contrib=True, num_threads=self.predict_threads)

    def describe(self) -> dict[str, Any]:
        """What ``GET /v1/model`` shows (no storage paths)."""
        return {
            "name": self.name,
            "version": self.version,
            "trained_at": self.metadata.get("trained_at"),
            "best_iteration": self.metadata.get("best_iteration"),
            "data_version": self.metadata.get("data_version"),
            "code_version": self.metadata.get("code_version"),
            "approval_status": self.card.get("approval_status"),
            "metrics": {
                "validation": self.metadata.get("validation", {}),
                "test": self.card.get("metrics", {}),
            },
            "feature_names": list(self.feature_names),
        }


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise ModelLoadError(f"{path.name} is not valid JSON: {error}") from error


def _extract(archive: Path, destination: Path) -> Path:
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(destination, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise ModelLoadError(f"{archive.name} cannot be unpacked: {error}") from error
    return destination


def _check_features(booster: lgb.Booster, listed: list[str]) -> tuple[str, ...]:
    own = list(booster.feature_name())
    if own != listed:
        raise ModelLoadError("feature_names.json does not match the model's own feature list")
    if tuple(own) != FEATURE_NAMES:
        raise ModelLoadError(
            f"the model was trained on features {own}, but this code computes "
            f"{list(FEATURE_NAMES)}: deploy the serving code the model was trained with"
        )
    return tuple(own)


def _check_objective(booster: lgb.Booster) -> None:
    objective = str(booster.params.get("objective", "binary"))
    if not objective.startswith(("binary", "cross_entropy")):
        raise ModelLoadError(f"the model's objective is {objective!r}, not a binary classifier")


def load_model_dir(
    folder: Path, *, name: str = "", version: str = "", predict_threads: int = 1
) -> LoadedModel:
    """Load a model folder (or a folder holding ``model.tar.gz``) and validate it."""
    if (folder / ARCHIVE).is_file() and not (folder / "model.txt").exists():
        return load_model_archive(
            folder / ARCHIVE, name=name, version=version, predict_threads=predict_threads
        )
    # The text weights are checked after the feature list: a model of other features is told so.
    missing = [f for f in MODEL_FILES if f != TEXT_MODEL_FILE and not (folder / f).is_file()]
    if missing:
        raise ModelLoadError(f"the model folder lacks {', '.join(missing)}")
    try:
        booster = lgb.Booster(model_file=str(folder / "model.txt"))
    except lgb.basic.LightGBMError as error:
        raise ModelLoadError(f"model.txt does not load: {error}") from error
    names = _check_features(booster, _read_json(folder / "feature_names.json"))
    _check_objective(booster)
    metadata = _read_json(folder / "metadata.json")
    if not (folder / TEXT_MODEL_FILE).is_file():
        raise ModelLoadError(
            f"the model folder lacks {TEXT_MODEL_FILE} (the text weights training writes): retrain"
        )
    try:
        text_model = TextModel.from_json((folder / TEXT_MODEL_FILE).read_text(encoding="utf-8"))
    except TextModelError as error:
        raise ModelLoadError(f"{TEXT_MODEL_FILE}: {error}") from error
    card = _read_json(folder / CARD_FILE) if (folder / CARD_FILE).is_file() else {}
    return LoadedModel(
        booster=booster,
        name=name or str(card.get("name") or "match-scorer"),
        version=version or str(card.get("version") or metadata.get("mlflow_run_id") or "unknown"),
        feature_names=names,
        text_model=text_model,
        metadata=metadata,
        card=card,
        predict_threads=predict_threads,
    )


def load_model_archive(archive: Path, **options: Any) -> LoadedModel:
    with tempfile.TemporaryDirectory(prefix="model-") as tmp:
        return load_model_dir(_extract(archive, Path(tmp)), **options)


def _split_s3(uri: str) -> tuple[str, str]:
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket:
        raise ModelLoadError("the S3 model URI names no bucket")
    return bucket, key


def _download_s3(uri: str, destination: Path, region: str | None) -> Path:
    """Fetch an archive key, or the model files under a folder prefix, into ``destination``."""
    import boto3  # only on AWS: keeps local start-up light
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, key = _split_s3(uri)
    s3 = boto3.client("s3", region_name=region)
    try:
        if key.endswith(".tar.gz"):
            archive = destination / ARCHIVE
            s3.download_file(bucket, key, str(archive))
            return _extract(archive, destination / "model")
        prefix = key.rstrip("/") + "/" if key else ""
        for name in MODEL_FILES:
            s3.download_file(bucket, prefix + name, str(destination / name))
        with contextlib.suppress(ClientError):  # the card is optional
            s3.download_file(bucket, prefix + CARD_FILE, str(destination / CARD_FILE))
        return destination
    except (BotoCoreError, ClientError) as error:
        raise ModelLoadError(f"the model cannot be fetched from S3: {error}") from error


def load_model(
    uri: str,
    *,
    name: str = "",
    version: str = "",
    predict_threads: int = 1,
    region: str | None = None,
) -> LoadedModel:
    """Load the model at ``uri``: a folder, a ``.tar.gz`` file, or an ``s3://`` URI."""
    options: dict[str, Any] = {"name": name, "version": version, "predict_threads": predict_threads}
    if not uri:
        raise ModelLoadError("no model is configured: set MATCH_MODEL_URI")
    if uri.startswith("s3://"):
        with tempfile.TemporaryDirectory(prefix="model-") as tmp:
            return load_model_dir(_download_s3(uri, Path(tmp), region), **options)
    path = Path(uri)
    if path.is_dir():
        return load_model_dir(path, **options)
    if path.is_file() and path.name.endswith(".tar.gz"):
        return load_model_archive(path, **options)
    raise ModelLoadError("MATCH_MODEL_URI names no model folder or .tar.gz archive")
