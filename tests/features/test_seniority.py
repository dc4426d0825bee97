from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from features.seniority import cv_seniority, experience_months, seniority_rank
from features.text import normalize, tokens


def cv(text: str) -> str:
    return normalize(text)


def test_cv_seniority_is_the_highest_seniority_word():
    text = cv("Empresa A | Desenvolvedor Sênior | 2020 a atual\nEmpresa B | Desenvolvedor Júnior")
    assert cv_seniority(text) == 2
    assert cv_seniority(cv("coordenador de ti; antes analista pleno")) == 4


def test_words_too_weak_alone_say_nothing_in_a_cv():
    assert cv_seniority(cv("analista de sistemas, técnico em informática")) is None


@pytest.mark.parametrize(
    ("text", "months"),
    [
        ("03/2015 a 08/2019", 54),
        ("2012 - 2014", 36),
        ("01/2020 a atual", 54),  # until 06/2024
        ("01/2020 a atual e 06/2018 a 12/2020", 73),  # overlap counted once
        ("formado em 2010; telefone (11) 90000-2015", None),  # no period
    ],
)
def test_experience_months_add_up_dated_periods(text, months):
    assert experience_months(cv(text), date(2024, 6, 15)) == months


def test_an_open_period_needs_the_cv_date():
    assert experience_months(cv("01/2020 a atual"), None) is None
    assert experience_months(cv("01/2020 a atual; 2010 a 2011"), None) == 24


def test_a_period_ending_after_the_cv_date_stops_there():
    assert experience_months(cv("01/2024 a 12/2026"), date(2024, 6, 1)) == 6


def test_level_values_rank_on_one_scale():
    assert seniority_rank("Júnior") < seniority_rank("Analista") <= seniority_rank("Pleno")
    assert seniority_rank("Pleno") < seniority_rank("Sênior") < seniority_rank("Especialista")
    assert seniority_rank("Especialista") < seniority_rank("Coordenador")
    assert seniority_rank("Analista Sênior") == seniority_rank("Sênior")


_PIECES = st.sampled_from(
    ["senior", "sr", "junior", "jr", "pleno", "gerente", "diretora", "analista", "lider", "ti"]
)
_GLUE = st.sampled_from([" ", "", "2", "03/2019", "-", ".", "a", "e"])


@given(st.lists(st.tuples(_PIECES, _GLUE), max_size=12))
def test_cv_seniority_from_the_texts_tokens_is_the_one_from_its_text(parts):
    """Tokens that glue level words to digits ("senior2", "2019jr") hold the same words."""
    text = normalize("".join(piece + glue for piece, glue in parts))
    assert cv_seniority(text, tokens(text)) == cv_seniority(text)


def test_cv_seniority_reads_the_words_inside_mixed_tokens():
    text = "analista 2019sr2020 e jr3"
    assert cv_seniority(text, tokens(text)) == cv_seniority(text) == 2
