"""The written files follow the Decision format of decision-format.md, messiness included."""

from __future__ import annotations

import datetime as dt
import re

from datagen.people import is_valid_cpf
from datagen.vocab import HIRE_STATUSES, IN_PROGRESS_STATUSES, REJECT_STATUSES
from tests.datagen.conftest import Run

JOB_KEYS = {
    "informacoes_basicas": {
        "data_requicisao", "limite_esperado_para_contratacao", "titulo_vaga", "vaga_sap",
        "cliente", "solicitante_cliente", "empresa_divisao", "requisitante",
        "analista_responsavel", "tipo_contratacao", "prazo_contratacao", "objetivo_vaga",
        "prioridade_vaga", "origem_vaga", "superior_imediato", "nome", "telefone",
    },
    "perfil_vaga": {
        "pais", "estado", "cidade", "bairro", "regiao", "local_trabalho",
        "vaga_especifica_para_pcd", "faixa_etaria", "horario_trabalho", "nivel profissional",
        "nivel_academico", "nivel_ingles", "nivel_espanhol", "outro_idioma", "areas_atuacao",
        "principais_atividades", "competencia_tecnicas_e_comportamentais", "demais_observacoes",
        "viagens_requeridas", "equipamentos_necessarios",
    },
    "beneficios": {"valor_venda", "valor_compra_1", "valor_compra_2"},
}  # fmt: skip
APPLICANT_KEYS = {
    "infos_basicas": {
        "telefone_recado", "telefone", "objetivo_profissional", "data_criacao",
        "data_atualizacao", "inserido_por", "email", "local", "sabendo_de_nos_por",
        "codigo_profissional", "nome",
    },
    "informacoes_pessoais": {
        "data_aceite", "nome", "cpf", "fonte_indicacao", "email", "email_secundario",
        "data_nascimento", "telefone_celular", "telefone_recado", "sexo", "estado_civil", "pcd",
        "endereco", "skype", "url_linkedin", "facebook",
    },
    "informacoes_profissionais": {
        "titulo_profissional", "area_atuacao", "conhecimentos_tecnicos", "certificacoes",
        "outras_certificacoes", "remuneracao", "nivel_profissional",
    },
}  # fmt: skip
EDUCATION_KEYS = {"nivel_academico", "nivel_ingles", "nivel_espanhol", "outro_idioma"}
EDUCATION_OPTIONAL = {"instituicao_ensino_superior", "cursos", "ano_conclusao"}
PROSPECT_KEYS = {
    "nome", "codigo", "situacao_candidado", "data_candidatura", "ultima_atualizacao",
    "comentario", "recrutador",
}  # fmt: skip
DATE = re.compile(r"^\d{2}-\d{2}-\d{4}$")
DATETIME = re.compile(r"^\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}$")


def _date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d-%m-%Y").date()


def _good_jobs(run: Run) -> dict:
    return {k: v for k, v in run.jobs.items() if "perfil_vaga" in v}


def _good_applicants(run: Run) -> dict:
    return {k: v for k, v in run.applicants.items() if isinstance(v, dict) and "infos_basicas" in v}


def _prospects(run: Run) -> list[dict]:
    return [p for entry in run.prospects.values() for p in entry["prospects"]]


def _good_prospects(run: Run) -> list[dict]:
    return [
        p for p in _prospects(run)
        if "codigo" in p and DATE.match(p["data_candidatura"])
        and 1 <= int(p["data_candidatura"][3:5]) <= 12
    ]  # fmt: skip


def test_files_are_json_objects_keyed_by_numeric_id_strings(small_run: Run) -> None:
    for name in ("jobs", "applicants", "prospects"):
        content = getattr(small_run, name)
        assert isinstance(content, dict) and content
        assert all(isinstance(k, str) and k.isdigit() for k in content)
    assert set(small_run.prospects) == set(small_run.jobs)


def test_json_is_utf8_with_accents_unescaped(small_run: Run) -> None:
    raw = (small_run.out / "vagas.json").read_text(encoding="utf-8")
    assert "Não" in raw and "\\u00e3" not in raw


def test_job_records_have_every_documented_key(small_run: Run) -> None:
    for job in _good_jobs(small_run).values():
        assert set(job) == set(JOB_KEYS)
        for section, keys in JOB_KEYS.items():
            assert set(job[section]) == keys
        assert "nivel_profissional" not in job["perfil_vaga"]


def test_applicant_records_have_every_documented_key(small_run: Run) -> None:
    for code, applicant in _good_applicants(small_run).items():
        assert set(applicant) == {
            *APPLICANT_KEYS,
            "formacao_e_idiomas",
            "cargo_atual",
            "cv_pt",
            "cv_en",
        }
        for section, keys in APPLICANT_KEYS.items():
            assert set(applicant[section]) == keys
        education = set(applicant["formacao_e_idiomas"])
        assert EDUCATION_KEYS <= education <= EDUCATION_KEYS | EDUCATION_OPTIONAL
        assert applicant["infos_basicas"]["codigo_profissional"] == code


def test_prospect_entries_hold_title_modality_and_a_list(small_run: Run) -> None:
    for code, entry in small_run.prospects.items():
        assert set(entry) == {"titulo", "modalidade", "prospects"}
        assert isinstance(entry["prospects"], list)
        assert entry["titulo"] == small_run.jobs[code]["informacoes_basicas"]["titulo_vaga"]
    for p in _prospects(small_run):
        assert set(p) - {"codigo"} == PROSPECT_KEYS - {"codigo"}


def test_dates_are_day_month_year(small_run: Run) -> None:
    for job in small_run.jobs.values():
        basics = job["informacoes_basicas"]
        assert DATE.match(basics["data_requicisao"])
        assert DATE.match(basics["limite_esperado_para_contratacao"])
    for applicant in _good_applicants(small_run).values():
        assert DATETIME.match(applicant["infos_basicas"]["data_criacao"])
        assert DATETIME.match(applicant["infos_basicas"]["data_atualizacao"])
        born = applicant["informacoes_pessoais"]["data_nascimento"]
        assert born == "0000-00-00" or DATE.match(born)
    for p in _good_prospects(small_run):
        applied, updated = _date(p["data_candidatura"]), _date(p["ultima_atualizacao"])
        assert dt.date(2019, 1, 1) <= applied <= dt.date(2024, 12, 31)
        assert updated > applied


def test_application_dates_spread_over_the_whole_window(small_run: Run) -> None:
    years = {_date(p["data_candidatura"]).year for p in _good_prospects(small_run)}
    assert years == set(range(2019, 2025))


def test_messiness_of_the_real_data_is_present(small_run: Run) -> None:
    jobs = list(_good_jobs(small_run).values())
    applicants = list(_good_applicants(small_run).values())
    limits = [j["informacoes_basicas"]["limite_esperado_para_contratacao"] for j in jobs]
    assert 0.3 < limits.count("00-00-0000") / len(limits) < 0.9
    assert any(v == "" for j in jobs for v in j["informacoes_basicas"].values())
    assert any(", " in j["informacoes_basicas"]["tipo_contratacao"] for j in jobs)
    assert any(not e["prospects"] for e in small_run.prospects.values())
    assert any(a["cargo_atual"] == {} for a in applicants)
    assert any(a["cargo_atual"] != {} for a in applicants)
    assert any(a["cv_en"] == "" for a in applicants) and any(a["cv_en"] for a in applicants)
    assert any(a["formacao_e_idiomas"]["outro_idioma"] == "-" for a in applicants)
    assert any(a["informacoes_pessoais"]["data_nascimento"] == "0000-00-00" for a in applicants)
    accepted = [a["informacoes_pessoais"]["data_aceite"] for a in applicants]
    assert "Cadastro anterior ao registro de aceite" in accepted
    assert any(a["informacoes_profissionais"]["conhecimentos_tecnicos"] == "" for a in applicants)
    assert any(j["perfil_vaga"]["nivel_ingles"] == "" for j in jobs)


def test_cv_pt_is_long_lowercased_text_with_line_breaks(small_run: Run) -> None:
    cvs = [a["cv_pt"] for a in _good_applicants(small_run).values() if a["cv_pt"]]
    assert all(cv == cv.lower() and "\n" in cv for cv in cvs)
    assert sum(len(cv) for cv in cvs) / len(cvs) > 800


def test_about_one_percent_of_prospect_codes_are_missing_from_applicants(small_run: Run) -> None:
    codes = [p["codigo"] for p in _prospects(small_run) if "codigo" in p]
    missing = [c for c in codes if c not in small_run.applicants]
    assert 0 < len(missing) / len(codes) < 0.03
    assert len(missing) == small_run.report["counts"]["applications_missing_applicant"]


def test_applicants_apply_to_several_jobs(small_run: Run) -> None:
    codes = [p["codigo"] for p in _prospects(small_run) if "codigo" in p]
    assert max(codes.count(c) for c in set(codes)) >= 3


def test_statuses_are_documented_values_with_a_fifth_in_progress(small_run: Run) -> None:
    documented = {s for s, _ in HIRE_STATUSES + REJECT_STATUSES + IN_PROGRESS_STATUSES}
    statuses = [p["situacao_candidado"] for p in _prospects(small_run)]
    assert set(statuses) <= documented
    in_progress = {s for s, _ in IN_PROGRESS_STATUSES}
    share = sum(s in in_progress for s in statuses) / len(statuses)
    assert 0.15 < share < 0.25
    assert all(p["comentario"] and p["recrutador"] for p in _prospects(small_run))


def test_personal_data_is_clearly_fake(small_run: Run) -> None:
    for applicant in _good_applicants(small_run).values():
        basics, personal = applicant["infos_basicas"], applicant["informacoes_pessoais"]
        assert basics["email"].endswith(("@example.com", "@example.org"))
        assert re.match(r"^\(\d{2}\) 90000-\d{4}$", basics["telefone"])
        assert personal["cpf"] == "" or not is_valid_cpf(personal["cpf"])
    assert any(a["informacoes_pessoais"]["cpf"] for a in _good_applicants(small_run).values())
