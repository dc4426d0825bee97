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
    """Mean NDCG@10, precision@5 and recall@10 over the jobs that have at least one hire.

    All jobs at once, in arrays (the random baseline calls this hundreds of times): rows sorted
    by job, then by descending score; equal scores keep the rows' order (a stable sort), so a
    tie ranks the same on every platform. Labels are 0/1; rows without a job are left out.
    """
    codes, _ = pd.factorize(np.asarray(groups))
    kept = codes >= 0
    codes = codes[kept]
    order = np.lexsort((-np.asarray(scores, dtype=float)[kept], codes))
    codes, relevance = codes[order], np.asarray(labels, dtype=float)[kept][order]
    # codes run 0..n-1 with no gap (factorize), so every bincount has one entry per job
    sizes = np.bincount(codes)
    rank = np.arange(len(codes)) - (np.cumsum(sizes) - sizes)[codes]  # 0 for each job's first
    hires = np.bincount(codes, weights=relevance)
    ranked = hires > 0
    if not ranked.any():
        return {
            "ndcg_at_10": np.nan,
            "precision_at_5": np.nan,
            "recall_at_10": np.nan,
            "jobs_ranked": 0,
        }

    def hires_in_top(k: int, weights: np.ndarray = relevance) -> np.ndarray:
        return np.bincount(codes, weights=weights * (rank < k))[ranked]

    dcg = hires_in_top(10, relevance / np.log2(rank + 2))
    ideal_dcg = np.concatenate([[0.0], np.cumsum(1.0 / np.log2(np.arange(2, 12)))])
    ideal = ideal_dcg[np.minimum(hires[ranked], 10).astype(int)]
    return {
        "ndcg_at_10": float(np.mean(dcg / ideal)),
        "precision_at_5": float(np.mean(hires_in_top(5) / np.minimum(5, sizes[ranked]))),
        "recall_at_10": float(np.mean(hires_in_top(10) / hires[ranked])),
        "jobs_ranked": int(ranked.sum()),
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
        return {"jobs": 0, "median": np.nan, "mean": np.nan, "max": 0}
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
