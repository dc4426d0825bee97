import pytest

from features.skills import SKILL_LEXICON, SKILLS, extract_skills, extract_skills_normalized
from features.text import normalize

# As docs/data-contracts.md lists it.
_VOCABULARY_TEXT = (
    "python, java, javascript, typescript, react, angular, nodejs, sql, oracle, postgresql, "
    "mongodb, sap, abap, c#, .net, php, aws, azure, docker, kubernetes, linux, power bi, excel, "
    "scrum, git, devops, jenkins, spark, hadoop, machine learning, cobol, delphi, salesforce, "
    "itil, selenium, android, html, css, totvs, protheus"
)
CONTRACT_VOCABULARY = _VOCABULARY_TEXT.split(", ")


def test_canonical_names_are_the_contract_vocabulary():
    assert frozenset(CONTRACT_VOCABULARY) == SKILLS


@pytest.mark.parametrize("skill", CONTRACT_VOCABULARY)
def test_every_vocabulary_term_is_found_on_its_own_and_in_a_sentence(skill):
    assert extract_skills(skill) == {skill}
    assert extract_skills(f"Experiência com {skill.upper()}, ok.") == {skill}
    assert extract_skills(f"- {skill};\n- outra coisa") == {skill}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("JavaScript e TypeScript", {"javascript", "typescript"}),
        ("java script", {"javascript"}),
        ("java/javascript", {"java", "javascript"}),
        ("postgresql e nosql", {"postgresql"}),
        ("githubber", set()),
        ("Excelente comunicação", set()),
        ("digital", set()),
        ("site.net ou empresa.net.br", set()),
        ("c#, .NET core e ASP.NET", {"c#", ".net"}),
        ("(.net)", {".net"}),
        ("abc# e xc#", set()),
        ("sap/abap", {"sap", "abap"}),
        ("sql servers", {"sql"}),
        ("html5, css3 e python3", {"html", "css", "python"}),
        ("Machine\n  Learning", {"machine learning"}),
        ("power\nbi", {"power bi"}),
    ],
)
def test_term_boundaries(text, expected):
    assert extract_skills(text) == expected


@pytest.mark.parametrize(
    ("alias", "canonical"),
    [
        ("Node.js", "nodejs"),
        ("node js", "nodejs"),
        ("SQL Server", "sql"),
        ("PL/SQL", "sql"),
        ("T-SQL", "sql"),
        ("MySQL", "sql"),
        ("PowerBI", "power bi"),
        ("power-bi", "power bi"),
        ("dotnet", ".net"),
        ("dot net", ".net"),
        ("ASP.NET", ".net"),
        ("C Sharp", "c#"),
        ("csharp", "c#"),
        ("ReactJS", "react"),
        ("AngularJS", "angular"),
        ("Postgres", "postgresql"),
        ("Mongo", "mongodb"),
        ("PySpark", "spark"),
        ("k8s", "kubernetes"),
        ("Aprendizado de Máquina", "machine learning"),
    ],
)
def test_aliases_map_to_canonical_names(alias, canonical):
    assert extract_skills(f"conhecimento em {alias}.") == {canonical}


def test_every_alias_maps_to_its_canonical_name():
    for canonical, aliases in SKILL_LEXICON.items():
        for alias in aliases:
            assert extract_skills(alias) == {canonical}, alias


def test_empty_and_none_give_no_skills():
    assert extract_skills(None) == frozenset()
    assert extract_skills("") == frozenset()
    assert extract_skills_normalized("") == frozenset()


def test_normalized_variant_agrees_with_the_raw_one():
    text = "Sênior em JAVA, Node.JS e Power  BI; também C# e .Net"
    assert extract_skills_normalized(normalize(text)) == extract_skills(text)
    assert extract_skills(text) == {"java", "nodejs", "power bi", "c#", ".net"}
