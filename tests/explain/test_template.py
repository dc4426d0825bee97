"""The deterministic template and the vocabulary behind it."""

from __future__ import annotations

from explain.factors import Factor, factors_from_contributions
from explain.template import render_template
from explain.vocabulary import TERMS, describe
from features import FEATURE_NAMES


def test_every_model_feature_has_portuguese_words() -> None:
    assert set(TERMS) == set(FEATURE_NAMES)
    for name in FEATURE_NAMES:
        for value in (0.0, 0.5, 1.0, 3.0, -2.0):
            assert describe(name, value) and name not in describe(name, value)


def test_template_cites_each_factor_on_the_side_of_its_sign() -> None:
    factors = [
        Factor("skill_coverage", 0.8, 0.9),
        Factor("english_gap", -1.0, -0.3),
        Factor("same_state", 1.0, 0.1),
    ]
    text = render_template(0.72, factors)
    favour, against = text.split("Pesam contra:")
    assert "72% (alta)" in favour
    assert "80% das competências" in favour and "mesmo estado" in favour
    assert "inglês abaixo" in against
    assert render_template(0.72, factors) == text  # deterministic


def test_template_says_unknown_values_and_unknown_features_plainly() -> None:
    text = render_template(0.1, [Factor("cv_chars", None, -0.2), Factor("new_feature", 2.0, 0.1)])
    assert "tamanho do currículo: não informado" in text
    assert "new_feature = 2" in text
    assert "(baixa)" in text


def test_template_without_factors_says_none_stood_out() -> None:
    assert "Nenhum fator se destacou" in render_template(0.5, [])


def test_zero_contributions_are_not_factors() -> None:
    contributions = [
        {"feature": "skill_coverage", "value": 0.5, "contribution": 0.4},
        {"feature": "level_gap", "value": float("nan"), "contribution": -0.2},
        {"feature": "same_city", "value": 1.0, "contribution": 0.0},
    ]
    factors = factors_from_contributions(contributions)
    assert [f.feature for f in factors] == ["skill_coverage", "level_gap"]
    assert factors[1].value is None and factors[1].direction == "desfavorece"


def test_the_band_agrees_with_the_percentage_shown() -> None:
    assert "60% (alta)" in render_template(0.598, [])
    assert "29% (baixa)" in render_template(0.294, [])
