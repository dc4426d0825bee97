"""Evaluation step: score the test period, compare with the champion, write evaluation.json.

Inputs: the model (``model.tar.gz`` from training) and the ``test`` split (with
``oracle.parquet`` when the data came from the generator). Output: ``evaluation.json`` (the
pipeline's PropertyFile, read by the quality condition) and ``plots/*.png``; metrics and plots
are also logged to the training run in MLflow.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from pathlib import Path

import pandas as pd

from steps import plots
from steps.metrics import (
    all_metrics,
    candidates_per_job,
    champion_floor,
    normalized_auc,
    random_ranking_metrics,
)
from steps.model_files import ModelFilesError, TrainedModel, load_model_dir, unpack_model_archive

EXIT_BAD_INPUT = 2


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", default="/opt/ml/processing/input/model")
    parser.add_argument("--test-dir", default="/opt/ml/processing/input/test")
    parser.add_argument("--output-dir", default="/opt/ml/processing/output/evaluation")
    parser.add_argument("--model-name", default="datathon-mlet03-match")
    parser.add_argument("--max-auc-regression", type=float, default=0.01)
    return parser.parse_args(argv)


def read_test(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    test_file = folder / "test.parquet"
    if not test_file.exists():
        raise FileNotFoundError(f"no test.parquet in {folder}")
    oracle_file = folder / "oracle.parquet"
    oracle = pd.read_parquet(oracle_file) if oracle_file.exists() else None
    return pd.read_parquet(test_file), oracle


def best_achievable(test: pd.DataFrame, oracle: pd.DataFrame | None) -> dict | None:
    """The generator's true probabilities scored like the model, on the same rows."""
    if oracle is None:
        return None
    joined = test[["job_code", "applicant_code", "label"]].merge(
        oracle, on=["job_code", "applicant_code"], how="inner"
    )
    if len(joined) < len(test) or joined["label"].nunique() < 2:
        return None
    return all_metrics(joined, "oracle_p")


def champion_metrics(model_name: str, test: pd.DataFrame, work: Path) -> dict | None:
    """The current champion's metrics on this very test set, or None without a champion."""
    if not os.environ.get("MLFLOW_TRACKING_URI"):
        return None
    from tracking import connection, registry

    info = registry.champion(model_name)
    if info is None:
        return None
    try:
        champion = load_model_dir(connection.download_version(info, work / "champion"))
        scored = test.assign(champion_score=champion.predict(test))
    except ModelFilesError as error:
        print(f"champion version {info.version} cannot score this data ({error}); not compared")
        return None
    return {"version": info.version, **all_metrics(scored, "champion_score")}


def write_plots(model: TrainedModel, scored: pd.DataFrame, out: Path) -> list[Path]:
    folder = out / "plots"
    folder.mkdir(parents=True, exist_ok=True)
    curves = {"model": scored["score"].to_numpy()}
    # Only a truth for every row is a curve: rows labelled by StaleAfterDays have none.
    if "oracle_p" in scored and scored["oracle_p"].notna().all():
        curves["best achievable"] = scored["oracle_p"].to_numpy()
    labels = scored["label"].to_numpy()
    gains = model.booster.feature_importance(importance_type="gain")
    return [
        plots.roc_plot(labels, curves, folder / "roc.png"),
        plots.pr_plot(labels, curves, folder / "pr.png"),
        plots.calibration_plot(labels, curves["model"], folder / "calibration.png"),
        plots.importance_plot(model.feature_names, gains, folder / "feature_importance.png"),
    ]


def training_run_problem(run_id: str | None) -> str | None:
    """Why the model's training run cannot be used (it is gone from the store), or None."""
    if not run_id or not os.environ.get("MLFLOW_TRACKING_URI"):
        return None
    from tracking import registry

    return None if registry.run_exists(run_id) else registry.missing_run_message(run_id)


def log_to_training_run(run_id: str | None, report: dict, plot_files: list[Path]) -> None:
    if not run_id or not os.environ.get("MLFLOW_TRACKING_URI"):
        return
    import mlflow

    from tracking import connection

    connection.configure()
    with mlflow.start_run(run_id=run_id):
        mlflow.log_metrics(
            {f"test_{k}": v for k, v in report["metrics"].items() if isinstance(v, float)}
        )
        for path in plot_files:
            mlflow.log_artifact(str(path), artifact_path="evaluation")


def without_nan(value):
    """JSON has no NaN: undefined metrics (no job with a hire, say) become null."""
    if isinstance(value, dict):
        return {k: without_nan(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def ranking_context(test: pd.DataFrame) -> dict:
    """What the ranking metrics read against: candidates per job and a random ranking."""
    return {
        "candidates_per_job": candidates_per_job(test),
        "random_ranking": random_ranking_metrics(test),
    }


def with_normalized_auc(metrics: dict, best: dict | None) -> dict:
    """``metrics`` plus ``normalized_auc`` = (AUC - 0.5) / (best - 0.5) when a best exists."""
    ratio = normalized_auc(metrics["auc"], best and best["auc"])
    return metrics if ratio is None else {**metrics, "normalized_auc": ratio}


def build_report(
    metrics: dict,
    best: dict | None,
    champion: dict | None,
    max_regression: float,
    rows: int,
    context: dict | None = None,
) -> dict:
    return without_nan(
        {
            "metrics": with_normalized_auc(metrics, best),
            "best_achievable": best,
            "ranking_context": context,
            "champion": champion,
            "gate": {
                "champion_floor": champion_floor(champion and champion["auc"], max_regression),
                "max_auc_regression": max_regression,
            },
            "rows": rows,
        }
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            model = load_model_dir(unpack_model_archive(Path(args.model_dir), work / "model"))
            test, oracle = read_test(Path(args.test_dir))
            scored = test.assign(score=model.predict(test))
        except (FileNotFoundError, ModelFilesError) as error:
            print(f"ERROR: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        problem = training_run_problem(model.metadata.get("mlflow_run_id"))
        if problem:
            print(f"ERROR: {problem}", file=sys.stderr)
            return EXIT_BAD_INPUT
        if scored["label"].nunique() < 2:
            print("ERROR: the test period holds a single class; AUC is undefined", file=sys.stderr)
            return EXIT_BAD_INPUT
        if oracle is not None:
            scored = scored.merge(oracle, on=["job_code", "applicant_code"], how="left")
        metrics = all_metrics(scored, "score")
        champion = champion_metrics(args.model_name, test, work)
        report = build_report(
            metrics,
            best_achievable(test, oracle),
            champion,
            args.max_auc_regression,
            len(test),
            ranking_context(test),
        )
        (out / "evaluation.json").write_text(
            json.dumps(report, indent=2, sort_keys=True, allow_nan=False)
        )
        plot_files = write_plots(model, scored, out)
        log_to_training_run(model.metadata.get("mlflow_run_id"), report, plot_files)
    best = report["best_achievable"]
    print(
        f"test AUC {metrics['auc']:.4f}"
        + (
            f" (best achievable {best['auc']:.4f}; (AUC-0.5)/(best-0.5) "
            f"{report['metrics']['normalized_auc']:.3f})"
            if best and report["metrics"].get("normalized_auc") is not None
            else ""
        )
        + (f", champion v{champion['version']} AUC {champion['auc']:.4f}" if champion else "")
        + f", NDCG@10 {metrics['ndcg_at_10']:.4f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
