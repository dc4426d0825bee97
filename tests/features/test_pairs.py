import math

import numpy as np
import pandas as pd
import pytest

import features
from features import FEATURE_NAMES, pair_feature_rows, pair_features
from features.frames import pair_feature_frame
from features.profiles import APPLICANT_PROFILE_FIELDS, JOB_PROFILE_FIELDS

NAN = math.nan


def job(**fields):
    base = {
        "title": "desenvolvedor java",
        "skills": "docker;java;sql;aws",
        "skill_count": 4,
        "level": "senior",
        "level_rank": 2,
        "english_rank": 2,
        "spanish_rank": None,
        "academic_rank": 7,
        "areas": "ti - desenvolvimento/programacao;ti - projetos",
        "state": "sao paulo",
        "city": "sao paulo",
        "text_tokens": "apis;desenvolvedor;docker;java;sql",
        "terms": "apis:1;desenvolvedor:1;docker:1;java:2;sql:1",
        "contract": "pj/autonomo, clt full",
    }
    base.update(fields)
    assert set(base) == set(JOB_PROFILE_FIELDS)
    return base


def applicant(**fields):
    base = {
        "title": "desenvolvedor java pleno",
        "skills": "java;python;sql",
        "skill_count": 3,
        "level": "pleno",
        "level_rank": 1,
        "english_rank": 3,
        "spanish_rank": 1,
        "academic_rank": 6,
        "areas": "ti - desenvolvimento/programacao",
        "state": "sao paulo",
        "city": "campinas",
        "cv_chars": 1200,
        "cv_readable": 1,
        "knowledge_tokens": "desenvolvedor;java;pleno;python;sql",
        "terms": "desenvolvedor:2;java:3;python:1;sql:1",
        "cv_seniority": 1,
        "experience_months": 60,
    }
    base.update(fields)
    assert set(base) == set(APPLICANT_PROFILE_FIELDS)
    return base


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_feature_names_are_exported_and_match_the_output():
    assert features.FEATURE_NAMES is FEATURE_NAMES
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    values = pair_features(job(), applicant())
    assert tuple(values) == FEATURE_NAMES
    assert all(isinstance(v, float) for v in values.values())


def test_skill_coverage_is_the_share_of_job_skills_the_applicant_has():
    values = pair_features(job(), applicant())
    assert values["skill_coverage"] == 2 / 4
    assert values["skills_matched"] == 2.0
    assert values["job_skill_count"] == 4.0
    assert values["applicant_skill_count"] == 3.0
    assert values["skill_jaccard"] == 2 / 5
    full = pair_features(job(skills="java;sql"), applicant())
    assert full["skill_coverage"] == 1.0


def test_skill_coverage_is_unknown_when_the_job_names_no_skill():
    values = pair_features(job(skills=""), applicant())
    assert math.isnan(values["skill_coverage"])
    assert values["skills_matched"] == 0.0
    both_empty = pair_features(job(skills=""), applicant(skills=""))
    assert math.isnan(both_empty["skill_jaccard"])


def test_level_gap_and_missing_levels():
    assert pair_features(job(level_rank=2), applicant(level_rank=0))["level_gap"] == 2.0
    assert pair_features(job(level_rank=0), applicant(level_rank=3))["level_gap"] == 3.0
    assert math.isnan(pair_features(job(level_rank=None), applicant())["level_gap"])
    assert math.isnan(pair_features(job(), applicant(level_rank=None))["level_gap"])


@pytest.mark.parametrize(
    ("job_rank", "applicant_rank", "ok", "gap"),
    [
        (2, 3, 1.0, 1.0),
        (2, 2, 1.0, 0.0),
        (3, 1, 0.0, -2.0),
        (None, 0, 1.0, 0.0),  # no stated requirement: anyone meets it
        (None, None, 1.0, NAN),
        (0, None, 1.0, NAN),
        (2, None, NAN, NAN),  # required, applicant's level unknown
    ],
)
def test_english_meets_requirement(job_rank, applicant_rank, ok, gap):
    values = pair_features(job(english_rank=job_rank), applicant(english_rank=applicant_rank))
    assert same(values["english_ok"], ok)
    assert same(values["english_gap"], gap)


def test_spanish_and_academic_gaps():
    values = pair_features(job(spanish_rank=2, academic_rank=7), applicant(spanish_rank=4))
    assert values["spanish_gap"] == 2.0
    assert values["academic_gap"] == -1.0
    assert pair_features(job(spanish_rank=None), applicant(spanish_rank=1))["spanish_gap"] == 1.0
    assert math.isnan(pair_features(job(academic_rank=None), applicant())["academic_gap"])


def test_area_match():
    assert pair_features(job(), applicant())["area_match"] == 1.0
    assert pair_features(job(), applicant(areas="ti - sap"))["area_match"] == 0.0
    assert math.isnan(pair_features(job(), applicant(areas=""))["area_match"])
    assert math.isnan(pair_features(job(areas=""), applicant())["area_match"])


def test_same_state_and_city():
    values = pair_features(job(), applicant())
    assert (values["same_state"], values["same_city"]) == (1.0, 0.0)
    other = pair_features(job(), applicant(state="bahia", city="sao paulo"))
    assert (other["same_state"], other["same_city"]) == (0.0, 1.0)
    unknown = pair_features(job(), applicant(state="", city=""))
    assert math.isnan(unknown["same_state"]) and math.isnan(unknown["same_city"])


def test_text_overlaps_and_cv_features():
    values = pair_features(job(), applicant())
    assert values["title_overlap"] == 1.0  # "desenvolvedor java" both in the applicant's title
    assert values["knowledge_overlap"] == 3 / 5  # desenvolvedor, java, sql of 5 tokens
    assert (values["cv_chars"], values["cv_readable"]) == (1200.0, 1.0)
    assert math.isnan(pair_features(job(), applicant(title=""))["title_overlap"])
    no_cv = pair_features(job(), applicant(cv_chars=0, cv_readable=0))
    assert (no_cv["cv_chars"], no_cv["cv_readable"]) == (0.0, 0.0)


def test_missing_values_may_be_none_nan_or_pd_na():
    reference = pair_features(job(level_rank=None), applicant(english_rank=None))
    for missing in (NAN, pd.NA, np.float64("nan")):
        values = pair_features(job(level_rank=missing), applicant(english_rank=missing))
        assert all(same(values[k], reference[k]) for k in FEATURE_NAMES)


def _profile_frames(jobs, applicants):
    job_frame = pd.DataFrame([{"job_code": c, **p} for c, p in jobs.items()])
    applicant_frame = pd.DataFrame([{"applicant_code": c, **p} for c, p in applicants.items()])
    for frame, fields in (
        (job_frame, JOB_PROFILE_FIELDS),
        (applicant_frame, APPLICANT_PROFILE_FIELDS),
    ):
        for name, kind in fields.items():
            frame[name] = frame[name].astype("Int64" if kind == "integral" else "str")
    return job_frame, applicant_frame


def test_batch_frame_equals_per_record_features_exactly():
    jobs = {
        "1": job(),
        "2": job(skills="", level_rank=None, english_rank=None, areas="", state="", title=""),
        "3": job(skills="sap;abap", english_rank=4, spanish_rank=2, academic_rank=None),
    }
    applicants = {
        "10": applicant(),
        "11": applicant(skills="", english_rank=None, level_rank=None, city="", cv_chars=0),
        "12": applicant(skills="sap", areas="ti - sap", spanish_rank=None, knowledge_tokens=""),
    }
    job_frame, applicant_frame = _profile_frames(jobs, applicants)
    pairs = pd.DataFrame(
        [(j, a) for j in jobs for a in applicants] + [("1", "10")],
        columns=["job_code", "applicant_code"],
        index=pd.RangeIndex(100, 110),
    )
    frame = pair_feature_frame(job_frame, applicant_frame, pairs)

    assert list(frame.columns) == list(FEATURE_NAMES)
    assert frame.index.equals(pairs.index)
    assert (frame.dtypes == "float64").all()
    expected = np.array(
        [
            [pair_features(jobs[j], applicants[a])[name] for name in FEATURE_NAMES]
            for j, a in zip(pairs["job_code"], pairs["applicant_code"], strict=True)
        ]
    )
    got = frame.to_numpy()
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert np.array_equal(got, expected, equal_nan=True)
    assert np.isnan(got).any()  # the fixture does exercise unknown values


def test_batch_frame_rejects_a_pair_without_a_profile():
    job_frame, applicant_frame = _profile_frames({"1": job()}, {"10": applicant()})
    pairs = pd.DataFrame({"job_code": ["1"], "applicant_code": ["99"]})
    with pytest.raises(KeyError, match="99"):
        pair_feature_frame(job_frame, applicant_frame, pairs)


def test_batch_frame_of_no_pairs_is_empty():
    job_frame, applicant_frame = _profile_frames({"1": job()}, {"10": applicant()})
    pairs = pd.DataFrame({"job_code": pd.Series([], dtype="str"), "applicant_code": []})
    frame = pair_feature_frame(job_frame, applicant_frame, pairs)
    assert frame.shape == (0, len(FEATURE_NAMES))


def test_rows_for_one_job_equal_the_per_pair_features():
    applicants = [applicant(), applicant(skills="", english_rank=None), applicant(city="")]
    rows = pair_feature_rows(job(), applicants)
    for row, one in zip(rows, applicants, strict=True):
        expected = pair_features(job(), one)
        assert all(same(a, expected[name]) for a, name in zip(row, FEATURE_NAMES, strict=True))


def test_pandas_missing_values_read_as_unknown_without_importing_pandas_here():
    values = pair_features(job(level_rank=pd.NA), applicant(english_rank=pd.NA))
    assert math.isnan(values["level_gap"]) and math.isnan(values["english_gap"])


def test_importing_features_loads_neither_pandas_nor_numpy():
    import subprocess
    import sys

    code = "import features, sys; print(sorted({'pandas', 'numpy'} & set(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
