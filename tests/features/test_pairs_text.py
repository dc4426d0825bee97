"""The text-reading pair features: similarity, domain, seniority, experience, contract."""

import math

import pytest

from features import pair_features
from features.text_similarity import fit_text_model
from tests.features.test_pairs import applicant, job

MODEL = fit_text_model([{"java": 1, "sql": 1}, {"abap": 2, "sap": 1}, {"java": 1}])


def test_text_similarity_needs_the_text_model():
    assert math.isnan(pair_features(job(), applicant())["text_similarity"])
    value = pair_features(job(), applicant(), MODEL)["text_similarity"]
    assert 0.0 < value < 1.0


def test_text_similarity_is_one_for_the_same_terms_and_zero_for_none_shared():
    same = pair_features(job(terms="java:2;sql:1"), applicant(terms="java:2;sql:1"), MODEL)
    apart = pair_features(job(terms="abap:1;sap:1"), applicant(terms="java:2;sql:1"), MODEL)
    assert same["text_similarity"] == pytest.approx(1.0)
    assert apart["text_similarity"] == 0.0


def test_domain_match_compares_the_domains_of_both_texts():
    sap_job = job(terms="abap:1;sap:2;faturamento:1")
    assert pair_features(sap_job, applicant(terms="sap:3;abap:1"))["domain_match"] == 1.0
    assert pair_features(sap_job, applicant(terms="linux:3;servidores:1"))["domain_match"] == 0.0


def test_seniority_comes_from_the_cv_else_from_the_stated_level():
    senior_job = job(level_rank=2)
    from_cv = pair_features(senior_job, applicant(cv_seniority=4, level_rank=1))
    assert (from_cv["cv_seniority"], from_cv["job_seniority"], from_cv["seniority_gap"]) == (
        4.0,
        2.0,
        2.0,
    )
    stated = pair_features(senior_job, applicant(cv_seniority=None, level_rank=1))
    assert stated["cv_seniority"] == 1.0 and stated["seniority_gap"] == 1.0
    unknown = pair_features(senior_job, applicant(cv_seniority=None, level_rank=None))
    assert math.isnan(unknown["seniority_gap"])


def test_experience_is_in_years():
    assert pair_features(job(), applicant(experience_months=90))["experience_years"] == 7.5
    assert math.isnan(pair_features(job(), applicant(experience_months=None))["experience_years"])


@pytest.mark.parametrize(
    ("contract", "clt", "pj", "hunting"),
    [
        ("pj/autonomo, clt full", 1.0, 1.0, 0.0),
        ("pj/autonomo", 0.0, 1.0, 0.0),
        ("clt cotas", 1.0, 0.0, 0.0),
        ("hunting, pj/autonomo, clt full", 1.0, 1.0, 1.0),
        ("cooperado", 0.0, 0.0, 0.0),
    ],
)
def test_contract_flags_read_the_contract_type(contract, clt, pj, hunting):
    values = pair_features(job(contract=contract), applicant())
    assert (values["job_clt"], values["job_pj"], values["job_hunting"]) == (clt, pj, hunting)


def test_an_unknown_contract_type_is_unknown_not_false():
    values = pair_features(job(contract=""), applicant())
    assert all(math.isnan(values[name]) for name in ("job_clt", "job_pj", "job_hunting"))
