"""Pair features for many pairs at once, from profile frames (the processing step's path).

Same values as ``features.pairs`` (it runs the same ``pair_values``); kept apart because it
needs pandas and numpy, which serving does not import.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from features.pairs import FEATURE_NAMES, ProfileSide, pair_values
from features.text_similarity import TextModel


def _sides(
    frame: pd.DataFrame, key: str, wanted: pd.Series, text_model: TextModel | None
) -> dict[Any, ProfileSide]:
    if key not in frame.columns:
        raise KeyError(f"profile frame has no {key!r} column")
    needed = frame[frame[key].isin(wanted)]
    if needed[key].duplicated().any():
        raise ValueError(f"profile frame has duplicate {key} values")
    return {row[key]: ProfileSide(row, text_model) for row in needed.to_dict("records")}


def pair_feature_frame(
    jobs: pd.DataFrame,
    applicants: pd.DataFrame,
    pairs: pd.DataFrame,
    text_model: TextModel | None = None,
) -> pd.DataFrame:
    """Features for every row of ``pairs`` (columns ``job_code``, ``applicant_code``).

    ``jobs`` / ``applicants`` hold one profile per row with ``job_code`` / ``applicant_code``
    columns. Returns a float64 frame with ``FEATURE_NAMES`` columns and ``pairs``' index; raises
    ``KeyError`` naming the first code of a pair that has no profile.
    """
    job_sides = _sides(jobs, "job_code", pairs["job_code"], text_model)
    applicant_sides = _sides(applicants, "applicant_code", pairs["applicant_code"], text_model)
    rows: list[tuple[float, ...]] = []
    append = rows.append
    for job_code, applicant_code in zip(
        pairs["job_code"].tolist(), pairs["applicant_code"].tolist(), strict=True
    ):
        try:
            job, applicant = job_sides[job_code], applicant_sides[applicant_code]
        except KeyError as missing:
            raise KeyError(f"no profile for code {missing.args[0]!r}") from None
        append(pair_values(job, applicant))
    values = np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURE_NAMES))
    return pd.DataFrame(values, columns=list(FEATURE_NAMES), index=pairs.index)
