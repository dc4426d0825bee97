"""Evaluation metrics over arrays: classification quality and per-job ranking quality.

Ranking metrics treat each job as a query: its applicants ordered by score, hires relevant.
Jobs with no hire in the period carry no ranking signal and are left out of the averages.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, log_loss, roc_auc_score


def classification_metrics(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """AUC, PR-AUC (average precision) and log loss of probabilities against 0/1 labels."""
    labels = np.asarray(labels)
    scores = np.asarray(scores, dtype=float)
    # Only log loss needs probabilities kept off 0 and 1; clipping before AUC or PR-AUC would
    # tie scores the model told apart (1e-9 and 1e-8 both become 1e-7) and change them.
    clipped = np.clip(scores, 1e-7, 1 - 1e-7)
    return {
        "auc": float(roc_auc_score(labels, scores)),
        "pr_auc": float(average_precision_score(labels, scores)),
        "log_loss": float(log_loss(labels, clipped, labels=[0, 1])),
    }


def ndcg_at_k(relevance_in_rank_order: np.ndarray, k: int) -> float:
    """NDCG@k of binary relevances already sorted by descending score."""
    gains = relevance_in_rank_order[:k]
    discounts = 1.0 / np.log2(np.arange(2, len(gains) + 2))
    ideal = np.sort(relevance_in_rank_order)[::-1][:k]
    ideal_dcg = float(np.sum(ideal * discounts[: len(ideal)]))
    return float(np.sum(gains * discounts)) / ideal_dcg if ideal_dcg > 0 else 0.0


def ranking_metrics(groups: np.ndarray, labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """Mean NDCG@10, precision@5 and recall@10 over the jobs that have at least one hire."""
    frame = pd.DataFrame({"group": groups, "label": labels, "score": scores})
    ndcg, precision, recall = [], [], []
    for _, job in frame.groupby("group", sort=False):
        hires = int(job["label"].sum())
        if hires == 0:
            continue
        ranked = job.sort_values("score", ascending=False, kind="mergesort")["label"].to_numpy()
        ndcg.append(ndcg_at_k(ranked, 10))
        precision.append(float(ranked[:5].sum()) / min(5, len(ranked)))
        recall.append(float(ranked[:10].sum()) / hires)
    if not ndcg:
        return {
            "ndcg_at_10": float("nan"),
            "precision_at_5": float("nan"),
            "recall_at_10": float("nan"),
            "jobs_ranked": 0,
        }
    return {
        "ndcg_at_10": float(np.mean(ndcg)),
        "precision_at_5": float(np.mean(precision)),
        "recall_at_10": float(np.mean(recall)),
        "jobs_ranked": len(ndcg),
    }


#: Random orderings averaged for the random-ranking baseline (fixed seed: a stable figure).
RANDOM_RANKINGS = 200


def random_ranking_metrics(frame: pd.DataFrame, seed: int = 0) -> dict[str, float]:
    """The ranking metrics a random order of each job's applicants gets, on average.

    With few candidates per job a random order already finds most hires in its first ten:
    reported beside the model's metrics so that they read against this floor.
    """
    rng = np.random.default_rng(seed)
    groups, labels = frame["job_code"].to_numpy(), frame["label"].to_numpy()
    draws = [
        ranking_metrics(groups, labels, rng.random(len(frame))) for _ in range(RANDOM_RANKINGS)
    ]
    return {
        name: float(np.mean([d[name] for d in draws]))
        for name in ("ndcg_at_10", "precision_at_5", "recall_at_10")
    }


def normalized_auc(auc: float, best_auc: float | None) -> float | None:
    """(AUC - 0.5) / (best - 0.5): the share of the achievable lift over chance the model has.

    None without a best achievable AUC or when the best is no better than chance.
    """
    if best_auc is None or best_auc <= 0.5:
        return None
    return (auc - 0.5) / (best_auc - 0.5)


def candidates_per_job(frame: pd.DataFrame) -> dict[str, float]:
    """How many applicants each job of the period has: ranking metrics read against it."""
    counts = frame.groupby("job_code").size()
    if counts.empty:
        return {"jobs": 0, "median": float("nan"), "mean": float("nan"), "max": 0}
    return {
        "jobs": int(len(counts)),
        "median": float(counts.median()),
        "mean": float(counts.mean()),
        "max": int(counts.max()),
    }


def all_metrics(frame: pd.DataFrame, score_column: str) -> dict[str, float]:
    """Classification and ranking metrics of one score column of a test frame."""
    labels = frame["label"].to_numpy()
    scores = frame[score_column].to_numpy()
    return classification_metrics(labels, scores) | ranking_metrics(
        frame["job_code"].to_numpy(), labels, scores
    )


def champion_floor(champion_auc: float | None, max_auc_regression: float) -> float:
    """The AUC a candidate must reach to not fall behind the champion (0 with no champion)."""
    return 0.0 if champion_auc is None else champion_auc - max_auc_regression
