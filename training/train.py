"""Training entry point (SageMaker script mode): LightGBM match scorer.

Reads the ``train`` and ``validation`` channels (Parquet with ``features.FEATURE_NAMES``),
trains with early stopping on the validation period, logs parameters, metrics and the model to
MLflow, and writes the model directory SageMaker archives as ``model.tar.gz``:
``model.txt``, ``feature_names.json``, ``metadata.json``, and ``text_model.json`` (the text
weights Preprocess fitted on the training period, from the ``train`` channel: serving computes
the text features with them).

Hyperparameters arrive as ``--name value`` arguments, as SageMaker passes them.
``--device_type gpu`` uses LightGBM's OpenCL build; when no GPU is usable the job fails with
the reason, unless ``--allow_cpu_fallback true`` asks to train on the CPU instead.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from features import FEATURE_NAMES
from features.text_similarity import TEXT_MODEL_FILE, TextModel, TextModelError

EXIT_NO_DEVICE = 4
EXIT_BAD_DATA = 3


class TrainingDataError(ValueError):
    """The channels do not hold trainable data (missing files, columns, or a single class)."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    def boolean(text: str) -> bool:
        return text.strip().lower() in ("1", "true", "yes")

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device_type", default="cpu", choices=["cpu", "gpu", "cuda"])
    parser.add_argument("--allow_cpu_fallback", type=boolean, default=False)
    parser.add_argument("--num_boost_round", type=int, default=1000)
    parser.add_argument("--early_stopping_rounds", type=int, default=100)
    parser.add_argument("--learning_rate", type=float, default=0.05)
    parser.add_argument("--num_leaves", type=int, default=4)
    parser.add_argument("--min_data_in_leaf", type=int, default=50)
    parser.add_argument("--lambda_l2", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--experiment_name", default="datathon-mlet03-match")
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
    parser.add_argument(
        "--train", default=os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train")
    )
    parser.add_argument(
        "--validation",
        default=os.environ.get("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation"),
    )
    return parser.parse_args(argv)


def read_channel(folder: Path) -> pd.DataFrame:
    files = sorted(folder.glob("*.parquet"))
    files = [f for f in files if f.name != "oracle.parquet"]
    if not files:
        raise TrainingDataError(f"no Parquet files in channel folder {folder}")
    return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)


def check_frame(frame: pd.DataFrame, name: str) -> None:
    missing = [c for c in (*FEATURE_NAMES, "label") if c not in frame.columns]
    if missing:
        raise TrainingDataError(f"{name} lacks columns {missing}")
    if frame["label"].nunique() < 2:
        raise TrainingDataError(
            f"{name} has {len(frame)} rows of one class: a classifier needs hires and non-hires"
        )


def lightgbm_params(args: argparse.Namespace, device: str) -> dict:
    return {
        "objective": "binary",
        # Log loss first: early stopping follows it (steadier than AUC on a small period).
        "metric": ["binary_logloss", "auc"],
        "learning_rate": args.learning_rate,
        "num_leaves": args.num_leaves,
        "min_data_in_leaf": args.min_data_in_leaf,
        "feature_fraction": 0.9,
        "bagging_fraction": 0.9,
        "bagging_freq": 1,
        "lambda_l2": args.lambda_l2,
        "seed": args.seed,
        "deterministic": True,
        "device_type": device,
        "verbose": -1,
    }


def is_device_unavailable(error: lgb.basic.LightGBMError) -> bool:
    text = str(error)
    return any(
        marker in text
        for marker in ("OpenCL", "CUDA Tree Learner was not enabled", "GPU Tree Learner")
    )


def fit(
    args: argparse.Namespace, train: pd.DataFrame, validation: pd.DataFrame, device: str
) -> tuple[lgb.Booster, dict]:
    history: dict = {}
    train_set = lgb.Dataset(train[list(FEATURE_NAMES)], label=train["label"], free_raw_data=False)
    valid_set = lgb.Dataset(
        validation[list(FEATURE_NAMES)], label=validation["label"], reference=train_set
    )
    booster = lgb.train(
        lightgbm_params(args, device),
        train_set,
        num_boost_round=args.num_boost_round,
        valid_sets=[valid_set],
        valid_names=["validation"],
        callbacks=[
            lgb.early_stopping(args.early_stopping_rounds, first_metric_only=True, verbose=False),
            lgb.record_evaluation(history),
        ],
    )
    return booster, history


def fit_on_device(
    args: argparse.Namespace, train: pd.DataFrame, validation: pd.DataFrame
) -> tuple[lgb.Booster, dict, str]:
    """Train on the asked device; fall back to the CPU only when asked to."""
    try:
        booster, history = fit(args, train, validation, args.device_type)
        return booster, history, args.device_type
    except lgb.basic.LightGBMError as error:
        if args.device_type == "cpu" or not is_device_unavailable(error):
            raise
        if not args.allow_cpu_fallback:
            raise DeviceUnavailableError(args.device_type, str(error)) from error
        print(f"WARNING: device_type={args.device_type} unavailable ({error}); training on CPU")
        booster, history = fit(args, train, validation, "cpu")
        return booster, history, "cpu"


class DeviceUnavailableError(RuntimeError):
    def __init__(self, device: str, reason: str) -> None:
        super().__init__(
            f"device_type={device} is not usable here: {reason}. LightGBM's GPU build needs an "
            "OpenCL device (NVIDIA's OpenCL ICD in the image); run on a GPU instance, set the "
            "TrainingDevice parameter to cpu, or pass allow_cpu_fallback=true."
        )


def files_digest(folders: list[Path]) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.glob("*.parquet")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def code_version() -> str:
    explicit = os.environ.get("MATCH_CODE_VERSION")
    if explicit:
        return explicit
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def read_text_model(train_dir: Path) -> str:
    """The text weights the ``train`` channel carries (``TrainingDataError`` without them)."""
    path = train_dir / TEXT_MODEL_FILE
    try:
        text = path.read_text(encoding="utf-8")
        TextModel.from_json(text)
    except OSError:
        raise TrainingDataError(f"no {TEXT_MODEL_FILE} in channel folder {train_dir}") from None
    except TextModelError as error:
        raise TrainingDataError(f"{path.name}: {error}") from None
    return text


def write_model_dir(model_dir: Path, booster: lgb.Booster, metadata: dict, text_model: str) -> None:
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / TEXT_MODEL_FILE).write_text(text_model, encoding="utf-8")
    booster.save_model(str(model_dir / "model.txt"), num_iteration=booster.best_iteration)
    (model_dir / "feature_names.json").write_text(json.dumps(list(FEATURE_NAMES), indent=2))
    (model_dir / "metadata.json").write_text(json.dumps(metadata, indent=2, sort_keys=True))


#: the validation curve is logged at about this many iterations per metric
CURVE_POINTS = 50


def validation_curve(history: dict) -> list[tuple[str, float, int]]:
    """(metric name, value, iteration) of each validation metric, about ``CURVE_POINTS`` each."""
    points = []
    for name, values in history.get("validation", {}).items():
        for step in range(0, len(values), max(1, len(values) // CURVE_POINTS)):
            points.append((f"validation_{name}", float(values[step]), step))
    return points


def log_to_mlflow(args: argparse.Namespace, model_dir: Path, metadata: dict, history: dict) -> str:
    """Log the run (params, per-iteration validation curve, model dir); return the run id.

    The curve goes in one batch: a metric logged alone is a transaction of its own (1.6 s for
    the curve's hundred points on a local SQLite store).
    """
    import mlflow
    from mlflow.entities import Metric

    from tracking import connection

    experiment_id = connection.ensure_experiment(args.experiment_name)
    with mlflow.start_run(experiment_id=experiment_id, run_name="train") as run:
        mlflow.log_params(metadata["hyperparameters"] | {"device_used": metadata["device"]})
        mlflow.set_tags(
            {"data_version": metadata["data_version"], "code_version": metadata["code_version"]}
        )
        now = int(time.time() * 1000)
        curve = [Metric(key, value, now, step) for key, value, step in validation_curve(history)]
        mlflow.MlflowClient().log_batch(run.info.run_id, metrics=curve)
        mlflow.log_metrics({f"best_validation_{k}": v for k, v in metadata["validation"].items()})
        mlflow.log_artifacts(str(model_dir), artifact_path="model_dir")
        return run.info.run_id


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        train = read_channel(Path(args.train))
        validation = read_channel(Path(args.validation))
        check_frame(train, "train")
        check_frame(validation, "validation")
        text_model = read_text_model(Path(args.train))
    except TrainingDataError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return EXIT_BAD_DATA
    print(
        f"train rows: {len(train)} (hires {int(train['label'].sum())}), "
        f"validation rows: {len(validation)} (hires {int(validation['label'].sum())})"
    )
    try:
        booster, history, device = fit_on_device(args, train, validation)
    except DeviceUnavailableError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return EXIT_NO_DEVICE
    scores = booster.predict(validation[list(FEATURE_NAMES)], num_iteration=booster.best_iteration)
    validation_auc = float(roc_auc_score(validation["label"], scores))
    metadata = {
        "trained_at": datetime.now(UTC).isoformat(),
        "data_version": files_digest([Path(args.train), Path(args.validation)]),
        "code_version": code_version(),
        "hyperparameters": {
            k: v for k, v in vars(args).items() if k not in ("model_dir", "train", "validation")
        },
        "device": device,
        "best_iteration": int(booster.best_iteration or booster.current_iteration()),
        "validation": {
            "auc": validation_auc,
            "log_loss": float(np.min(history["validation"]["binary_logloss"])),
        },
        "rows": {"train": len(train), "validation": len(validation)},
        "training_seconds": round(time.perf_counter() - started, 2),
    }
    model_dir = Path(args.model_dir)
    write_model_dir(model_dir, booster, metadata, text_model)
    if os.environ.get("MLFLOW_TRACKING_URI"):
        metadata["mlflow_run_id"] = log_to_mlflow(args, model_dir, metadata, history)
        (model_dir / "metadata.json").write_text(json.dumps(metadata, indent=2, sort_keys=True))
    print(
        f"best iteration {metadata['best_iteration']}, validation AUC {validation_auc:.4f}, "
        f"device {device}, {metadata['training_seconds']}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
