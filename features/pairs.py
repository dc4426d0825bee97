"""Pair features: how well one applicant fits one job, from the two profiles alone.

Contract: ``pair_features(job_profile, applicant_profile)`` returns ``{name: float}`` for every
name in ``FEATURE_NAMES`` (NaN where the inputs do not say); ``pair_feature_rows`` scores one job
against many applicants (the serving path) and ``features.frames.pair_feature_frame`` many pairs
from profile frames (the processing path). All three are bit-for-bit identical: they run
``pair_values`` on the same prepared profiles (``ProfileSide``). Profiles are the dicts of
``features.profiles`` or rows of frames holding those fields; missing values may be ``None``,
NaN or ``pd.NA``. This module imports neither numpy nor pandas, so serving starts fast.

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
- ``text_similarity``: TF-IDF cosine of the job's text and the applicant's (title, knowledge,
  CV) over the matching lexicon, with the training period's weights (``features.
  text_similarity``; NaN without a text model or when either side has no lexicon term)
- ``domain_match``: cosine of the two texts' domain vectors (``features.domains``)
- ``cv_seniority``: the CV's highest seniority word, else the applicant's stated level
  (``features.seniority``); ``job_seniority``: the job level's rank on the same scale;
  ``seniority_gap``: |cv_seniority - job_seniority|
- ``experience_years``: years the CV's dated periods cover
- ``job_clt``, ``job_pj``, ``job_hunting``: the job's contract type includes CLT, PJ, Hunting
  (NaN when it is empty)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from features.domains import domain_match, domain_weights
from features.lexicon import decode_counts
from features.text import content_tokens, split_values
from features.text_similarity import TextModel, cosine, weighted_vector

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
    "text_similarity",
    "domain_match",
    "cv_seniority",
    "job_seniority",
    "seniority_gap",
    "experience_years",
    "job_clt",
    "job_pj",
    "job_hunting",
)

_NAN = math.nan


def _is_pandas_na(value: Any) -> bool:
    # Checked by type name so that this module never imports pandas.
    return type(value).__name__ == "NAType" and type(value).__module__.startswith("pandas")


def _number(value: Any) -> float:
    """A profile's integral value as float; None / NaN / pd.NA -> NaN."""
    if value is None or _is_pandas_na(value):
        return _NAN
    return float(value)


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


class ProfileSide:
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
        "vector",
        "domains",
        "seniority",
        "experience_months",
        "contract",
    )

    def __init__(self, profile: Mapping[str, Any], text_model: TextModel | None = None) -> None:
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
        terms = decode_counts(_string(get("terms")))
        self.vector = weighted_vector(terms, text_model) if text_model else {}
        self.domains = domain_weights(terms)
        seniority = _number(get("cv_seniority"))
        self.seniority = self.level if math.isnan(seniority) else seniority
        self.experience_months = _number(get("experience_months"))
        self.contract = frozenset(content_tokens(_string(get("contract"))) | _contract_words(get))


def _contract_words(get: Any) -> frozenset[str]:
    """Short contract words content tokens drop ("pj")."""
    text = _string(get("contract"))
    return frozenset(w for w in ("pj", "clt") if w in text.replace("/", " ").split())


def _flag(words: frozenset[str], word: str) -> float:
    if not words:
        return _NAN
    return 1.0 if word in words else 0.0


def _share(part: frozenset[str], of: frozenset[str]) -> float:
    """|part ∩ of| / |of|; NaN when either set is empty (nothing to compare)."""
    if not part or not of:
        return _NAN
    return len(part & of) / len(of)


def _same(a: str, b: str) -> float:
    if not a or not b:
        return _NAN
    return 1.0 if a == b else 0.0


def pair_values(job: ProfileSide, applicant: ProfileSide) -> tuple[float, ...]:
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
        cosine(job.vector, applicant.vector),
        domain_match(job.domains, applicant.domains),
        applicant.seniority,
        job.level,
        abs(applicant.seniority - job.level),
        applicant.experience_months / 12.0,
        _flag(job.contract, "clt"),
        _flag(job.contract, "pj"),
        _flag(job.contract, "hunting"),
    )


def pair_features(
    job_profile: Mapping[str, Any],
    applicant_profile: Mapping[str, Any],
    text_model: TextModel | None = None,
) -> dict[str, float]:
    """``{feature name: value}`` for one (job, applicant) pair; NaN where unknown."""
    values = pair_values(
        ProfileSide(job_profile, text_model), ProfileSide(applicant_profile, text_model)
    )
    return dict(zip(FEATURE_NAMES, values, strict=True))


def pair_feature_rows(
    job_profile: Mapping[str, Any],
    applicant_profiles: Iterable[Mapping[str, Any]],
    text_model: TextModel | None = None,
) -> list[tuple[float, ...]]:
    """Feature values (``FEATURE_NAMES`` order) of one job against each applicant, in order."""
    job = ProfileSide(job_profile, text_model)
    return [pair_values(job, ProfileSide(profile, text_model)) for profile in applicant_profiles]
