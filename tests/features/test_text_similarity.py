import math

import pytest

from features.text_similarity import (
    TextModel,
    TextModelError,
    cosine,
    fit_text_model,
    weighted_vector,
)

DOCS = [{"java": 2, "sql": 1}, {"java": 1, "abap": 3}, {"sap": 1, "abap": 1}]


def test_idf_is_smoothed_and_rarer_terms_weigh_more():
    model = fit_text_model(DOCS)
    assert model.documents == 3
    assert model.idf["java"] == pytest.approx(math.log(4 / 3) + 1)
    assert model.idf["sql"] == pytest.approx(math.log(4 / 2) + 1)
    assert model.idf["sql"] > model.idf["java"]
    assert model.unseen_idf == pytest.approx(math.log(4) + 1)


def test_vectors_are_unit_length_with_sublinear_term_frequency():
    model = fit_text_model(DOCS)
    vector = weighted_vector({"java": 3, "sql": 1}, model)
    assert math.fsum(w * w for w in vector.values()) == pytest.approx(1.0)
    ratio = vector["java"] / vector["sql"]
    assert ratio == pytest.approx((1 + math.log(3)) * model.idf["java"] / model.idf["sql"])


def test_cosine_is_one_for_the_same_text_zero_for_disjoint_and_nan_for_empty():
    model = fit_text_model(DOCS)
    a = weighted_vector({"java": 1, "sql": 2}, model)
    assert cosine(a, a) == pytest.approx(1.0)
    assert cosine(a, weighted_vector({"abap": 1}, model)) == 0.0
    assert math.isnan(cosine(a, weighted_vector({}, model)))


def test_a_term_unseen_in_training_weighs_as_the_rarest():
    model = fit_text_model(DOCS)
    vector = weighted_vector({"kotlin": 1, "java": 1}, model)
    assert vector["kotlin"] > vector["java"]


def test_the_model_round_trips_through_json():
    model = fit_text_model(DOCS)
    again = TextModel.from_json(model.to_json())
    assert again == model


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        '{"format": "other/1", "idf": {}, "documents": 1}',
        '{"format": "tfidf-lexicon/1"}',
    ],
)
def test_an_unreadable_model_is_a_clear_error(text):
    with pytest.raises(TextModelError):
        TextModel.from_json(text)
