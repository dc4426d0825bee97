"""Single feature values of ``features.pairs``, worked by hand (``make mutation`` reads these)."""

from __future__ import annotations

import math

import pytest

from features import FEATURE_NAMES, applicant_profile, job_profile
from features.pairs import ProfileSide, _number, pair_feature_rows, pair_features, pair_values
from features.text_similarity import TextModel
from tests.serving.factory import applicant_record, job_record, text_model_json


def values(job: dict, applicant: dict) -> dict[str, float]:
    row = pair_values(ProfileSide(job), ProfileSide(applicant))
    return dict(zip(FEATURE_NAMES, row, strict=True))


def test_level_gap_is_the_distance_between_levels():
    assert values({"level_rank": 3}, {"level_rank": 1})["level_gap"] == 2.0
    assert values({"level_rank": 1}, {"level_rank": 4})["level_gap"] == 3.0


@pytest.mark.parametrize(
    ("job", "applicant", "expected"),
    [
        (None, None, 1.0),  # the job asks for no English
        (0, None, 1.0),
        (1, None, math.nan),  # asked, and the applicant's English is unknown
        (1, 0, 0.0),
        (1, 1, 1.0),
        (2, 3, 1.0),
        (3, 2, 0.0),
    ],
)
def test_english_ok_only_judges_what_the_job_asks(job, applicant, expected):
    got = values({"english_rank": job}, {"english_rank": applicant})["english_ok"]
    assert got == expected or (math.isnan(expected) and math.isnan(got))


def test_only_pandas_own_missing_value_reads_as_unknown():
    class NAType:  # a look-alike from elsewhere is a number like any other
        def __float__(self) -> float:
            return 5.0

    assert _number(NAType()) == 5.0
    pd = pytest.importorskip("pandas")
    assert math.isnan(_number(pd.NA)) and math.isnan(_number(None))


def test_missing_text_fields_are_empty_not_words():
    side = ProfileSide({"skills": None, "state": None, "title": 3})
    assert side.skills == frozenset() and side.state == "" and side.title_tokens == frozenset()
    assert math.isnan(values({"state": "sp"}, {"state": None})["same_state"])


def test_rows_use_the_text_weights_for_both_sides():
    model = TextModel.from_json(text_model_json())
    job = job_profile(job_record())
    applicant = applicant_profile(applicant_record(3))
    (row,) = pair_feature_rows(job, [applicant], model)
    similarity = dict(zip(FEATURE_NAMES, row, strict=True))["text_similarity"]
    assert similarity > 0
    assert similarity == pair_features(job, applicant, model)["text_similarity"]
    (without,) = pair_feature_rows(job, [applicant], None)
    assert math.isnan(dict(zip(FEATURE_NAMES, without, strict=True))["text_similarity"]) or (
        dict(zip(FEATURE_NAMES, without, strict=True))["text_similarity"] != similarity
    )
