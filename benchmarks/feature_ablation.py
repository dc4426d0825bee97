"""What each feature family adds: train with it alone removed (and with each alone added to the
structured fields), on the pipeline's own splits, and print the quality against the best
achievable.

    python -m benchmarks.feature_ablation [--scale 0.1 1] [--profile real] [--seed 42] [--data DIR]

For each scale it generates a data set (or reads ``--data``), runs the real Preprocess step
(``steps.preprocess.run``: the same split and the same text weights fitted on the training
period), then trains LightGBM with the pipeline's hyperparameters on column subsets and prints,
per subset: test AUC, (AUC - 0.5) / (best - 0.5) against the generator's oracle on the same rows,
and the per-job ranking metrics beside those of a random ranking of the same jobs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from benchmarks.report import render_table
from features import FEATURE_NAMES
from steps import preprocess
from steps.metrics import all_metrics, normalized_auc, random_ranking_metrics
from training.train import lightgbm_params, parse_args

#: Feature families, as the README and the model card name them.
FAMILIES: dict[str, tuple[str, ...]] = {
    "structured fields": (
        "level_gap", "english_ok", "english_gap", "spanish_gap", "academic_gap", "area_match",
        "same_state", "same_city", "title_overlap", "knowledge_overlap",
    ),
    "skills": (
        "skill_coverage", "skills_matched", "job_skill_count", "applicant_skill_count",
        "skill_jaccard",
    ),
    "text similarity": ("text_similarity",),
    "domain": ("domain_match",),
    "seniority": ("cv_seniority", "job_seniority", "seniority_gap", "experience_years"),
    "job": ("job_clt", "job_pj", "job_hunting"),
    "cv size": ("cv_chars", "cv_readable"),
}  # fmt: skip


@dataclass(frozen=True)
class Splits:
    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    best_auc: float | None


def prepare(raw: Path, work: Path) -> Splits:
    """Run the Preprocess step on ``raw`` and read its splits (and the oracle, when present)."""
    config = preprocess.parse_args(
        [
            "--raw-dir", str(raw), "--train-dir", str(work / "train"),
            "--validation-dir", str(work / "validation"), "--test-dir", str(work / "test"),
            "--profiles-dir", str(work / "profiles"), "--report-dir", str(work / "report"),
        ]
    )  # fmt: skip
    preprocess.run(config)
    frames = {
        n: pd.read_parquet(work / n / f"{n}.parquet") for n in ("train", "validation", "test")
    }
    oracle_path = work / "test" / "oracle.parquet"
    best = None
    if oracle_path.exists():
        oracle = pd.read_parquet(oracle_path)
        joined = frames["test"].merge(oracle, on=["job_code", "applicant_code"])
        if len(joined) == len(frames["test"]):
            frames["test"] = joined
            best = all_metrics(joined, "oracle_p")["auc"]
    return Splits(frames["train"], frames["validation"], frames["test"], best)


def train_and_score(splits: Splits, columns: list[str]) -> np.ndarray:
    """Test scores of a model trained on ``columns`` with the pipeline's settings."""
    args = parse_args([])
    train = lgb.Dataset(splits.train[columns], label=splits.train["label"])
    valid = lgb.Dataset(
        splits.validation[columns], label=splits.validation["label"], reference=train
    )
    booster = lgb.train(
        lightgbm_params(args, "cpu"),
        train,
        num_boost_round=args.num_boost_round,
        valid_sets=[valid],
        callbacks=[
            lgb.early_stopping(args.early_stopping_rounds, first_metric_only=True, verbose=False)
        ],
    )
    return booster.predict(splits.test[columns], num_iteration=booster.best_iteration)


def subsets() -> list[tuple[str, list[str]]]:
    every = list(FEATURE_NAMES)
    rows = [("all features", every)]
    rows += [
        (f"all but {name}", [f for f in every if f not in family])
        for name, family in FAMILIES.items()
    ]
    structured = list(FAMILIES["structured fields"])
    rows.append(("structured fields only", structured))
    rows += [
        (f"structured + {name}", structured + list(family))
        for name, family in FAMILIES.items()
        if name != "structured fields"
    ]
    return rows


def ablation_rows(splits: Splits) -> list[list[str]]:
    rows = []
    for name, columns in subsets():
        scored = splits.test.assign(score=train_and_score(splits, columns))
        metrics = all_metrics(scored, "score")
        ratio = normalized_auc(metrics["auc"], splits.best_auc)
        rows.append(
            [
                name,
                f"{metrics['auc']:.4f}",
                "-" if ratio is None else f"{ratio:.3f}",
                f"{metrics['ndcg_at_10']:.3f}",
                f"{metrics['precision_at_5']:.3f}",
                f"{metrics['recall_at_10']:.3f}",
            ]
        )
    return rows


def report_scale(scale: float, profile: str, seed: int, data: Path | None) -> None:
    from datagen import generate

    with tempfile.TemporaryDirectory() as tmp:
        raw = data or Path(tmp) / "raw"
        started = time.perf_counter()
        if data is None:
            generate(raw, seed=seed, scale=scale, profile=profile, log=None)
        splits = prepare(raw, Path(tmp) / "work")
        seconds = time.perf_counter() - started
        random = random_ranking_metrics(splits.test)
        candidates = splits.test.groupby("job_code").size()
        print(
            f"\n## {'data ' + str(data) if data else f'scale {scale}, profile {profile}'}: "
            f"{len(splits.train):,} train / {len(splits.validation):,} validation / "
            f"{len(splits.test):,} test rows; best achievable AUC "
            f"{'n/a' if splits.best_auc is None else f'{splits.best_auc:.4f}'}; "
            f"prepared in {seconds:.0f}s"
        )
        print(
            f"test jobs: {len(candidates):,}, candidates per job: median "
            f"{candidates.median():.0f}, mean {candidates.mean():.1f}; a random ranking of the "
            f"same jobs: NDCG@10 {random['ndcg_at_10']:.3f}, precision@5 "
            f"{random['precision_at_5']:.3f}, recall@10 {random['recall_at_10']:.3f}\n"
        )
        header = ["features", "AUC", "(AUC-.5)/(best-.5)", "NDCG@10", "P@5", "R@10"]
        print(render_table(header, ablation_rows(splits), "lrrrrr"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--profile", default="real", choices=["real", "rich"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data", type=Path, help="a Decision folder instead of generated data")
    args = parser.parse_args(argv)
    for scale in [None] if args.data else args.scale:
        report_scale(scale or 0.0, args.profile, args.seed, args.data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
