import copy
from datetime import datetime

import pytest

from features import APPLICANT_PROFILE_FIELDS, JOB_PROFILE_FIELDS, applicant_profile, job_profile
from features.profiles import (
    academic_rank,
    applicant_event_time,
    canonical_state,
    job_event_time,
    language_rank,
    level_rank,
    parse_areas,
    parse_local,
)

JOB = {
    "informacoes_basicas": {
        "data_requicisao": "04-05-2021",
        "limite_esperado_para_contratacao": "00-00-0000",
        "titulo_vaga": "Desenvolvedor Java Sênior",
        "vaga_sap": "Não",
        "cliente": "Cliente Secreto SA",
        "solicitante_cliente": "Maria Souza",
        "requisitante": "João Lima",
        "analista_responsavel": "Ana Paula",
        "tipo_contratacao": "CLT Full",
        "nome": "Fulano Requisitante",
        "telefone": "(11) 99999-0000",
    },
    "perfil_vaga": {
        "pais": "Brasil",
        "estado": "São Paulo",
        "cidade": "São Paulo",
        "bairro": "Centro",
        "nivel profissional": "Sênior",
        "nivel_academico": "Ensino Superior Completo",
        "nivel_ingles": "Avançado",
        "nivel_espanhol": "",
        "areas_atuacao": "TI - Desenvolvimento/Programação-, TI - Projetos-",
        "principais_atividades": "- Desenvolver APIs;\n- Sustentação de sistemas",
        "competencia_tecnicas_e_comportamentais": "Requisitos:\n- Java, SQL Server;\n- Docker",
        "faixa_etaria": "De: 20 Até: 40",
        "vaga_especifica_para_pcd": "Não",
    },
    "beneficios": {"valor_venda": "-", "valor_compra_1": "R$", "valor_compra_2": ""},
}

APPLICANT = {
    "infos_basicas": {
        "telefone_recado": "",
        "telefone": "(11) 98888-7777",
        "objetivo_profissional": "Desenvolvedor",
        "data_criacao": "10-11-2020 07:29:49",
        "data_atualizacao": "15-01-2021 10:00:00",
        "inserido_por": "Recrutadora Um",
        "email": "carlos.pereira@example.com",
        "local": "Campinas, São Paulo",
        "sabendo_de_nos_por": "Outros",
        "codigo_profissional": "31000",
        "nome": "Carlos Pereira",
    },
    "informacoes_pessoais": {
        "data_aceite": "Cadastro anterior ao registro de aceite",
        "nome": "Carlos Pereira",
        "cpf": "123.456.789-00",
        "email": "carlos.pereira@example.com",
        "email_secundario": "",
        "data_nascimento": "01-02-1990",
        "telefone_celular": "(11) 98888-7777",
        "sexo": "Masculino",
        "estado_civil": "Casado",
        "pcd": "Não",
        "endereco": "Rua das Flores 10",
        "skype": "carlos.p",
        "url_linkedin": "linkedin.com/in/carlos",
        "facebook": "",
    },
    "informacoes_profissionais": {
        "titulo_profissional": "Desenvolvedor Java",
        "area_atuacao": "TI - Desenvolvimento/Programação",
        "conhecimentos_tecnicos": "Java, Git",
        "certificacoes": "",
        "remuneracao": "10000",
        "nivel_profissional": "Pleno",
    },
    "formacao_e_idiomas": {
        "nivel_academico": "Pós Graduação Cursando",
        "nivel_ingles": "Fluente",
        "nivel_espanhol": "Básico",
        "outro_idioma": "-",
    },
    "cargo_atual": {},
    "cv_pt": "carlos pereira\nexperiência com python e docker",
    "cv_en": "",
}

PERSONAL_AND_LEAKY_KEYS = {
    "nome",
    "email",
    "telefone",
    "cpf",
    "data_nascimento",
    "sexo",
    "endereco",
    "estado_civil",
    "comentario",
    "ultima_atualizacao",
    "situacao_candidado",
    "remuneracao",
}


def test_job_profile_has_exactly_the_declared_fields():
    profile = job_profile(JOB)
    assert list(profile) == list(JOB_PROFILE_FIELDS)
    assert profile == {
        "title": "desenvolvedor java senior",
        "skills": "docker;java;sql",
        "skill_count": 3,
        "level": "senior",
        "level_rank": 2,
        "english_rank": 3,
        "spanish_rank": None,
        "academic_rank": 7,
        "areas": "ti - desenvolvimento/programacao;ti - projetos",
        "state": "sao paulo",
        "city": "sao paulo",
        "text_tokens": profile["text_tokens"],
        "terms": "apis:1;desenvolvedor:1;docker:1;java:2;server:1;sql:1",
        "contract": "clt full",
    }
    assert {"desenvolver", "apis", "java", "docker"} <= set(profile["text_tokens"].split(";"))


def test_applicant_profile_has_exactly_the_declared_fields():
    profile = applicant_profile(APPLICANT)
    assert list(profile) == list(APPLICANT_PROFILE_FIELDS)
    assert profile == {
        "title": "desenvolvedor java",
        "skills": "docker;git;java;python",
        "skill_count": 4,
        "level": "pleno",
        "level_rank": 1,
        "english_rank": 4,
        "spanish_rank": 1,
        "academic_rank": 8,
        "areas": "ti - desenvolvimento/programacao",
        "state": "sao paulo",
        "city": "campinas",
        "cv_chars": len("carlos pereira experiencia com python e docker"),
        "cv_readable": 1,
        "knowledge_tokens": "desenvolvedor;git;java",
        "terms": "desenvolvedor:1;docker:1;git:1;java:2;python:1",
        "cv_seniority": None,
        "experience_months": None,
    }


def test_declared_field_types_are_feature_store_types():
    kinds = set(JOB_PROFILE_FIELDS.values()) | set(APPLICANT_PROFILE_FIELDS.values())
    assert kinds <= {"string", "integral", "fractional"}


def test_profile_values_match_their_declared_types():
    for profile, fields in (
        (job_profile(JOB), JOB_PROFILE_FIELDS),
        (applicant_profile(APPLICANT), APPLICANT_PROFILE_FIELDS),
        (job_profile({}), JOB_PROFILE_FIELDS),
        (applicant_profile({}), APPLICANT_PROFILE_FIELDS),
    ):
        for name, kind in fields.items():
            value = profile[name]
            if kind == "string":
                assert isinstance(value, str), name
            else:
                assert value is None or isinstance(value, int), name


def test_profiles_never_carry_personal_or_leaky_keys_or_values():
    job, applicant = job_profile(JOB), applicant_profile(APPLICANT)
    assert not PERSONAL_AND_LEAKY_KEYS & (set(job) | set(applicant))
    values = " ".join(str(v) for v in (*job.values(), *applicant.values()))
    for secret in ("carlos", "pereira", "example", "123.456", "98888", "flores", "1990", "10000"):
        assert secret not in values


def _scramble_personal_data(record):
    record = copy.deepcopy(record)
    for section in record.values():
        if isinstance(section, dict):
            for key in list(section):
                if key in PERSONAL_AND_LEAKY_KEYS or key.startswith(("email", "telefone", "url")):
                    section[key] = "Zé Ninguém zz@zz.zz (00) 0000-0000"
    record["informacoes_pessoais"] = {"nome": "outra pessoa", "cpf": "000"}
    record["cargo_atual"] = {"cliente": "outro"}
    record["cv_en"] = "english cv with python and java"
    record["infos_basicas"]["data_criacao"] = "01-01-2000 00:00:00"
    return record


def test_changing_personal_data_changes_nothing():
    assert applicant_profile(_scramble_personal_data(APPLICANT)) == applicant_profile(APPLICANT)
    job = copy.deepcopy(JOB)
    for key in ("nome", "telefone", "solicitante_cliente", "requisitante", "cliente"):
        job["informacoes_basicas"][key] = "Outra Pessoa"
    job["informacoes_basicas"]["data_requicisao"] = "01-01-2000"
    assert job_profile(job) == job_profile(JOB)


def test_cv_pt_wins_over_the_file_text():
    profile = applicant_profile(APPLICANT, "cv em arquivo com kubernetes")
    assert "kubernetes" not in profile["skills"]


def test_file_text_is_the_cv_when_cv_pt_is_empty():
    record = {**APPLICANT, "cv_pt": "  \n"}
    with_file = applicant_profile(record, "Experiência com Kubernetes e Power BI")
    assert with_file["skills"] == "git;java;kubernetes;power bi"
    assert with_file["cv_readable"] == 1
    assert with_file["cv_chars"] == len("experiencia com kubernetes e power bi")
    without = applicant_profile(record, None)
    assert without["skills"] == "git;java"
    assert (without["cv_readable"], without["cv_chars"]) == (0, 0)


def test_builders_are_total_on_missing_sections():
    assert job_profile({})["level_rank"] is None
    profile = applicant_profile({"cv_pt": "java"})
    assert profile["skills"] == "java"
    assert profile["state"] == ""


@pytest.mark.parametrize(
    ("value", "rank"),
    [
        ("Júnior", 0),
        ("Pleno", 1),
        ("Sênior", 2),
        ("Especialista", 3),
        ("Analista", 1),
        ("Analista Sênior", 2),
        ("Assistente", 0),
        ("Técnico de Nível Médio", 1),
        ("Líder", 3),
        ("Supervisor", 3),
        ("Coordenador", 4),
        ("Gerente", 4),
        ("Diretor", 5),
        ("Auxiliar", 0),
        ("Outro", None),
        ("", None),
    ],
)
def test_every_published_level_is_ranked(value, rank):
    assert level_rank(value) == rank


@pytest.mark.parametrize(
    ("value", "rank"),
    [
        ("Nenhum", 0),
        ("Básico", 1),
        ("Técnico", 1),
        ("Intermediário", 2),
        ("Avançado", 3),
        ("Fluente", 4),
        ("", None),
    ],
)
def test_language_ranks(value, rank):
    assert language_rank(value) == rank


def test_academic_ranks_order_levels_and_completion():
    ranks = [
        academic_rank(level)
        for level in (
            "Ensino Fundamental Completo",
            "Ensino Médio Incompleto",
            "Ensino Médio Completo",
            "Ensino Técnico Completo",
            "Ensino Superior Cursando",
            "Ensino Superior Completo",
            "Pós Graduação Completo",
            "Mestrado Completo",
            "Doutorado Completo",
        )
    ]
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == len(ranks)
    assert academic_rank("") is None
    assert academic_rank("Outro") is None


def test_places_areas_and_states_are_normalised():
    assert parse_local("São José dos Campos, São Paulo") == ("sao jose dos campos", "sao paulo")
    assert parse_local("Niterói, RJ") == ("niteroi", "rio de janeiro")
    assert parse_local("Bahia") == ("", "bahia")
    assert parse_local("Paulínia") == ("paulinia", "")
    assert parse_local("") == ("", "")
    assert canonical_state("SP") == canonical_state("São Paulo") == "sao paulo"
    assert parse_areas("TI - SAP-, TI - Projetos-") == {"ti - sap", "ti - projetos"}
    assert parse_areas("") == frozenset()


def test_event_times_come_from_the_record_dates():
    assert job_event_time(JOB) == datetime(2021, 5, 4)
    assert applicant_event_time(APPLICANT) == datetime(2021, 1, 15, 10, 0, 0)
    record = copy.deepcopy(APPLICANT)
    record["infos_basicas"]["data_atualizacao"] = ""
    assert applicant_event_time(record) == datetime(2020, 11, 10, 7, 29, 49)
    assert applicant_event_time({}) is None
    assert job_event_time({"informacoes_basicas": {"data_requicisao": "00-00-0000"}}) is None
