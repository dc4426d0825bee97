"""The evaluation metrics against references: scikit-learn, direct definitions on cases worked
by hand, and properties on random inputs (ties, one candidate, no hire, all hires)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, log_loss, ndcg_score, roc_auc_score

from steps.metrics import (
    all_metrics,
    candidates_per_job,
    champion_floor,
    classification_metrics,
    ndcg_at_k,
    normalized_auc,
    random_ranking_metrics,
    ranking_metrics,
)

labels_and_scores = st.integers(min_value=2, max_value=60).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 1), min_size=n, max_size=n).filter(lambda y: 0 < sum(y) < n),
        st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n),
    )
)


@settings(max_examples=60, deadline=None)
@given(labels_and_scores)
def test_classification_metrics_equal_scikit_learns(data) -> None:
    labels, scores = np.array(data[0]), np.array(data[1])
    clipped = np.clip(scores, 1e-7, 1 - 1e-7)
    got = classification_metrics(labels, scores)
    assert got["auc"] == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert got["pr_auc"] == pytest.approx(average_precision_score(labels, scores), abs=1e-12)
    assert got["log_loss"] == pytest.approx(log_loss(labels, clipped), rel=1e-9)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 1), min_size=1, max_size=25).filter(any),
    st.integers(min_value=1, max_value=12),
)
def test_ndcg_equals_scikit_learns_on_distinct_scores(relevance: list[int], k: int) -> None:
    # relevances given in rank order: scores strictly decreasing, so no tie to break
    scores = np.arange(len(relevance), 0, -1, dtype=float)
    expected = ndcg_score([relevance], [scores], k=k) if len(relevance) > 1 else 1.0
    assert ndcg_at_k(np.array(relevance), k) == pytest.approx(expected, abs=1e-12)


def test_scores_near_zero_stay_apart_for_auc() -> None:
    """Scores a model tells apart below the log-loss clip still rank in their order."""
    labels = np.array([0, 1, 0, 1])
    scores = np.array([1e-12, 1e-9, 1e-10, 0.4])
    assert classification_metrics(labels, scores)["auc"] == 1.0


def test_ndcg_hand_worked() -> None:
    # hires at ranks 2 and 3 of four: DCG = 1/log2(3) + 1/log2(4); ideal = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 0.5) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(np.array([0, 1, 1, 0]), 10) == pytest.approx(expected)
    assert ndcg_at_k(np.array([0, 1, 1, 0]), 1) == 0.0  # the top one is not a hire
    assert ndcg_at_k(np.array([0, 0, 0]), 10) == 0.0  # no hire: no ideal, not a division by 0


def _frame(jobs: dict[str, list[tuple[int, float]]]) -> pd.DataFrame:
    rows = [(job, label, score) for job, pairs in jobs.items() for label, score in pairs]
    return pd.DataFrame(rows, columns=["job_code", "label", "score"])


def _ranking(jobs: dict[str, list[tuple[int, float]]]) -> dict:
    frame = _frame(jobs)
    return ranking_metrics(frame["job_code"], frame["label"], frame["score"])


def test_precision_and_recall_hand_worked() -> None:
    # job a: 7 candidates, hires ranked 1st, 4th and 9th (of 12 shown to precision@5 as 5)
    a = [(1, 0.99), (0, 0.9), (0, 0.8), (1, 0.7), (0, 0.6), (0, 0.5), (0, 0.4), (0, 0.3),
         (1, 0.2), (0, 0.15), (1, 0.1)]  # fmt: skip
    # job b: 3 candidates, the one hire ranked 2nd; precision@5 counts the 3 there are
    b = [(0, 0.9), (1, 0.5), (0, 0.1)]
    got = _ranking({"a": a, "b": b, "none": [(0, 0.5), (0, 0.4)]})
    assert got["jobs_ranked"] == 2  # a job with no hire carries no ranking signal
    assert got["precision_at_5"] == pytest.approx(((2 / 5) + (1 / 3)) / 2)
    assert got["recall_at_10"] == pytest.approx(((3 / 4) + 1.0) / 2)


def test_one_candidate_no_hire_and_all_hires() -> None:
    one = _ranking({"a": [(1, 0.3)]})
    assert (one["ndcg_at_10"], one["precision_at_5"], one["recall_at_10"]) == (1.0, 1.0, 1.0)
    none = _ranking({"a": [(0, 0.3), (0, 0.2)]})
    assert none.keys() == one.keys() and none["jobs_ranked"] == 0
    assert all(math.isnan(none[name]) for name in ("ndcg_at_10", "precision_at_5", "recall_at_10"))
    every = _ranking({"a": [(1, s) for s in (0.9, 0.5, 0.1, 0.4, 0.3, 0.2)]})
    assert (every["ndcg_at_10"], every["precision_at_5"], every["recall_at_10"]) == (1, 1, 1)


jobs_strategy = st.dictionaries(
    st.sampled_from(list("abcdefgh")),
    st.lists(st.tuples(st.integers(0, 1), st.floats(0.0, 1.0)), min_size=1, max_size=15),
    min_size=1,
)


@settings(max_examples=80, deadline=None)
@given(jobs_strategy)
def test_ranking_metrics_are_bounded_and_perfect_order_is_best(jobs) -> None:
    got = _ranking(jobs)
    if got["jobs_ranked"] == 0:
        return
    for name in ("ndcg_at_10", "precision_at_5", "recall_at_10"):
        assert 0.0 <= got[name] <= 1.0 + 1e-12
    perfect = _ranking({j: [(y, float(y)) for y, _ in pairs] for j, pairs in jobs.items()})
    assert perfect["ndcg_at_10"] == pytest.approx(1.0)
    for name in ("ndcg_at_10", "precision_at_5", "recall_at_10"):
        assert perfect[name] >= got[name] - 1e-12


@settings(max_examples=50, deadline=None)
@given(jobs_strategy, st.randoms(use_true_random=False))
def test_ranking_metrics_do_not_depend_on_the_order_of_jobs_or_of_distinct_rows(jobs, rnd):
    # distinct scores: the order of rows in the frame must not matter (ties are the sort's)
    distinct = {
        j: [(y, (i + 1) / 100 + k / 1e4) for i, (y, _) in enumerate(p)]
        for k, (j, p) in enumerate(jobs.items())
    }
    frame = _frame(distinct)
    shuffled = frame.sample(frac=1.0, random_state=rnd.randint(0, 10_000))
    a = ranking_metrics(frame["job_code"], frame["label"], frame["score"])
    b = ranking_metrics(shuffled["job_code"], shuffled["label"], shuffled["score"])
    assert a.keys() == b.keys()
    for name in a:
        assert (math.isnan(a[name]) and math.isnan(b[name])) or a[name] == pytest.approx(b[name])


def test_all_metrics_joins_both_families_on_the_frame() -> None:
    # rows not in score order: the ranking must come from the score column
    frame = _frame({"a": [(0, 0.2), (1, 0.9)], "b": [(1, 0.4), (0, 0.6)]})
    got = all_metrics(frame, "score")
    assert got["auc"] == pytest.approx(roc_auc_score(frame["label"], frame["score"]))
    assert got["jobs_ranked"] == 2
    assert got["ndcg_at_10"] == pytest.approx((1.0 + 1 / math.log2(3)) / 2)


def test_normalized_auc_and_the_champion_floor() -> None:
    assert normalized_auc(0.8, 0.9) == pytest.approx(0.75)
    assert normalized_auc(0.5, 0.9) == 0.0
    assert normalized_auc(0.9, 0.9) == 1.0
    assert normalized_auc(0.8, 0.5) is None and normalized_auc(0.8, None) is None
    assert champion_floor(None, 0.01) == 0.0
    assert champion_floor(0.81, 0.01) == pytest.approx(0.80)


def test_random_ranking_metrics_average_the_orders_of_each_job() -> None:
    # one hire among two: a random order puts it first half the time, so NDCG@10 averages
    # (1 + 1/log2(3)) / 2; precision@5 is always 1/2 and recall@10 always 1
    frame = _frame({"a": [(1, 0.0), (0, 0.0)]})
    got = random_ranking_metrics(frame, seed=7)
    assert got.keys() == {"ndcg_at_10", "precision_at_5", "recall_at_10"}
    assert got["ndcg_at_10"] == pytest.approx((1 + 1 / math.log2(3)) / 2, abs=0.06)
    assert got["ndcg_at_10"] not in (1.0, 1 / math.log2(3))  # both orders were drawn
    assert got["precision_at_5"] == pytest.approx(0.5)
    assert got["recall_at_10"] == pytest.approx(1.0)
    assert random_ranking_metrics(frame, seed=7) == got  # a fixed seed: a stable figure


def test_random_ranking_metrics_ignore_the_score_column() -> None:
    # twelve candidates, one hire: the model's scores must not leak into the random floor
    rows = [(1, 1.0)] + [(0, 0.0)] * 11
    got = random_ranking_metrics(_frame({"a": rows}))
    assert got["recall_at_10"] == pytest.approx(10 / 12, abs=0.08)
    assert got["precision_at_5"] == pytest.approx(5 / 12 / 5, abs=0.02)


def test_candidates_per_job_counts_each_jobs_applicants() -> None:
    frame = _frame({"a": [(0, 0.1)] * 3, "b": [(1, 0.2)], "c": [(0, 0.3)] * 8})
    assert candidates_per_job(frame) == {"jobs": 3, "median": 3.0, "mean": 4.0, "max": 8}
    empty = candidates_per_job(frame.iloc[:0])
    assert empty["jobs"] == 0 and empty["max"] == 0
    assert math.isnan(empty["median"]) and math.isnan(empty["mean"])


def test_ndcg_and_recall_stop_at_ten() -> None:
    # the one hire ranked 11th of twelve: outside NDCG@10 and recall@10
    rows = [(0, 1 - i / 100) for i in range(10)] + [(1, 0.5), (0, 0.4)]
    got = _ranking({"a": rows})
    assert got["ndcg_at_10"] == 0.0 and got["recall_at_10"] == 0.0
    rows[9] = (1, 0.905)  # a second hire, 10th: inside both
    got = _ranking({"a": rows})
    assert got["recall_at_10"] == pytest.approx(0.5)
    assert got["ndcg_at_10"] == pytest.approx((1 / math.log2(11)) / (1 + 1 / math.log2(3)))


def _stable_reference(labels: list[int], scores: list[float]) -> dict[str, float]:
    """Precision@5, recall@10 and NDCG@10 by their definitions, over Python's stable sort."""
    ranked = [labels[i] for i in sorted(range(len(labels)), key=lambda i: -scores[i])]
    ideal = sorted(labels, reverse=True)
    dcg = sum(rel / math.log2(rank + 2) for rank, rel in enumerate(ranked[:10]))
    idcg = sum(rel / math.log2(rank + 2) for rank, rel in enumerate(ideal[:10]))
    return {
        "precision_at_5": sum(ranked[:5]) / min(5, len(ranked)),
        "recall_at_10": sum(ranked[:10]) / sum(labels),
        "ndcg_at_10": dcg / idcg,
    }


def test_tied_scores_keep_the_rows_order() -> None:
    # many ties among twenty candidates (a coarse model): a stable sort keeps the frame's order
    # among equal scores, so the figures do not depend on the sort's algorithm or platform
    scores = list(np.random.default_rng(0).integers(0, 3, 20) / 4)
    labels = [int(i % 3 == 1) for i in range(20)]
    got = _ranking({"a": list(zip(labels, scores, strict=True))})
    for name, value in _stable_reference(labels, scores).items():
        assert got[name] == pytest.approx(value), name


tied_jobs = st.dictionaries(
    st.sampled_from(list("abcdef")),
    st.lists(
        st.tuples(st.integers(0, 1), st.sampled_from([0.0, 0.25, 0.5, 1.0])),
        min_size=1,
        max_size=25,
    ),
    min_size=1,
)


@settings(max_examples=60, deadline=None)
@given(tied_jobs)
def test_ranking_metrics_equal_the_definitions_job_by_job(jobs) -> None:
    # coarse scores, many ties, jobs of up to 25: the arrays over all jobs give each job's
    # definition (stable order among ties), averaged over the jobs that have a hire
    got = _ranking(jobs)
    references = [
        _stable_reference([y for y, _ in rows], [x for _, x in rows])
        for rows in jobs.values()
        if any(y for y, _ in rows)
    ]
    assert got["jobs_ranked"] == len(references)
    for name in ("ndcg_at_10", "precision_at_5", "recall_at_10"):
        if references:
            assert got[name] == pytest.approx(np.mean([r[name] for r in references])), name
        else:
            assert math.isnan(got[name])


def test_scores_of_any_numeric_type_rank_alike() -> None:
    groups = np.array(["j1", "j1", "j1", "j2", "j2"])
    labels = np.array([0, 1, 0, 1, 0])
    as_float = ranking_metrics(groups, labels, np.array([1.0, 3.0, 2.0, 5.0, 4.0]))
    unsigned = ranking_metrics(groups, labels, np.array([1, 3, 2, 5, 4], dtype=np.uint8))
    flags = ranking_metrics(groups, labels, np.array([False, True, False, True, False]))
    assert unsigned == as_float == flags
    assert as_float["ndcg_at_10"] == 1.0


def test_no_rows_or_no_job_ranks_nothing() -> None:
    empty = ranking_metrics(np.array([]), np.array([]), np.array([]))
    assert empty["jobs_ranked"] == 0 and math.isnan(empty["ndcg_at_10"])
    jobless = ranking_metrics(np.array([None, None]), np.array([1, 0]), np.array([0.2, 0.1]))
    assert jobless["jobs_ranked"] == 0 and math.isnan(jobless["recall_at_10"])
