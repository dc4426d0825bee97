"""The default (real) profile looks like the published Decision files and keeps its signal in
the CV text. Figures from ``docs/data-contracts.md`` and the measured profile of the real files."""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

import numpy as np
import pytest

from datagen import generate
from datagen import real_signal as rs
from datagen.generator import DEFAULT_CV_FILE_SHARE, DEFAULT_PROFILE, build_dataset
from datagen.real_records import Career

EMPTY = (None, "", "-")
IN_PROGRESS = {"Prospect", "Encaminhado ao Requisitante", "Inscrito", "Entrevista Técnica",
               "Entrevista com Cliente", "Em avaliação pelo RH", "Encaminhar Proposta"}  # fmt: skip
HIRED = {"Contratado pela Decision", "Contratado como Hunting", "Aprovado", "Proposta Aceita",
         "Documentação PJ", "Documentação CLT", "Documentação Cooperado"}  # fmt: skip
REJECTED = {"Não Aprovado pelo Cliente", "Desistiu", "Não Aprovado pelo RH",
            "Não Aprovado pelo Requisitante", "Sem interesse nesta vaga", "Desistiu da Contratação",
            "Recusado"}  # fmt: skip
#: (section, field) -> the share empty in the real applicants.
REAL_EMPTY_SHARES = {
    ("infos_basicas", "objetivo_profissional"): 0.84,
    ("infos_basicas", "local"): 0.83,
    ("informacoes_profissionais", "titulo_profissional"): 0.84,
    ("informacoes_profissionais", "conhecimentos_tecnicos"): 0.95,
    ("informacoes_profissionais", "nivel_profissional"): 1.00,
    ("formacao_e_idiomas", "nivel_ingles"): 0.83,
    ("formacao_e_idiomas", "nivel_academico"): 0.83,
}
TOLERANCE = 0.08
DATE = re.compile(r"^\d{2}-\d{2}-\d{4}$")


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("datagen_real")
    report = generate(out, seed=5, scale=0.03, signal=True, log=None)

    def read(name: str) -> dict:
        return json.loads((out / name).read_text(encoding="utf-8"))

    return {
        "report": report,
        "jobs": [r for r in read("vagas.json").values() if isinstance(r, dict)],
        "applicants": [r for r in read("applicants.json").values() if isinstance(r, dict)],
        "prospects": [r for r in read("prospects.json").values() if isinstance(r, dict)],
    }


def _statuses(real: dict) -> list[str]:
    return [p["situacao_candidado"] for r in real["prospects"] for p in r.get("prospects") or []
            if isinstance(p, dict)]  # fmt: skip


def test_real_is_the_default_profile_with_few_cv_files(real: dict) -> None:
    assert DEFAULT_PROFILE == "real"
    assert real["report"]["profile"] == "real"
    assert real["report"]["cv_file_share"] == DEFAULT_CV_FILE_SHARE["real"] == 0.03


@pytest.mark.parametrize(("section", "field"), sorted(REAL_EMPTY_SHARES))
def test_structured_applicant_fields_are_mostly_empty(real: dict, section: str, field: str) -> None:
    people = real["applicants"]
    empty = sum((p.get(section) or {}).get(field) in EMPTY for p in people) / len(people)
    assert abs(empty - REAL_EMPTY_SHARES[(section, field)]) <= TOLERANCE


def test_cv_text_is_long_lower_cased_and_nearly_always_there(real: dict) -> None:
    texts = [p.get("cv_pt") or "" for p in real["applicants"]]
    filled = [t for t in texts if t]
    assert len(filled) / len(texts) >= 0.93  # 0.99 in the real file, less the CV files
    assert 1_900 <= statistics.median(len(t) for t in filled) <= 3_600  # real median 2,731
    assert max(len(t) for t in filled) <= 26_000  # real longest 25,889
    assert sum(t == t.lower() for t in filled) / len(filled) >= 0.95
    assert sum(bool(re.search(r"\b(19|20)\d{2}\b", t)) for t in filled) / len(filled) >= 0.8


def test_jobs_fill_their_profile_and_name_analista_most(real: dict) -> None:
    jobs = [j for j in real["jobs"] if isinstance(j.get("perfil_vaga"), dict)]
    assert len(jobs) >= len(real["jobs"]) - 2  # the malformed ones
    levels = [j["perfil_vaga"]["nivel profissional"] for j in jobs]
    assert all(j["perfil_vaga"]["principais_atividades"] for j in jobs)
    assert abs(levels.count("Analista") / len(levels) - 0.43) <= TOLERANCE
    assert abs(levels.count("Sênior") / len(levels) - 0.31) <= TOLERANCE


def test_statuses_are_the_published_ones_in_the_published_shares(real: dict) -> None:
    statuses = _statuses(real)
    assert set(statuses) <= IN_PROGRESS | HIRED | REJECTED
    in_progress = sum(s in IN_PROGRESS for s in statuses) / len(statuses)
    labelled = [s for s in statuses if s not in IN_PROGRESS]
    assert abs(in_progress - 0.77) <= TOLERANCE
    assert abs(sum(s in HIRED for s in labelled) / len(labelled) - 0.26) <= TOLERANCE


def test_applications_per_job_are_few_and_skewed(real: dict) -> None:
    counts = [len(r.get("prospects") or []) for r in real["prospects"]]
    with_any = [c for c in counts if c]
    assert abs(counts.count(0) / len(counts) - 2_943 / 14_222) <= TOLERANCE
    assert 2 <= statistics.median(with_any) <= 4  # real 3
    assert 8 <= np.percentile(with_any, 90) <= 14  # real 11
    assert max(with_any) <= 25


def test_application_dates_are_day_month_year(real: dict) -> None:
    dates = [p["data_candidatura"] for r in real["prospects"] for p in r.get("prospects") or []
             if isinstance(p, dict)]  # fmt: skip
    assert sum(bool(DATE.match(d)) for d in dates) / len(dates) >= 0.99


def test_the_signal_is_strong_and_off_means_the_base_rate() -> None:
    on = build_dataset(3, 0.03, True, 0.03).report
    off = build_dataset(3, 0.03, False, 0.03)
    assert 0.72 <= on["best_auc"] <= 0.92
    assert {row[2] for row in off.oracle} == {rs.TARGET_HIRE_RATE}
    assert abs(off.report["best_auc"] - 0.5) <= 0.1


def _job(title: str, activities: str, level: str = "Analista", contract: str = "PJ/Autônomo"):
    return {
        "informacoes_basicas": {"titulo_vaga": title, "tipo_contratacao": contract},
        "perfil_vaga": {"principais_atividades": activities, "nivel profissional": level,
                        "competencia_tecnicas_e_comportamentais": ""},
    }  # fmt: skip


def test_the_signal_reads_the_cv_text_not_the_structured_fields() -> None:
    job = _job("Consultor SAP HR", "sustentação sap hr e abap")
    career = Career(seniority=1, years=5, skills=(), profile="sap_tech")
    blank = {"informacoes_profissionais": {"conhecimentos_tecnicos": ""}}
    unread = rs.terms(job, "sap_tech", blank, career, "")
    read = rs.terms(job, "sap_tech", blank, career, "experiência com sap hr e abap desde 2015")
    assert (unread.skill_coverage, unread.domain_fit, unread.seniority_gap) == (0.0, 0.0, 1)
    assert read.skill_coverage > 0.5 and read.domain_fit == 1.0 and read.seniority_gap == 0
    assert rs.linear_score(read) > rs.linear_score(unread)


def test_job_contract_and_level_move_the_signal() -> None:
    career = Career(seniority=1, years=5, skills=(), profile="sap_tech")
    blank = {"informacoes_profissionais": {"conhecimentos_tecnicos": ""}}
    base = rs.terms(_job("Consultor SAP", "sap"), "sap_tech", blank, career, "sap")
    clt = rs.terms(
        _job("Consultor SAP", "sap", contract="CLT Full"), "sap_tech", blank, career, "sap"
    )
    boss = rs.terms(_job("Gerente SAP", "sap", level="Gerente"), "sap_tech", blank, career, "sap")
    assert clt.clt == 1 and rs.linear_score(clt) > rs.linear_score(base)
    assert boss.management == 1 and rs.linear_score(boss) < rs.linear_score(base)


def test_cli_writes_the_real_profile_by_default(tmp_path: Path) -> None:
    report = generate(tmp_path, seed=1, scale=0.002, log=None)
    truth = json.loads((tmp_path / "_truth" / "generator_report.json").read_text())
    assert truth["profile"] == report["profile"] == "real"
