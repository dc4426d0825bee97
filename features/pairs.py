"""Pair features: how well one applicant fits one job, from the two profiles alone.

Contract: ``pair_features(job_profile, applicant_profile)`` returns ``{name: float}`` for every
name in ``FEATURE_NAMES`` (NaN where the inputs do not say); ``pair_feature_frame`` computes the
same values for many pairs at once and is bit-for-bit identical to the per-record function (both
run ``_pair_values`` on the same prepared profiles). Profiles are the dicts of
``features.profiles`` or rows of frames holding those fields; missing values may be ``None``,
NaN or ``pd.NA``.

The features (docs/data-contracts.md has the generator's signal these mirror):

- ``skill_coverage``: share of the job's skills the applicant has (NaN: the job names none)
- ``skills_matched``, ``job_skill_count``, ``applicant_skill_count``: the counts behind it
- ``skill_jaccard``: shared skills / all skills of either side (NaN: neither names any)
- ``level_gap``: |applicant level rank - job level rank| (NaN: either level unknown or other)
- ``english_ok``: 1 when the applicant's English rank meets the job's (a job without a stated
  requirement is met by anyone; NaN: the job requires English and the applicant's is unknown)
- ``english_gap``, ``spanish_gap``: applicant rank - job rank (job unstated = 0; NaN: applicant
  unknown)
- ``academic_gap``: applicant academic rank - job's (NaN: either unknown)
- ``area_match``: 1 when an applicant area is one of the job's areas (NaN: either side has none)
- ``same_state``, ``same_city``: 1 when equal (NaN: either side unknown)
- ``title_overlap``: share of the job title's content tokens found in the applicant's title
- ``knowledge_overlap``: share of the applicant's title and technical-knowledge tokens that the
  job's text (title, activities, competences) mentions
- ``cv_chars``, ``cv_readable``: how much CV text the applicant has
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from features.text import content_tokens, split_values

FEATURE_NAMES: tuple[str, ...] = (
    "skill_coverage",
    "skills_matched",
    "job_skill_count",
    "applicant_skill_count",
    "skill_jaccard",
    "level_gap",
    "english_ok",
    "english_gap",
    "spanish_gap",
    "academic_gap",
    "area_match",
    "same_state",
    "same_city",
    "title_overlap",
    "knowledge_overlap",
    "cv_chars",
    "cv_readable",
)

_NAN = math.nan


def _number(value: Any) -> float:
    """A profile's integral value as float; None / NaN / pd.NA -> NaN."""
    if value is None or value is pd.NA:
        return _NAN
    return float(value)


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


class _Side:
    """A profile parsed once for many pairs: sets for list fields, floats for ranks."""

    __slots__ = (
        "skills",
        "level",
        "english",
        "spanish",
        "academic",
        "areas",
        "state",
        "city",
        "title_tokens",
        "text_tokens",
        "knowledge_tokens",
        "cv_chars",
        "cv_readable",
    )

    def __init__(self, profile: Mapping[str, Any]) -> None:
        get = profile.get
        self.skills = split_values(_string(get("skills")))
        self.level = _number(get("level_rank"))
        self.english = _number(get("english_rank"))
        self.spanish = _number(get("spanish_rank"))
        self.academic = _number(get("academic_rank"))
        self.areas = split_values(_string(get("areas")))
        self.state = _string(get("state"))
        self.city = _string(get("city"))
        self.title_tokens = content_tokens(_string(get("title")))
        self.text_tokens = split_values(_string(get("text_tokens")))
        self.knowledge_tokens = split_values(_string(get("knowledge_tokens")))
        self.cv_chars = _number(get("cv_chars"))
        self.cv_readable = _number(get("cv_readable"))


def _share(part: frozenset[str], of: frozenset[str]) -> float:
    """|part ∩ of| / |of|; NaN when either set is empty (nothing to compare)."""
    if not part or not of:
        return _NAN
    return len(part & of) / len(of)


def _same(a: str, b: str) -> float:
    if not a or not b:
        return _NAN
    return 1.0 if a == b else 0.0


def _pair_values(job: _Side, applicant: _Side) -> tuple[float, ...]:
    """Feature values in ``FEATURE_NAMES`` order."""
    job_skills, applicant_skills = job.skills, applicant.skills
    n_job, n_applicant = len(job_skills), len(applicant_skills)
    matched = len(job_skills & applicant_skills)
    union = n_job + n_applicant - matched

    job_english = 0.0 if math.isnan(job.english) else job.english
    if job_english <= 0.0:
        english_ok = 1.0
    elif math.isnan(applicant.english):
        english_ok = _NAN
    else:
        english_ok = 1.0 if applicant.english >= job_english else 0.0
    job_spanish = 0.0 if math.isnan(job.spanish) else job.spanish

    if job.areas and applicant.areas:
        area_match = 0.0 if job.areas.isdisjoint(applicant.areas) else 1.0
    else:
        area_match = _NAN

    return (
        matched / n_job if n_job else _NAN,
        float(matched),
        float(n_job),
        float(n_applicant),
        matched / union if union else _NAN,
        abs(applicant.level - job.level),
        english_ok,
        applicant.english - job_english,
        applicant.spanish - job_spanish,
        applicant.academic - job.academic,
        area_match,
        _same(job.state, applicant.state),
        _same(job.city, applicant.city),
        _share(applicant.title_tokens, job.title_tokens),
        _share(job.text_tokens, applicant.knowledge_tokens),
        applicant.cv_chars,
        applicant.cv_readable,
    )


def pair_features(
    job_profile: Mapping[str, Any], applicant_profile: Mapping[str, Any]
) -> dict[str, float]:
    """``{feature name: value}`` for one (job, applicant) pair; NaN where unknown."""
    values = _pair_values(_Side(job_profile), _Side(applicant_profile))
    return dict(zip(FEATURE_NAMES, values, strict=True))


def _sides(frame: pd.DataFrame, key: str, wanted: pd.Series) -> dict[Any, _Side]:
    if key not in frame.columns:
        raise KeyError(f"profile frame has no {key!r} column")
    needed = frame[frame[key].isin(wanted)]
    if needed[key].duplicated().any():
        raise ValueError(f"profile frame has duplicate {key} values")
    return {row[key]: _Side(row) for row in needed.to_dict("records")}


def pair_feature_frame(
    jobs: pd.DataFrame, applicants: pd.DataFrame, pairs: pd.DataFrame
) -> pd.DataFrame:
    """Features for every row of ``pairs`` (columns ``job_code``, ``applicant_code``).

    ``jobs`` / ``applicants`` hold one profile per row with ``job_code`` / ``applicant_code``
    columns. Returns a float64 frame with ``FEATURE_NAMES`` columns and ``pairs``' index; raises
    ``KeyError`` naming the first code of a pair that has no profile.
    """
    job_sides = _sides(jobs, "job_code", pairs["job_code"])
    applicant_sides = _sides(applicants, "applicant_code", pairs["applicant_code"])
    rows: list[tuple[float, ...]] = []
    append = rows.append
    for job_code, applicant_code in zip(
        pairs["job_code"].tolist(), pairs["applicant_code"].tolist(), strict=True
    ):
        try:
            job, applicant = job_sides[job_code], applicant_sides[applicant_code]
        except KeyError as missing:
            raise KeyError(f"no profile for code {missing.args[0]!r}") from None
        append(_pair_values(job, applicant))
    values = np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURE_NAMES))
    return pd.DataFrame(values, columns=list(FEATURE_NAMES), index=pairs.index)
