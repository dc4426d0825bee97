"""From records or stored profiles to features, probabilities and contributions (no I/O).

Features come from ``features`` exactly as the processing step computes them: records become
profiles with ``job_profile`` / ``applicant_profile`` and pairs become feature rows with
``pair_feature_rows``, the same ``pair_values`` that ``pair_feature_frame`` runs for training.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from features import FEATURE_NAMES, applicant_profile, job_profile, pair_feature_rows
from features.text_similarity import TextModel
from serving.model import LoadedModel

Profile = Mapping[str, Any]


@dataclass(frozen=True)
class Candidate:
    """One applicant to rank: its code, its profile and where the profile came from."""

    applicant_code: str
    profile: Profile
    source: str  # "request" | "feature_store"


def job_profile_of(record: Mapping[str, Any]) -> dict[str, Any]:
    return job_profile(record)


def applicant_profile_of(record: Mapping[str, Any], cv_text: str | None = None) -> dict[str, Any]:
    # ``cv_text``: the text of a CV file sent with the record, as the processing step passes a
    # readable file's text (the record's cv_pt still wins when it has text).
    return applicant_profile(record, cv_text)


def feature_matrix(
    job: Profile, applicants: Sequence[Profile], text_model: TextModel | None
) -> np.ndarray:
    """(n, features) float64 matrix in ``FEATURE_NAMES`` order, NaN where unknown."""
    rows = pair_feature_rows(job, applicants, text_model)
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURE_NAMES))


def _optional(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def top_contributions(
    values: np.ndarray, contributions: np.ndarray, top: int
) -> list[dict[str, Any]]:
    """The ``top`` largest absolute contributions, largest first (ties in feature order)."""
    order = sorted(range(len(FEATURE_NAMES)), key=lambda i: -abs(contributions[i]))[:top]
    return [
        {
            "feature": FEATURE_NAMES[i],
            "value": _optional(values[i]),
            "contribution": float(contributions[i]),
        }
        for i in order
    ]


def score_pair(model: LoadedModel, job: Profile, applicant: Profile, top: int) -> dict[str, Any]:
    """Probability, base value, top contributions and all feature values of one pair."""
    rows = feature_matrix(job, [applicant], model.text_model)
    probability = float(model.probabilities(rows)[0])
    contributions = model.contributions(rows)[0]
    return {
        "probability": probability,
        "base_value": float(contributions[-1]),
        "contributions": top_contributions(rows[0], contributions[:-1], top),
        "features": {
            name: _optional(value) for name, value in zip(FEATURE_NAMES, rows[0], strict=True)
        },
    }


def rank_candidates(
    model: LoadedModel, job: Profile, candidates: Sequence[Candidate], limit: int | None = None
) -> list[dict[str, Any]]:
    """Candidates by probability, best first; equal scores keep the request's order."""
    if not candidates:
        return []
    rows = feature_matrix(job, [c.profile for c in candidates], model.text_model)
    probabilities = model.probabilities(rows)
    order = sorted(range(len(candidates)), key=lambda i: -probabilities[i])
    if limit is not None:
        order = order[:limit]
    return [
        {
            "rank": position,
            "applicant_code": candidates[i].applicant_code,
            "probability": float(probabilities[i]),
            "source": candidates[i].source,
        }
        for position, i in enumerate(order, start=1)
    ]
