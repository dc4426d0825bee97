"""An LLM answer is used only when it is grounded in the factors that were sent."""

from __future__ import annotations

import copy

import pytest

from explain.answer import AnswerError, answer_schema, parse_answer
from explain.grounding import GroundingError, check_grounding
from tests.explain.stubs import FACTORS, GROUNDED


def _answer(**changes):
    answer = copy.deepcopy(GROUNDED) | changes
    return parse_answer(answer)


def test_a_grounded_answer_passes() -> None:
    check_grounding(_answer(), FACTORS)


def test_citing_a_factor_that_was_not_sent_is_refused() -> None:
    cited = [*GROUNDED["cited_factors"], {"feature": "area_match", "direction": "favorece"}]
    with pytest.raises(GroundingError, match="area_match"):
        check_grounding(_answer(cited_factors=cited), FACTORS)


def test_a_direction_against_the_contributions_sign_is_refused() -> None:
    cited = [{"feature": "english_gap", "direction": "favorece"}]
    with pytest.raises(GroundingError, match="english_gap"):
        check_grounding(_answer(cited_factors=cited), FACTORS)


@pytest.mark.parametrize(
    "sentence",
    [
        "Além disso, o currículo é curto.",  # cv_chars / cv_readable were not sent
        "A formação acadêmica também conta.",  # academic_gap
        "O espanhol dele ajuda.",  # spanish_gap
        "Segundo level_gap, ele é sênior.",  # an identifier
    ],
)
def test_text_about_a_feature_that_was_not_sent_is_refused(sentence: str) -> None:
    answer = _answer(explanation=GROUNDED["explanation"] + " " + sentence)
    with pytest.raises(GroundingError, match="was not sent"):
        check_grounding(answer, FACTORS)


def test_a_word_inside_another_word_is_not_a_reference() -> None:
    without_state = [f for f in FACTORS if f.feature != "same_state"]
    cited = [c for c in GROUNDED["cited_factors"] if c["feature"] != "same_state"]
    plain = "O candidato tem as competências pedidas; o inglês abaixo do exigido pesa contra."
    check_grounding(
        _answer(explanation=plain + " Serviço prestado.", cited_factors=cited), without_state
    )


def test_personal_data_in_the_text_is_refused() -> None:
    answer = _answer(explanation=GROUNDED["explanation"] + " Contato: ana@example.com.")
    with pytest.raises(GroundingError, match="personal data"):
        check_grounding(answer, FACTORS)


@pytest.mark.parametrize(
    "answer",
    [
        {"explanation": "curta", "cited_factors": GROUNDED["cited_factors"]},
        {"explanation": GROUNDED["explanation"], "cited_factors": []},
        {"explanation": GROUNDED["explanation"]},
        {**GROUNDED, "extra": 1},
        "not json",
        '{"explanation": 3}',
    ],
)
def test_an_answer_outside_the_schema_is_refused_without_quoting_it(answer) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answer(answer)
    assert "curta" not in str(caught.value) and "not json" not in str(caught.value)


def test_the_schema_sent_to_the_model_is_self_contained() -> None:
    schema = answer_schema()
    assert "$defs" not in schema and "$ref" not in str(schema)
    assert schema["required"] == ["explanation", "cited_factors"]
    direction = schema["properties"]["cited_factors"]["items"]["properties"]["direction"]
    assert direction["enum"] == ["favorece", "desfavorece"]
