"""Per-job and per-applicant profiles: the flat records the feature store holds.

Contract: ``job_profile(record)`` and ``applicant_profile(record, cv_text)`` turn one raw record
(the Decision JSON format) into a flat dict whose keys are exactly ``JOB_PROFILE_FIELDS`` /
``APPLICANT_PROFILE_FIELDS`` and whose values are primitives:

- ``"string"`` fields are always ``str`` (``""`` when unknown); list-valued ones (skills, areas,
  tokens) are sorted and ``";"``-joined,
- ``"integral"`` fields are ``int`` or ``None`` when unknown,
- ``"fractional"`` fields are ``float`` (none today).

Pair features (``features.pairs``) are computed from two profiles only, so serving can rebuild them
from the feature store. The builders are total: a missing section or field reads as unknown
(validation at the boundary is ``features.schema``'s job).

Never read here: personal data (names, e-mails, phones, CPF, birth date, sex, marital status,
address, social links, salary) and the fields that leak the outcome (``comentario``,
``ultima_atualizacao``, the status). ``local`` is read only for its city and state. The CV text
(which holds the applicant's name and contacts) yields only canonical skills, counts of the words
of a fixed lexicon (``features.lexicon``: the trade's vocabulary, no names or places), its
seniority words and dated periods, and its length: no other CV word is stored, so a profile
never carries personal data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from features.lexicon import encode_counts, term_counts
from features.schema import parse_datetime
from features.seniority import cv_seniority, experience_months, seniority_rank
from features.skills import SKILLS, extract_skills_normalized
from features.text import content_tokens, join_values, normalize, tokens

#: profile field -> feature-store type ("string" | "integral" | "fractional")
JOB_PROFILE_FIELDS: MappingProxyType[str, str] = MappingProxyType(
    {
        "title": "string",  # normalised titulo_vaga
        "skills": "string",  # canonical skills in the title, activities and competences
        "skill_count": "integral",
        "level": "string",  # normalised "nivel profissional"
        "level_rank": "integral",  # features.seniority.seniority_rank, None when not a level
        "english_rank": "integral",  # LANGUAGE_RANKS, None when not stated
        "spanish_rank": "integral",
        "academic_rank": "integral",  # academic_rank(), None when not stated
        "areas": "string",  # normalised areas_atuacao
        "state": "string",  # canonical state name (UF codes expanded)
        "city": "string",
        "text_tokens": "string",  # content tokens of title, activities and competences
        "terms": "string",  # lexicon term counts of the same text (features.lexicon)
        "contract": "string",  # normalised tipo_contratacao
    }
)
APPLICANT_PROFILE_FIELDS: MappingProxyType[str, str] = MappingProxyType(
    {
        "title": "string",  # normalised titulo_profissional
        "skills": "string",  # canonical skills in conhecimentos_tecnicos and the readable CV
        "skill_count": "integral",
        "level": "string",  # normalised nivel_profissional
        "level_rank": "integral",
        "english_rank": "integral",
        "spanish_rank": "integral",
        "academic_rank": "integral",
        "areas": "string",  # normalised area_atuacao
        "state": "string",  # from local = "Cidade, Estado"
        "city": "string",
        "cv_chars": "integral",  # length of the normalised CV text, 0 without a readable CV
        "cv_readable": "integral",  # 1 when a CV text was available (cv_pt or a readable file)
        "knowledge_tokens": "string",  # content tokens of title and conhecimentos_tecnicos
        "terms": "string",  # lexicon term counts of title, knowledge and CV (features.lexicon)
        "cv_seniority": "integral",  # highest seniority word of the CV (features.seniority)
        "experience_months": "integral",  # months the CV's dated periods cover
    }
)

#: Language level ranks. "Técnico" (reads technical texts) ranks with "Básico".
LANGUAGE_RANKS: MappingProxyType[str, int] = MappingProxyType(
    {"nenhum": 0, "basico": 1, "tecnico": 1, "intermediario": 2, "avancado": 3, "fluente": 4}
)
# Academic levels, most specific first ("pos graduacao" before "graduacao").
_ACADEMIC_LEVELS: tuple[tuple[str, int], ...] = (
    ("doutorado", 6),
    ("mestrado", 5),
    ("pos graduacao", 4),
    ("pos-graduacao", 4),
    ("especializacao", 4),
    ("mba", 4),
    ("superior", 3),
    ("graduacao", 3),
    ("tecnico", 2),
    ("medio", 1),
    ("fundamental", 0),
)
_UNFINISHED = ("incompleto", "cursando", "trancado")

_STATE_CODES: MappingProxyType[str, str] = MappingProxyType(
    {
        "ac": "acre",
        "al": "alagoas",
        "ap": "amapa",
        "am": "amazonas",
        "ba": "bahia",
        "ce": "ceara",
        "df": "distrito federal",
        "es": "espirito santo",
        "go": "goias",
        "ma": "maranhao",
        "mt": "mato grosso",
        "ms": "mato grosso do sul",
        "mg": "minas gerais",
        "pa": "para",
        "pb": "paraiba",
        "pr": "parana",
        "pe": "pernambuco",
        "pi": "piaui",
        "rj": "rio de janeiro",
        "rn": "rio grande do norte",
        "rs": "rio grande do sul",
        "ro": "rondonia",
        "rr": "roraima",
        "sc": "santa catarina",
        "sp": "sao paulo",
        "se": "sergipe",
        "to": "tocantins",
    }
)
_STATE_NAMES = frozenset(_STATE_CODES.values())


def _section(record: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = record.get(name)
    return section if isinstance(section, Mapping) else {}


def _text(section: Mapping[str, Any], key: str) -> str:
    value = section.get(key)
    return value if isinstance(value, str) else ""


def level_rank(level: str | None) -> int | None:
    """Rank of a professional level (``features.seniority.seniority_rank``); None if unknown."""
    return seniority_rank(level)


def language_rank(level: str | None) -> int | None:
    """Rank of a language level (Nenhum=0 … Fluente=4); None when empty or unknown."""
    return LANGUAGE_RANKS.get(normalize(level))


def academic_rank(level: str | None) -> int | None:
    """``2 * stage + finished`` for an academic level; None when empty or unrecognised.

    Stages: fundamental 0, médio 1, técnico 2, superior 3, pós/MBA 4, mestrado 5, doutorado 6;
    "Incompleto"/"Cursando" count as not finished ("Ensino Superior Completo" = 7,
    "Ensino Superior Cursando" = 6).
    """
    text = normalize(level)
    if not text:
        return None
    for keyword, stage in _ACADEMIC_LEVELS:
        if keyword in text:
            return 2 * stage + (0 if any(word in text for word in _UNFINISHED) else 1)
    return None


def canonical_state(state: str | None) -> str:
    """Normalised state name; two-letter codes expand ("SP" -> "sao paulo"); ``""`` if empty."""
    text = normalize(state)
    return _STATE_CODES.get(text, text)


def parse_areas(areas: str | None) -> frozenset[str]:
    """Normalised area names from "TI - SAP, TI - Projetos-" (comma-separated, trailing "-")."""
    text = normalize(areas)
    if not text:
        return frozenset()
    return frozenset(part for part in (p.strip(" -") for p in text.split(",")) if part)


def parse_local(local: str | None) -> tuple[str, str]:
    """(city, state) from an applicant's ``local`` "Cidade, Estado", normalised.

    Without a comma the value is a state when it names one ("SP", "São Paulo" is taken as the
    state), else a city.
    """
    text = normalize(local)
    if not text:
        return "", ""
    if "," not in text:
        state = canonical_state(text)
        return ("", state) if state in _STATE_NAMES else (text, "")
    city, state = text.rsplit(",", 1)
    return city.strip(" -"), canonical_state(state.strip(" -"))


def job_profile(record: Mapping[str, Any]) -> dict[str, str | int | None]:
    """Profile of one ``vagas.json`` entry; keys are ``JOB_PROFILE_FIELDS``."""
    basic = _section(record, "informacoes_basicas")
    perfil = _section(record, "perfil_vaga")
    title = normalize(_text(basic, "titulo_vaga"))
    competences = normalize(_text(perfil, "competencia_tecnicas_e_comportamentais"))
    activities = normalize(_text(perfil, "principais_atividades"))
    level = normalize(_text(perfil, "nivel profissional") or _text(perfil, "nivel_profissional"))
    text = f"{title} {activities} {competences}"
    skills = extract_skills_normalized(text)
    return {
        "title": title,
        "skills": join_values(skills),
        "skill_count": len(skills),
        "level": level,
        "level_rank": seniority_rank(level),
        "english_rank": language_rank(_text(perfil, "nivel_ingles")),
        "spanish_rank": language_rank(_text(perfil, "nivel_espanhol")),
        "academic_rank": academic_rank(_text(perfil, "nivel_academico")),
        "areas": join_values(parse_areas(_text(perfil, "areas_atuacao"))),
        "state": canonical_state(_text(perfil, "estado")),
        "city": normalize(_text(perfil, "cidade")),
        "text_tokens": join_values(content_tokens(text)),
        "terms": encode_counts(term_counts(text)),
        "contract": normalize(_text(basic, "tipo_contratacao")),
    }


def applicant_cv_text(record: Mapping[str, Any], file_text: str | None = None) -> str:
    """The applicant's CV text: ``cv_pt`` when it has text, else ``file_text`` (or ``""``)."""
    cv_pt = _text(record, "cv_pt")
    if cv_pt.strip():
        return cv_pt
    return file_text or ""


def applicant_profile(
    record: Mapping[str, Any], cv_text: str | None = None
) -> dict[str, str | int | None]:
    """Profile of one ``applicants.json`` entry; keys are ``APPLICANT_PROFILE_FIELDS``.

    ``cv_text`` is the text of the applicant's CV *file* when one was readable (PDF with a text
    layer, DOCX), else ``None``. The CV used is ``cv_pt`` when it has text, else ``cv_text``
    (``applicant_cv_text``); ``cv_en`` is not used.
    """
    basic = _section(record, "infos_basicas")
    professional = _section(record, "informacoes_profissionais")
    education = _section(record, "formacao_e_idiomas")
    title = normalize(_text(professional, "titulo_profissional"))
    knowledge = normalize(_text(professional, "conhecimentos_tecnicos"))
    cv = normalize(applicant_cv_text(record, cv_text))
    level = normalize(_text(professional, "nivel_profissional"))
    cv_tokens = tokens(cv)
    cv_terms = term_counts(cv, cv_tokens)
    skills = extract_skills_normalized(knowledge) | SKILLS.intersection(cv_terms)
    city, state = parse_local(_text(basic, "local"))
    cv_date = applicant_event_time(record)
    return {
        "title": title,
        "skills": join_values(skills),
        "skill_count": len(skills),
        "level": level,
        "level_rank": seniority_rank(level),
        "english_rank": language_rank(_text(education, "nivel_ingles")),
        "spanish_rank": language_rank(_text(education, "nivel_espanhol")),
        "academic_rank": academic_rank(_text(education, "nivel_academico")),
        "areas": join_values(parse_areas(_text(professional, "area_atuacao"))),
        "state": state,
        "city": city,
        "cv_chars": len(cv),
        "cv_readable": int(bool(cv)),
        "knowledge_tokens": join_values(content_tokens(f"{title} {knowledge}")),
        "terms": encode_counts(cv_terms + term_counts(f"{title} {knowledge}")),
        "cv_seniority": cv_seniority(cv, cv_tokens),
        "experience_months": experience_months(cv, cv_date.date() if cv_date else None),
    }


def _first_known_datetime(section: Mapping[str, Any], keys: tuple[str, ...]) -> datetime | None:
    for key in keys:
        try:
            parsed = parse_datetime(_text(section, key))
        except ValueError:
            continue
        if parsed is not None:
            return parsed
    return None


def job_event_time(record: Mapping[str, Any]) -> datetime | None:
    """When the job's profile became valid: ``data_requicisao``; None when unknown."""
    return _first_known_datetime(_section(record, "informacoes_basicas"), ("data_requicisao",))


def applicant_event_time(record: Mapping[str, Any]) -> datetime | None:
    """When the applicant's profile became valid: ``data_atualizacao``, else ``data_criacao``."""
    return _first_known_datetime(
        _section(record, "infos_basicas"), ("data_atualizacao", "data_criacao")
    )
