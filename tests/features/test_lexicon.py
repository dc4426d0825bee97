import math
from collections import Counter

from features.domains import domain_match, domain_weights
from features.lexicon import DOMAIN_OF, decode_counts, encode_counts, term_counts
from features.skills import SKILLS, count_skills_normalized
from features.text import normalize, tokens


def counts(text: str) -> Counter:
    return term_counts(normalize(text))


def test_term_counts_count_skills_by_canonical_name_and_domain_words():
    found = counts("Java, java8 e J2EE; Spring Boot; módulo FI do SAP; Power BI e PowerBI")
    assert found["java"] == 3
    assert found["power bi"] == 2
    assert found["sap"] == 1 and found["fi"] == 1 and found["modulo"] == 1
    assert found["spring"] == 1 and found["boot"] == 1


def test_term_counts_keep_no_word_outside_the_lexicon():
    found = counts("Maria da Silva, Rua das Flores 123, Campinas/SP, maria@example.com, java")
    assert set(found) == {"java"}


def test_an_empty_text_has_no_terms():
    assert counts("") == Counter()


def test_counts_round_trip_through_their_encoding():
    original = Counter({"java": 2, "power bi": 1, "c#": 3, ".net": 1})
    encoded = encode_counts(original)
    assert encoded == ".net:1;c#:3;java:2;power bi:1"
    assert decode_counts(encoded) == dict(original)
    assert decode_counts("") == {} and decode_counts(None) == {}


def test_every_skill_and_every_word_has_a_domain():
    assert set(DOMAIN_OF) >= SKILLS
    assert all(DOMAIN_OF[term] for term in DOMAIN_OF)


def test_domain_match_is_one_for_the_same_domains_and_zero_for_disjoint_ones():
    sap = domain_weights(counts("consultor sap módulo fi faturamento abap"))
    sap_again = domain_weights(counts("abap e sap, parametrização do módulo"))
    infra = domain_weights(counts("servidores linux, redes, monitoramento com zabbix"))
    assert abs(domain_match(sap, sap_again) - 1.0) < 1e-9
    assert domain_match(sap, infra) == 0.0


def test_domain_match_is_unknown_without_domain_terms():
    assert math.isnan(domain_match(domain_weights({}), domain_weights(counts("java"))))


def test_term_counts_from_the_texts_tokens_are_the_ones_from_its_text():
    text = normalize("Java, java8 e J2EE; Spring Boot; módulo FI do SAP; Power BI e PowerBI")
    assert term_counts(text, tokens(text)) == term_counts(text)
    assert term_counts(text, []) == count_skills_normalized(text)  # the words: the tokens'
