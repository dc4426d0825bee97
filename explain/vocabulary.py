"""What each feature means, in Portuguese for a recruiter: a label, a phrase for its value,
and the words by which a text refers to it.

The feature names are those of the model (``features.FEATURE_NAMES``; a test keeps the two in
step). A feature this table does not know is described by its name and value, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def _percent(value: float) -> str:
    return f"{round(value * 100):d}%"


def _count(value: float) -> str:
    return f"{round(value):d}"


def _gap(subject: str, value: float) -> str:
    if value > 0:
        return f"{subject} acima do pedido pela vaga"
    if value < 0:
        return f"{subject} abaixo do pedido pela vaga"
    return f"{subject} no nível pedido pela vaga"


def _yes_no(yes: str, no: str) -> Callable[[float], str]:
    return lambda value: yes if value >= 0.5 else no


def _level_gap(value: float) -> str:
    if value == 0:
        return "nível profissional igual ao pedido pela vaga"
    steps = round(value)
    return f"nível profissional a {steps} {'nível' if steps == 1 else 'níveis'} do pedido pela vaga"


def _cv_chars(value: float) -> str:
    return "sem texto de currículo" if value <= 0 else f"currículo com {_count(value)} caracteres"


_SENIORITY = ("júnior", "pleno", "sênior", "especialista", "coordenação ou gerência", "diretoria")


def _seniority(subject: str) -> Callable[[float], str]:
    def describe(value: float) -> str:
        rank = min(max(round(value), 0), len(_SENIORITY) - 1)
        return f"{subject}: {_SENIORITY[rank]}"

    return describe


def _seniority_gap(value: float) -> str:
    if value == 0:
        return "senioridade do currículo igual à pedida pela vaga"
    steps = round(value)
    return f"senioridade do currículo a {steps} {'nível' if steps == 1 else 'níveis'} da pedida"


def _years(value: float) -> str:
    years = round(value)
    return f"{years} {'ano' if years == 1 else 'anos'} de experiência datada no currículo"


@dataclass(frozen=True)
class Term:
    label: str  # short name, as the prompt shows it
    describe: Callable[[float], str]  # the value in words
    keywords: tuple[str, ...]  # lower-case words (or their starts) that refer to it in a text


TERMS: dict[str, Term] = {
    "skill_coverage": Term(
        "competências da vaga cobertas",
        lambda v: f"tem {_percent(v)} das competências técnicas pedidas pela vaga",
        ("competência", "competencia", "habilidade"),
    ),
    "skills_matched": Term(
        "competências em comum",
        lambda v: f"{_count(v)} competências técnicas em comum com a vaga",
        ("competência", "competencia", "habilidade"),
    ),
    "job_skill_count": Term(
        "competências pedidas pela vaga",
        lambda v: f"a vaga pede {_count(v)} competências técnicas",
        ("competência", "competencia", "habilidade"),
    ),
    "applicant_skill_count": Term(
        "competências informadas",
        lambda v: f"informa {_count(v)} competências técnicas",
        ("competência", "competencia", "habilidade"),
    ),
    "skill_jaccard": Term(
        "sobreposição de competências",
        lambda v: f"sobreposição de {_percent(v)} entre as competências do candidato e as da vaga",
        ("competência", "competencia", "habilidade"),
    ),
    "level_gap": Term(
        "distância de nível profissional",
        _level_gap,
        ("nível profissional", "nivel profissional", "senioridade", "sênior", "júnior", "pleno"),
    ),
    "english_ok": Term(
        "inglês atende à vaga",
        _yes_no("inglês atende ao pedido pela vaga", "inglês não atende ao pedido pela vaga"),
        ("inglês", "ingles"),
    ),
    "english_gap": Term(
        "diferença de nível de inglês", lambda v: _gap("inglês", v), ("inglês", "ingles")
    ),
    "spanish_gap": Term(
        "diferença de nível de espanhol", lambda v: _gap("espanhol", v), ("espanhol",)
    ),
    "academic_gap": Term(
        "diferença de formação acadêmica",
        lambda v: _gap("formação acadêmica", v),
        ("formação", "formacao", "acadêmic", "academic", "escolaridade"),
    ),
    "area_match": Term(
        "área de atuação",
        _yes_no("atua em uma das áreas da vaga", "não atua nas áreas da vaga"),
        ("área de atuação", "area de atuacao", "áreas da vaga"),
    ),
    "same_state": Term(
        "mesmo estado",
        _yes_no("está no mesmo estado da vaga", "está em outro estado"),
        ("estado",),
    ),
    "same_city": Term(
        "mesma cidade",
        _yes_no("está na mesma cidade da vaga", "está em outra cidade"),
        ("cidade",),
    ),
    "title_overlap": Term(
        "título profissional",
        lambda v: f"o título profissional cobre {_percent(v)} do título da vaga",
        ("título", "titulo", "cargo"),
    ),
    "knowledge_overlap": Term(
        "conhecimentos citados pela vaga",
        lambda v: f"{_percent(v)} dos conhecimentos informados aparecem na descrição da vaga",
        ("conhecimento",),
    ),
    "cv_chars": Term("tamanho do currículo", _cv_chars, ("currículo", "curriculo", "cv")),
    "cv_readable": Term(
        "currículo legível",
        _yes_no("currículo com texto legível", "currículo sem texto legível"),
        ("currículo", "curriculo", "cv"),
    ),
    "text_similarity": Term(
        "semelhança entre currículo e vaga",
        lambda v: f"o currículo usa {_percent(v)} do vocabulário técnico da vaga, ponderado",
        ("semelhança", "semelhanca", "vocabulário", "vocabulario", "descrição da vaga"),
    ),
    "domain_match": Term(
        "domínio de atuação",
        lambda v: f"a experiência do currículo está {_percent(v)} no domínio da vaga",
        ("domínio", "dominio", "segmento", "especialidade"),
    ),
    "cv_seniority": Term(
        "senioridade do currículo",
        _seniority("senioridade indicada no currículo"),
        ("senioridade", "sênior", "senior", "júnior", "junior", "pleno"),
    ),
    "job_seniority": Term(
        "senioridade da vaga",
        _seniority("senioridade pedida pela vaga"),
        ("senioridade", "nível da vaga", "nivel da vaga"),
    ),
    "seniority_gap": Term(
        "distância de senioridade", _seniority_gap, ("senioridade", "nível", "nivel")
    ),
    "experience_years": Term(
        "anos de experiência", _years, ("experiência", "experiencia", "anos de")
    ),
    "job_clt": Term(
        "vaga CLT",
        _yes_no("a vaga aceita contratação CLT", "a vaga não é CLT"),
        ("clt", "contratação", "contratacao"),
    ),
    "job_pj": Term(
        "vaga PJ",
        _yes_no("a vaga aceita contratação PJ", "a vaga não é PJ"),
        ("pj", "contratação", "contratacao"),
    ),
    "job_hunting": Term(
        "vaga de hunting",
        _yes_no("a vaga é de hunting", "a vaga não é de hunting"),
        ("hunting", "contratação", "contratacao"),
    ),
}


def label_of(feature: str) -> str:
    term = TERMS.get(feature)
    return term.label if term else feature


def describe(feature: str, value: float | None) -> str:
    """The feature's value in words; ``não informado`` when unknown."""
    term = TERMS.get(feature)
    if value is None:
        return f"{label_of(feature)}: não informado"
    if term is None:
        return f"{feature} = {value:g}"
    return term.describe(value)


def keywords_of(feature: str) -> tuple[str, ...]:
    term = TERMS.get(feature)
    return (feature.lower(), *(term.keywords if term else ()))
