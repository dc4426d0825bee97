"""serving/scoring.py on its own: feature rows, contributions, one pair's score and a ranking.

A small real LightGBM model scores; the expected answers come from the booster and from
``features`` directly, so each test says what scoring adds (order, ties, limits, the base
value, unknown values) and runs in milliseconds (``make mutation`` judges scoring.py by it).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from features import FEATURE_NAMES, applicant_profile, job_profile, pair_feature_rows
from serving.model import LoadedModel, load_model_dir
from serving.scoring import (
    Candidate,
    applicant_profile_of,
    feature_matrix,
    job_profile_of,
    rank_candidates,
    score_pair,
    top_contributions,
)
from tests.serving.factory import applicant_record, job_record

N = len(FEATURE_NAMES)


@pytest.fixture(scope="module")
def model(model_dir: Path) -> LoadedModel:
    return load_model_dir(model_dir)


@pytest.fixture(scope="module")
def job() -> dict:
    return job_profile(job_record())


def applicants(count: int) -> list[dict]:
    return [applicant_profile(applicant_record(i)) for i in range(count)]


def candidates(profiles: list[dict], source: str = "request") -> list[Candidate]:
    return [Candidate(f"A{i}", profile, source) for i, profile in enumerate(profiles)]


def test_profiles_are_the_features_packages_own() -> None:
    record = applicant_record(2, conhecimentos_tecnicos="")
    assert job_profile_of(job_record()) == job_profile(job_record())
    assert applicant_profile_of(record) == applicant_profile(record)
    with_file = applicant_profile_of({**record, "cv_pt": ""}, "Python e Kubernetes")
    assert with_file == applicant_profile({**record, "cv_pt": ""}, "Python e Kubernetes")
    assert with_file != applicant_profile_of({**record, "cv_pt": ""})


def test_feature_matrix_is_float64_rows_in_feature_order(model: LoadedModel, job: dict) -> None:
    profiles = applicants(3)
    matrix = feature_matrix(job, profiles, model.text_model)
    assert matrix.shape == (3, N) and matrix.dtype == np.float64
    expected = np.array(pair_feature_rows(job, profiles, model.text_model), dtype=np.float64)
    np.testing.assert_array_equal(matrix, expected)


def test_feature_matrix_of_one_and_of_none(model: LoadedModel, job: dict) -> None:
    assert feature_matrix(job, applicants(1), model.text_model).shape == (1, N)
    assert feature_matrix(job, [], model.text_model).shape == (0, N)


def test_top_contributions_largest_absolute_first_with_ties_in_feature_order() -> None:
    values = np.arange(N, dtype=np.float64)
    contributions = np.zeros(N)
    contributions[3], contributions[1], contributions[5], contributions[0] = -0.9, 0.4, 0.4, 0.1
    top = top_contributions(values, contributions, 4)
    assert [c["feature"] for c in top] == [FEATURE_NAMES[i] for i in (3, 1, 5, 0)]
    assert [c["contribution"] for c in top] == [-0.9, 0.4, 0.4, 0.1]
    assert [c["value"] for c in top] == [3.0, 1.0, 5.0, 0.0]
    assert all(type(c["contribution"]) is float and type(c["value"]) is float for c in top)


def test_top_contributions_counts_and_unknown_values() -> None:
    values = np.full(N, np.nan)
    contributions = np.linspace(1.0, 0.1, N)
    assert len(top_contributions(values, contributions, 1)) == 1
    assert len(top_contributions(values, contributions, 3)) == 3
    assert len(top_contributions(values, contributions, N + 5)) == N
    assert top_contributions(values, contributions, 0) == []
    assert [c["value"] for c in top_contributions(values, contributions, 2)] == [None, None]


def test_score_pair_matches_the_booster(model: LoadedModel, job: dict) -> None:
    applicant = applicants(4)[3]
    rows = feature_matrix(job, [applicant], model.text_model)
    raw = model.booster.predict(rows, pred_contrib=True)[0]
    result = score_pair(model, job, applicant, top=3)

    assert result["probability"] == pytest.approx(float(model.booster.predict(rows)[0]))
    assert type(result["probability"]) is float and type(result["base_value"]) is float
    assert result["base_value"] == pytest.approx(raw[-1])
    # the contributions and the base value add up to the score in log-odds
    logit = math.log(result["probability"] / (1 - result["probability"]))
    assert raw[:-1].sum() + result["base_value"] == pytest.approx(logit, abs=1e-9)
    assert result["contributions"] == top_contributions(rows[0], raw[:-1], 3)
    assert list(result["features"]) == list(FEATURE_NAMES)
    for name, value in zip(FEATURE_NAMES, rows[0], strict=True):
        expected = None if math.isnan(value) else value
        assert result["features"][name] == expected


def test_score_pair_names_unknown_features_as_none(model: LoadedModel, job: dict) -> None:
    empty = applicant_profile({"infos_basicas": {}, "cv_pt": ""})
    result = score_pair(model, job, empty, top=N)
    row = feature_matrix(job, [empty], model.text_model)[0]
    unknown = [name for name, value in zip(FEATURE_NAMES, row, strict=True) if math.isnan(value)]
    assert unknown, "an empty applicant leaves some features unknown"
    assert all(result["features"][name] is None for name in unknown)
    assert len(result["contributions"]) == N


def test_rank_candidates_best_first_with_ranks_from_one(model: LoadedModel, job: dict) -> None:
    profiles = applicants(8)
    ranked = rank_candidates(model, job, candidates(profiles, "feature_store"))
    probabilities = model.booster.predict(feature_matrix(job, profiles, model.text_model))

    assert [r["rank"] for r in ranked] == list(range(1, 9))
    assert [r["probability"] for r in ranked] == sorted(probabilities, reverse=True)
    assert {r["applicant_code"] for r in ranked} == {f"A{i}" for i in range(8)}
    for entry in ranked:
        index = int(entry["applicant_code"][1:])
        assert entry["probability"] == pytest.approx(probabilities[index])
        assert entry["source"] == "feature_store"
        assert type(entry["probability"]) is float


def test_rank_candidates_keeps_the_request_order_for_equal_scores(
    model: LoadedModel, job: dict
) -> None:
    same, better = applicants(1)[0], applicants(4)[3]
    profiles = [same, same, same]
    probabilities = model.booster.predict(
        feature_matrix(job, profiles + [better], model.text_model)
    )
    assert probabilities[0] != probabilities[3], "the fixture needs two different scores"
    ranked = rank_candidates(model, job, candidates(profiles + [better]))
    tied = [r["applicant_code"] for r in ranked if r["applicant_code"] != "A3"]
    assert tied == ["A0", "A1", "A2"]


def test_rank_candidates_limit(model: LoadedModel, job: dict) -> None:
    pool = candidates(applicants(6))
    everyone = rank_candidates(model, job, pool)
    assert rank_candidates(model, job, pool, limit=None) == everyone
    assert rank_candidates(model, job, pool, limit=2) == everyone[:2]
    assert rank_candidates(model, job, pool, limit=6) == everyone
    assert rank_candidates(model, job, pool, limit=50) == everyone
    assert rank_candidates(model, job, pool, limit=0) == []


def test_rank_no_candidates(model: LoadedModel, job: dict) -> None:
    assert rank_candidates(model, job, []) == []
    assert rank_candidates(model, job, [], limit=3) == []


def test_ranking_and_scoring_use_the_models_text_weights(
    model: LoadedModel, job: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the test model hardly splits on the text features: check the weights handed over
    seen: list[object] = []

    def spy(job_: dict, applicants_: list, text_model: object) -> np.ndarray:
        seen.append(text_model)
        return feature_matrix(job_, applicants_, text_model)

    monkeypatch.setattr("serving.scoring.feature_matrix", spy)
    rank_candidates(model, job, candidates(applicants(2)))
    score_pair(model, job, applicants(1)[0], top=1)
    assert model.text_model is not None and seen == [model.text_model, model.text_model]
