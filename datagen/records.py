"""Record builders: one job, one applicant, one application, in the exact Decision format.

Builders are pure apart from the ``numpy.random.Generator`` they are given: they take it and a few
decided facts (code, profile, status) and return plain dicts ready for ``json.dumps``. The
malformers at the end turn a good record into a realistic broken one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from datagen import texts
from datagen.draw import (
    chance,
    fmt_date,
    fmt_datetime,
    pick,
    pick_weighted,
    random_date,
    random_time,
    sample,
)
from datagen.people import fake_company, fake_cpf, fake_email, fake_landline, fake_mobile, fake_name
from datagen.vocab import (
    ACADEMIC_LEVELS,
    ACADEMIC_WEIGHTS,
    APPLICANT_ENGLISH,
    APPLICANT_LEVELS,
    AREA_SAP,
    BUY_VALUES,
    CERTIFICATIONS,
    COMMENTS_HIRE,
    COMMENTS_OPEN,
    COMMENTS_REJECT,
    COMPANY_ROLES,
    CONTRACT_TYPES,
    CONTRACT_WEIGHTS,
    COURSES,
    CV_OBJECTIVES,
    DEADLINES,
    DIVISIONS,
    EQUIPMENT,
    INSTITUTIONS,
    IT_AREAS,
    JOB_ENGLISH,
    JOB_LEVELS,
    MARITAL,
    MODALITIES,
    NEIGHBOURHOODS,
    OBJECTIVES,
    OBSERVATIONS,
    ORIGINS,
    OTHER_AREAS,
    OTHER_LANGUAGES,
    OTHER_TITLES,
    PRIORITIES,
    PROFILES,
    REFERRALS,
    REGIONS,
    SALARIES,
    SALE_VALUES,
    SCHEDULES,
    SEXES,
    SKILLS,
    SOURCES,
    SPANISH,
    STATE_CODES,
    STATE_NAMES,
    STATE_WEIGHTS,
    STATES,
    TRAVEL,
)

#: Window of job requisition dates; applications follow within a month.
REQUISITION_START = dt.date(2018, 12, 1)
REQUISITION_END = dt.date(2024, 12, 1)
#: Window of application dates (``data_candidatura``).
APPLICATION_START = dt.date(2019, 1, 1)
APPLICATION_END = dt.date(2024, 12, 31)

#: Value of ``data_aceite`` for applicants registered before consent was recorded.
ACCEPT_BEFORE = "Cadastro anterior ao registro de aceite"
NO_DATE = "00-00-0000"
NO_BIRTH_DATE = "0000-00-00"


def _state(rng: np.random.Generator) -> str:
    return STATE_NAMES[int(rng.choice(len(STATE_NAMES), p=_STATE_P))]


_STATE_P = np.asarray(STATE_WEIGHTS) / sum(STATE_WEIGHTS)


def _contract_type(rng: np.random.Generator) -> str:
    if chance(rng, 0.06):
        return ""
    pairs = list(zip(CONTRACT_TYPES, CONTRACT_WEIGHTS, strict=True))
    first = pick_weighted(rng, pairs)
    if chance(rng, 0.2):
        second = pick_weighted(rng, [(c, w) for c, w in pairs if c != first])
        return f"{first}, {second}"
    return first


def job_skills(rng: np.random.Generator, profile: str) -> list[str]:
    """3 to 6 required skills, mostly from the profile, sometimes one from elsewhere."""
    pool = list(PROFILES[profile]["skills"])
    k = int(rng.integers(3, 7))
    chosen = sample(rng, pool, k)
    if chance(rng, 0.25):
        outside = [s for s in SKILLS if s not in chosen]
        extra = pick(rng, outside)
        if len(chosen) >= 6 or (len(chosen) > 3 and chance(rng, 0.5)):
            chosen[-1] = extra
        else:
            chosen.append(extra)
    return chosen


def build_job(rng: np.random.Generator, profile: str, staff: Sequence[str]) -> dict:
    """One ``vagas.json`` value for a job of ``profile`` (a key of ``vocab.PROFILES``)."""
    spec = PROFILES[profile]
    requested = random_date(rng, REQUISITION_START, REQUISITION_END)
    if chance(rng, 0.6):
        deadline = NO_DATE
    else:
        deadline = fmt_date(requested + dt.timedelta(days=int(rng.integers(7, 90))))
    level = pick_weighted(rng, JOB_LEVELS)
    title = pick(rng, spec["titles"])
    if level in ("Júnior", "Pleno", "Sênior") and chance(rng, 0.4):
        title = f"{title} {level}"
    areas = [spec["area"]]
    if chance(rng, 0.15):
        areas.append(pick(rng, [a for a in IT_AREAS if a != spec["area"]]))
    state = "" if chance(rng, 0.02) else _state(rng)
    city = pick(rng, STATES[state][1]) if state else ""
    lang = "en" if chance(rng, 0.25) else "pt"
    skills = job_skills(rng, profile)
    activity_skills = sample(rng, skills, int(rng.integers(0, 3)))
    contact = chance(rng, 0.15)
    age = "De: Até:" if chance(rng, 0.85) else f"De: {int(rng.integers(18, 30))} Até: 55"
    return {
        "informacoes_basicas": {
            "data_requicisao": fmt_date(requested),
            "limite_esperado_para_contratacao": deadline,
            "titulo_vaga": title,
            "vaga_sap": "Sim" if spec["area"] == AREA_SAP else "Não",
            "cliente": fake_company(rng),
            "solicitante_cliente": fake_name(rng) if chance(rng, 0.7) else "",
            "empresa_divisao": pick(rng, DIVISIONS),
            "requisitante": pick(rng, staff),
            "analista_responsavel": pick(rng, staff),
            "tipo_contratacao": _contract_type(rng),
            "prazo_contratacao": pick(rng, DEADLINES),
            "objetivo_vaga": pick(rng, OBJECTIVES),
            "prioridade_vaga": pick(rng, PRIORITIES),
            "origem_vaga": pick(rng, ORIGINS),
            "superior_imediato": "Superior Imediato:" if chance(rng, 0.3) else "",
            "nome": fake_name(rng) if contact else "",
            "telefone": fake_landline(rng, state) if contact else "",
        },
        "perfil_vaga": {
            "pais": "Brasil",
            "estado": state,
            "cidade": city,
            "bairro": pick(rng, NEIGHBOURHOODS) if chance(rng, 0.2) else "",
            "regiao": pick(rng, REGIONS),
            "local_trabalho": pick(rng, ("2000", "1000", "")),
            "vaga_especifica_para_pcd": "Sim" if chance(rng, 0.05) else "Não",
            "faixa_etaria": age,
            "horario_trabalho": pick(rng, SCHEDULES),
            "nivel profissional": level,
            "nivel_academico": "" if chance(rng, 0.1) else pick(rng, ACADEMIC_LEVELS[:7]),
            "nivel_ingles": pick_weighted(rng, JOB_ENGLISH),
            "nivel_espanhol": pick_weighted(rng, SPANISH),
            "outro_idioma": "",
            "areas_atuacao": ", ".join(areas),
            "principais_atividades": texts.job_activities_text(rng, activity_skills, lang),
            "competencia_tecnicas_e_comportamentais": texts.job_requirements_text(
                rng, skills, lang
            ),
            "demais_observacoes": pick(rng, OBSERVATIONS),
            "viagens_requeridas": pick(rng, TRAVEL),
            "equipamentos_necessarios": pick(rng, EQUIPMENT),
        },
        "beneficios": {
            "valor_venda": pick(rng, SALE_VALUES),
            "valor_compra_1": pick(rng, BUY_VALUES),
            "valor_compra_2": pick(rng, ("", "-", "")),
        },
    }


def applicant_skills(rng: np.random.Generator, profile: str | None) -> list[str]:
    """The skills an applicant holds: most of the profile's, sometimes one from elsewhere."""
    if profile is None:
        return sample(rng, ("excel", "power bi", "salesforce", "sql"), int(rng.integers(0, 3)))
    pool = list(PROFILES[profile]["skills"])
    held = [s for s in pool if chance(rng, 0.65)]
    if len(held) < 2:
        held = sample(rng, pool, 2)
    if chance(rng, 0.3):
        held.append(pick(rng, [s for s in SKILLS if s not in held]))
    order = rng.permutation(len(held))
    return [held[int(i)] for i in order]


@dataclass(frozen=True)
class ApplicantDraft:
    """An ``applicants.json`` value plus its CV text in original case (for CV files)."""

    record: dict
    cv_text: str


def build_applicant(
    rng: np.random.Generator, code: str, profile: str | None, staff: Sequence[str]
) -> ApplicantDraft:
    """One applicant of ``profile`` (None: a non-IT applicant). ``cv_pt`` holds the CV."""
    name = fake_name(rng)
    email = fake_email(rng, name)
    state = _state(rng)
    city = pick(rng, STATES[state][1])
    created = random_date(rng, dt.date(2015, 1, 1), APPLICATION_END)
    updated = min(created + dt.timedelta(days=int(rng.integers(0, 400))), APPLICATION_END)
    updated = max(updated, created)
    if profile is None:
        area = pick(rng, OTHER_AREAS)
        title = pick(rng, OTHER_TITLES)
    else:
        area = "" if chance(rng, 0.08) else PROFILES[profile]["area"]
        title = pick(rng, PROFILES[profile]["titles"])
    level = pick_weighted(rng, APPLICANT_LEVELS)
    english = pick_weighted(rng, APPLICANT_ENGLISH)
    spanish = pick_weighted(rng, SPANISH)
    academic = ACADEMIC_LEVELS[int(rng.choice(len(ACADEMIC_LEVELS), p=_ACADEMIC_P))]
    course, institution = pick(rng, tuple(COURSES)), pick(rng, INSTITUTIONS)
    graduation = int(rng.integers(1995, 2025))
    held = applicant_skills(rng, profile)
    known = [] if chance(rng, 0.35) else [s for s in held if chance(rng, 0.7)] or held[:1]
    mobile = fake_mobile(rng, state)
    if chance(rng, 0.04):
        cv, cv_skills = "", []
    else:
        cv_skills = [s for s in held if chance(rng, 0.9)] or held[:1]
        cv = texts.cv_text(
            rng,
            name=name,
            city=city,
            state_code=STATE_CODES[state],
            email=email,
            phone=mobile,
            objective=pick(rng, CV_OBJECTIVES),
            skills=cv_skills,
            companies=[fake_company(rng) for _ in range(int(rng.integers(1, 5)))],
            course=course,
            institution=institution,
            graduation_year=graduation,
            english=english,
            spanish=spanish,
        )
    cv_en = texts.cv_en_text(rng, name=name, skills=cv_skills) if cv and chance(rng, 0.2) else ""
    accepted = ACCEPT_BEFORE if chance(rng, 0.3) else fmt_datetime(updated, random_time(rng))
    born = (
        NO_BIRTH_DATE
        if chance(rng, 0.6)
        else fmt_date(random_date(rng, dt.date(1962, 1, 1), dt.date(2003, 12, 31)))
    )
    education = {
        "nivel_academico": academic,
        "nivel_ingles": english,
        "nivel_espanhol": spanish,
        "outro_idioma": pick(rng, OTHER_LANGUAGES) if chance(rng, 0.12) else "-",
    }
    if chance(rng, 0.6):
        education |= {
            "instituicao_ensino_superior": institution,
            "cursos": course,
            "ano_conclusao": str(graduation) if chance(rng, 0.8) else "0",
        }
    if chance(rng, 0.25):
        current = {
            "id_ibrati": str(int(rng.integers(1000, 9999))),
            "email_corporativo": "",
            "cargo_atual": pick(rng, COMPANY_ROLES),
            "projeto_atual": "",
            "cliente": fake_company(rng),
            "unidade": pick(rng, DIVISIONS),
            "data_admissao": fmt_date(random_date(rng, dt.date(2016, 1, 1), APPLICATION_END)),
            "data_ultima_promocao": "",
            "nome_superior_imediato": "",
            "email_superior_imediato": "",
        }
    else:
        current = {}
    record = {
        "infos_basicas": {
            "telefone_recado": "",
            "telefone": mobile,
            "objetivo_profissional": title if chance(rng, 0.7) else "",
            "data_criacao": fmt_datetime(created, random_time(rng)),
            "data_atualizacao": fmt_datetime(updated, random_time(rng)),
            "inserido_por": pick(rng, staff),
            "email": email,
            "local": "" if chance(rng, 0.05) else f"{city}, {state}",
            "sabendo_de_nos_por": pick(rng, SOURCES),
            "codigo_profissional": code,
            "nome": name,
        },
        "informacoes_pessoais": {
            "data_aceite": accepted,
            "nome": name,
            "cpf": fake_cpf(rng) if chance(rng, 0.5) else "",
            "fonte_indicacao": pick(rng, REFERRALS),
            "email": email,
            "email_secundario": "" if chance(rng, 0.85) else fake_email(rng, name),
            "data_nascimento": born,
            "telefone_celular": mobile,
            "telefone_recado": fake_landline(rng, state) if chance(rng, 0.2) else "",
            "sexo": pick(rng, SEXES),
            "estado_civil": pick(rng, MARITAL),
            "pcd": pick(rng, ("Não", "Não", "Não", "Sim", "")),
            "endereco": "" if chance(rng, 0.5) else city.lower(),
            "skype": "",
            "url_linkedin": f"https://www.linkedin.com/in/exemplo-{code}"
            if chance(rng, 0.3)
            else "",
            "facebook": "",
        },
        "informacoes_profissionais": {
            "titulo_profissional": title,
            "area_atuacao": area,
            "conhecimentos_tecnicos": texts.skills_list_text(rng, known),
            "certificacoes": ", ".join(sample(rng, CERTIFICATIONS, int(rng.integers(1, 3))))
            if chance(rng, 0.2)
            else "",
            "outras_certificacoes": "",
            "remuneracao": pick(rng, SALARIES),
            "nivel_profissional": level,
        },
        "formacao_e_idiomas": education,
        "cargo_atual": current,
        "cv_pt": cv.lower(),
        "cv_en": cv_en,
    }
    return ApplicantDraft(record=record, cv_text=cv)


_ACADEMIC_P = np.asarray(ACADEMIC_WEIGHTS) / sum(ACADEMIC_WEIGHTS)

#: Outcome kinds of an application, for the comment it gets.
HIRE, REJECT, OPEN = "hire", "reject", "open"


def build_prospect(
    rng: np.random.Generator,
    *,
    codigo: str,
    nome: str,
    situacao: str,
    outcome: str,
    applied_on: dt.date,
    staff: Sequence[str],
) -> dict:
    """One element of a job's ``prospects`` list."""
    comments = {HIRE: COMMENTS_HIRE, REJECT: COMMENTS_REJECT, OPEN: COMMENTS_OPEN}[outcome]
    updated = applied_on + dt.timedelta(days=int(rng.integers(1, 121)))
    return {
        "nome": nome,
        "codigo": codigo,
        "situacao_candidado": situacao,
        "data_candidatura": fmt_date(applied_on),
        "ultima_atualizacao": fmt_date(updated),
        "comentario": pick(rng, comments),
        "recrutador": pick(rng, staff),
    }


def build_prospects_entry(rng: np.random.Generator, titulo: str, prospects: list[dict]) -> dict:
    """One ``prospects.json`` value: the job title, its modality and its applications."""
    return {"titulo": titulo, "modalidade": pick(rng, MODALITIES), "prospects": prospects}


# --- malformed records -----------------------------------------------------------------------

#: The kinds of malformation, cycled through in this order.
JOB_MALFORMATIONS = ("missing_perfil_vaga",)
APPLICANT_MALFORMATIONS = ("missing_infos_basicas", "null_value", "string_value")
PROSPECT_MALFORMATIONS = ("empty_data_candidatura", "invalid_data_candidatura", "missing_codigo")


def malform_job(job: dict) -> dict:
    """The job without its ``perfil_vaga`` section."""
    return {k: v for k, v in job.items() if k != "perfil_vaga"}


def malform_applicant(record: dict, kind: str) -> object:
    """A broken applicant value: no ``infos_basicas``, ``null``, or a bare string."""
    if kind == "missing_infos_basicas":
        return {k: v for k, v in record.items() if k != "infos_basicas"}
    if kind == "null_value":
        return None
    if kind == "string_value":
        return ""
    raise ValueError(f"unknown applicant malformation {kind!r}")


def malform_prospect(prospect: dict, kind: str) -> dict:
    """A broken application: empty or impossible ``data_candidatura``, or no ``codigo``."""
    if kind == "empty_data_candidatura":
        return prospect | {"data_candidatura": ""}
    if kind == "invalid_data_candidatura":
        year = prospect["data_candidatura"][-4:] or "2021"
        return prospect | {"data_candidatura": f"31-13-{year}"}
    if kind == "missing_codigo":
        return {k: v for k, v in prospect.items() if k != "codigo"}
    raise ValueError(f"unknown prospect malformation {kind!r}")
