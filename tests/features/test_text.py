from features.text import content_tokens, join_values, normalize, split_values, tokenize


def test_normalize_lowercases_strips_accents_and_collapses_whitespace():
    assert normalize("  Sênior\n\tJÚNIOR  Ação ") == "senior junior acao"
    assert normalize("Intermediário") == "intermediario"
    assert normalize(None) == ""
    assert normalize("") == ""


def test_tokenize_splits_on_non_alphanumerics():
    assert tokenize("Desenvolvedor Back-end (Sênior), 5 anos") == [
        "desenvolvedor",
        "back",
        "end",
        "senior",
        "5",
        "anos",
    ]


def test_content_tokens_drop_stopwords_short_tokens_and_numbers():
    assert content_tokens(normalize("Análise de dados para a área de TI em 2024")) == {
        "analise",
        "dados",
        "area",
    }


def test_join_and_split_values_round_trip():
    values = frozenset({"sql", "power bi", "c#"})
    assert join_values(values) == "c#;power bi;sql"
    assert split_values(join_values(values)) == values
    assert split_values("") == frozenset()
    assert split_values(None) == frozenset()
