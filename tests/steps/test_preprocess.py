"""End-to-end tests of the Preprocess step on a small hand-made raw folder."""

import copy
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import numpy as np
import pandas as pd
import pytest
from fpdf import FPDF
from PIL import Image

from datagen.documents import scanned_pdf
from features import FEATURE_NAMES
from features.profiles import APPLICANT_PROFILE_FIELDS, JOB_PROFILE_FIELDS
from steps.preprocess import UNKNOWN_EVENT_TIME, main, parse_args, time_split

ROOT = Path(__file__).resolve().parents[2]
SPLITS = ("train", "validation", "test")
SPLIT_COLUMNS = ["job_code", "applicant_code", "application_date", "label", *FEATURE_NAMES]

# --- raw records in the published format ------------------------------------------------------

JOB = {
    "informacoes_basicas": {
        "data_requicisao": "04-01-2021",
        "limite_esperado_para_contratacao": "00-00-0000",
        "titulo_vaga": "Desenvolvedor Java Sênior",
        "vaga_sap": "Não",
        "cliente": "Cliente Confidencial SA",
        "solicitante_cliente": "Solicitante Secreta",
        "empresa_divisao": "Decision São Paulo",
        "requisitante": "Requisitante Secreto",
        "analista_responsavel": "Analista Secreta",
        "tipo_contratacao": "CLT Full, PJ/Autônomo",
        "prazo_contratacao": "Indeterminado",
        "objetivo_vaga": "Contratação",
        "prioridade_vaga": "Alta",
        "origem_vaga": "Nova Posição",
        "superior_imediato": "Gestor Secreto",
        "nome": "Nome Secreto",
        "telefone": "(11) 91234-5678",
    },
    "perfil_vaga": {
        "pais": "Brasil",
        "estado": "São Paulo",
        "cidade": "São Paulo",
        "bairro": "",
        "regiao": "",
        "local_trabalho": "2000",
        "vaga_especifica_para_pcd": "Não",
        "faixa_etaria": "De: Até:",
        "horario_trabalho": "",
        "nivel profissional": "Sênior",
        "nivel_academico": "Ensino Superior Completo",
        "nivel_ingles": "Avançado",
        "nivel_espanhol": "",
        "outro_idioma": "",
        "areas_atuacao": "TI - Desenvolvimento/Programação-",
        "principais_atividades": "- Desenvolver APIs;\n- Sustentar sistemas legados",
        "competencia_tecnicas_e_comportamentais": "Requisitos:\n- Java e SQL Server;\n- Docker",
        "demais_observacoes": "",
        "viagens_requeridas": "",
        "equipamentos_necessarios": "",
    },
    "beneficios": {"valor_venda": "-", "valor_compra_1": "R$", "valor_compra_2": ""},
}

APPLICANT = {
    "infos_basicas": {
        "telefone_recado": "",
        "telefone": "(11) 97777-1111",
        "objetivo_profissional": "Desenvolvedor",
        "data_criacao": "10-11-2020 07:29:49",
        "data_atualizacao": "15-01-2021 10:00:00",
        "inserido_por": "Recrutadora",
        "email": "pessoa.secreta@example.com",
        "local": "Campinas, São Paulo",
        "sabendo_de_nos_por": "Outros",
        "codigo_profissional": "",
        "nome": "Pessoa Secreta",
    },
    "informacoes_pessoais": {
        "data_aceite": "Cadastro anterior ao registro de aceite",
        "nome": "Pessoa Secreta",
        "cpf": "123.456.789-00",
        "fonte_indicacao": "",
        "email": "pessoa.secreta@example.com",
        "email_secundario": "",
        "data_nascimento": "0000-00-00",
        "telefone_celular": "(11) 97777-1111",
        "telefone_recado": "",
        "sexo": "Feminino",
        "estado_civil": "Solteiro",
        "pcd": "Não",
        "endereco": "Rua Secreta 123",
        "skype": "",
        "url_linkedin": "",
        "facebook": "",
    },
    "informacoes_profissionais": {
        "titulo_profissional": "Desenvolvedor Java",
        "area_atuacao": "TI - Desenvolvimento/Programação",
        "conhecimentos_tecnicos": "Java, Git",
        "certificacoes": "",
        "outras_certificacoes": "",
        "remuneracao": "R$ 9.999,00",
        "nivel_profissional": "Pleno",
    },
    "formacao_e_idiomas": {
        "nivel_academico": "Ensino Superior Completo",
        "nivel_ingles": "Fluente",
        "nivel_espanhol": "Nenhum",
        "outro_idioma": "-",
    },
    "cargo_atual": {},
    "cv_pt": "pessoa secreta\nexperiência com sql server e docker em projetos",
    "cv_en": "",
}

HIRED, NOT_HIRED = "Contratado pela Decision", "Não Aprovado pelo Cliente"
SECRETS = ("Secret", "secret", "example.com", "123.456", "97777", "91234", "9.999", "Feminino")


def prospect(code: str, status: str, date: str, comment: str = "comentário secreto") -> dict:
    return {
        "nome": "Pessoa Secreta",
        "codigo": code,
        "situacao_candidado": status,
        "data_candidatura": date,
        "ultima_atualizacao": date,
        "comentario": comment,
        "recrutador": "Recrutadora",
    }


def text_pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 5, text=text)
    return bytes(pdf.output())


SCANNED_CV = "Pessoa Secreta\nExperiência com Docker e Terraform em migrações para a nuvem"


def blank_png() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (200, 80), "white").save(image, "PNG")
    return image.getvalue()


def docx_bytes(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def build_raw(root: Path, *, labelled: int = 24, truth: bool = True) -> Path:
    """A raw folder: 3 good jobs and 2 bad ones, 30 or more applicants and 2 bad ones,
    CV files of every outcome, and applications exercising every quarantine reason."""
    raw = root / "raw"
    (raw / "cvs").mkdir(parents=True)
    jobs = {"100": copy.deepcopy(JOB), "101": copy.deepcopy(JOB), "102": copy.deepcopy(JOB)}
    jobs["101"]["perfil_vaga"].update(
        {
            "competencia_tecnicas_e_comportamentais": "SAP ABAP, Excel",
            "estado": "Rio de Janeiro",
            "cidade": "Rio de Janeiro",
            "nivel profissional": "Júnior",
            "nivel_ingles": "",
        }
    )
    jobs["101"]["informacoes_basicas"]["titulo_vaga"] = "Consultor SAP ABAP Júnior"
    jobs["102"]["informacoes_basicas"]["data_requicisao"] = "00-00-0000"
    jobs["900"] = {"informacoes_basicas": JOB["informacoes_basicas"]}  # no perfil_vaga
    jobs["901"] = "not an object"

    applicants = {}
    for i in range(max(labelled, 24) + 6):
        record = copy.deepcopy(APPLICANT)
        record["informacoes_profissionais"]["nivel_profissional"] = ("Júnior", "Pleno", "Sênior")[
            i % 3
        ]
        applicants[str(200 + i)] = record
    # CV files: 210 PDF, 211 DOCX, 212 scanned, 213 corrupt, 214 unsupported, 215 a blank
    # picture; cv_pt empty
    for code in ("210", "211", "212", "213", "214", "215"):
        applicants[code]["cv_pt"] = ""
        applicants[code]["informacoes_profissionais"]["conhecimentos_tecnicos"] = ""
    (raw / "cvs" / "210.pdf").write_bytes(text_pdf("Pessoa Secreta\nExperiência com Kubernetes"))
    (raw / "cvs" / "211.docx").write_bytes(docx_bytes("Pessoa Secreta - Power BI e Python"))
    (raw / "cvs" / "212.pdf").write_bytes(scanned_pdf(SCANNED_CV, np.random.default_rng(5)))
    (raw / "cvs" / "215.png").write_bytes(blank_png())
    (raw / "cvs" / "213.pdf").write_bytes(b"%PDF-1.4 truncated garbage")
    (raw / "cvs" / "214.txt").write_bytes(b"cobol")
    (raw / "cvs" / "999.pdf").write_bytes(text_pdf("applicant nobody knows"))
    (raw / "cvs" / "200.pdf").write_bytes(text_pdf("angular"))  # cv_pt present: not needed
    applicants["202"]["infos_basicas"]["data_atualizacao"] = ""
    applicants["202"]["infos_basicas"]["data_criacao"] = "00-00-0000 00:00:00"
    applicants["890"] = ["not", "an", "object"]
    # Dates that only date a record, unreadable: the record stays, dated from another field.
    applicants["891"] = copy.deepcopy(APPLICANT)
    applicants["891"]["infos_basicas"]["data_criacao"] = "2021-01-01"
    applicants["892"] = copy.deepcopy(APPLICANT)
    applicants["892"]["infos_basicas"].update(data_criacao="11-25-2020", data_atualizacao=7)

    # Labelled applications to job 100: one per day, every third one a hire.
    job_100 = [
        prospect(str(200 + i), HIRED if i % 3 == 0 else NOT_HIRED, f"{1 + i:02d}-03-2021")
        for i in range(labelled)
    ]
    job_101 = [
        prospect("200", NOT_HIRED, "01-02-2021"),  # duplicate pair: this older one is dropped
        prospect("200", HIRED, "20-04-2021"),
        prospect("201", "Entrevista Técnica", "05-03-2021"),  # in progress
        prospect("202", "Prospect", "06-03-2021"),  # in progress
        prospect("777", NOT_HIRED, "07-03-2021"),  # unknown applicant
        prospect("203", "Contratado pelo Universo", "08-03-2021"),  # unknown status
        prospect("", NOT_HIRED, "09-03-2021"),  # missing codigo
        prospect("204", NOT_HIRED, "2021-03-10"),  # bad date
        prospect("205", NOT_HIRED, "00-00-0000"),  # unknown date
        prospect("890", NOT_HIRED, "11-03-2021"),  # quarantined applicant
        "not an object",
    ]
    prospects = {
        "100": {"titulo": "Dev", "modalidade": "", "prospects": job_100},
        "101": {"titulo": "SAP", "modalidade": "", "prospects": job_101},
        "102": {"titulo": "Sem candidatos", "modalidade": "", "prospects": []},
        "900": {
            "titulo": "x",
            "modalidade": "",
            "prospects": [prospect("206", HIRED, "01-03-2021")],
        },
        "555": {
            "titulo": "x",
            "modalidade": "",
            "prospects": [prospect("207", HIRED, "01-03-2021")],
        },
        "556": {"titulo": "x", "modalidade": ""},
    }
    for name, data in (("vagas", jobs), ("applicants", applicants), ("prospects", prospects)):
        (raw / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    if truth:
        (raw / "_truth").mkdir()
        rows = ["job_code,applicant_code,p,label"]
        rows += [f"100,{200 + i},{0.01 * (i + 1):.2f},{int(i % 3 == 0)}" for i in range(labelled)]
        rows += ["101,200,0.5,1"]
        (raw / "_truth" / "oracle_scores.csv").write_text("\n".join(rows) + "\n")
        scans = {"212.pdf": SCANNED_CV}
        (raw / "_truth" / "scanned_cv_text.json").write_text(json.dumps(scans, ensure_ascii=False))
    return raw


def cli_args(root: Path, raw: Path, *extra: str) -> list[str]:
    out = root / "out"
    return [
        "--raw-dir",
        str(raw),
        *(f"--{name}-dir={out / name}" for name in (*SPLITS, "profiles", "report")),
        f"--text-cache-dir={root / 'text-cache-in'}",
        f"--text-cache-out-dir={out / 'text-cache'}",
        "--validation-fraction=0.2",
        "--test-fraction=0.2",
        "--min-labelled-rows=10",
        "--workers=1",
        *extra,
    ]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("preprocess")
    raw = build_raw(root)
    code = main(cli_args(root, raw))
    out = root / "out"
    return {
        "code": code,
        "raw": raw,
        "out": out,
        "splits": {s: pd.read_parquet(out / s / f"{s}.parquet") for s in SPLITS},
        "jobs": pd.read_parquet(out / "profiles" / "jobs.parquet"),
        "applicants": pd.read_parquet(out / "profiles" / "applicants.parquet"),
        "report": json.loads((out / "report" / "data_report.json").read_text()),
        "quarantine": [
            json.loads(line)
            for line in (out / "report" / "quarantine.jsonl").read_text().splitlines()
        ],
    }


def quarantined(run, kind):
    return {(item["id"], item["reason"]) for item in run["quarantine"] if item["kind"] == kind}


# --- outputs ----------------------------------------------------------------------------------


def test_run_succeeds_and_writes_every_output(run):
    assert run["code"] == 0
    out = run["out"]
    for path in (
        *(out / s / f"{s}.parquet" for s in SPLITS),
        out / "test" / "oracle.parquet",
        out / "profiles" / "jobs.parquet",
        out / "profiles" / "applicants.parquet",
        out / "report" / "data_report.json",
        out / "report" / "quarantine.jsonl",
    ):
        assert path.is_file(), path


def test_split_files_have_the_contracted_columns_and_types(run):
    for frame in run["splits"].values():
        assert list(frame.columns) == SPLIT_COLUMNS
        assert frame["job_code"].map(type).eq(str).all()
        assert frame["applicant_code"].map(type).eq(str).all()
        assert frame["application_date"].dtype.kind == "M"
        assert frame["label"].dtype == "int8"
        assert (frame[list(FEATURE_NAMES)].dtypes == "float64").all()


def test_features_hold_no_leaking_or_personal_columns(run):
    leaky = {"comentario", "ultima_atualizacao", "situacao_candidado", "status", "recrutador"}
    personal = {"nome", "email", "telefone", "cpf", "data_nascimento", "sexo", "endereco"}
    for frame in (*run["splits"].values(), run["jobs"], run["applicants"]):
        assert not (leaky | personal) & set(frame.columns)


def test_no_personal_data_reaches_any_output(run):
    out = run["out"]
    frames = [*run["splits"].values(), run["jobs"], run["applicants"]]
    text = " ".join(frame.astype(str).to_csv() for frame in frames)
    text += (out / "report" / "quarantine.jsonl").read_text()
    text += (out / "report" / "data_report.json").read_text()
    for secret in SECRETS:
        assert secret not in text


def test_profiles_have_id_fields_and_event_time(run):
    jobs, applicants = run["jobs"], run["applicants"]
    assert list(jobs.columns) == ["job_code", *JOB_PROFILE_FIELDS, "event_time"]
    assert list(applicants.columns) == ["applicant_code", *APPLICANT_PROFILE_FIELDS, "event_time"]
    assert sorted(jobs["job_code"]) == ["100", "101", "102"]
    assert len(applicants) == 32
    times = dict(zip(jobs["job_code"], jobs["event_time"], strict=True))
    assert times == {
        "100": "2021-01-04T00:00:00Z",
        "101": "2021-01-04T00:00:00Z",
        "102": UNKNOWN_EVENT_TIME,
    }
    by_code = applicants.set_index("applicant_code")
    assert by_code.loc["201", "event_time"] == "2021-01-15T10:00:00Z"
    assert by_code.loc["202", "event_time"] == UNKNOWN_EVENT_TIME
    assert by_code.loc["891", "event_time"] == "2021-01-15T10:00:00Z"  # from data_atualizacao
    assert by_code.loc["892", "event_time"] == UNKNOWN_EVENT_TIME  # neither date is readable


def test_readable_cv_files_feed_the_applicant_profile(run):
    by_code = run["applicants"].set_index("applicant_code")
    assert by_code.loc["210", "skills"] == "kubernetes"  # PDF
    assert by_code.loc["211", "skills"] == "power bi;python"  # DOCX
    assert by_code.loc["212", "skills"] == "docker"  # scanned: read by OCR
    assert by_code.loc["212", "cv_readable"] == 1
    for unreadable in ("213", "214", "215"):  # corrupt, unsupported, a blank picture
        assert by_code.loc[unreadable, "skills"] == ""
        assert by_code.loc[unreadable, "cv_readable"] == 0
    assert "angular" not in by_code.loc["200", "skills"]  # cv_pt wins over the file


# --- quarantine and report ---------------------------------------------------------------------


def test_malformed_records_are_quarantined_with_reasons(run):
    assert quarantined(run, "job") == {
        ("900", "missing_section:perfil_vaga"),
        ("901", "not_an_object"),
    }
    assert quarantined(run, "applicant") == {("890", "not_an_object")}
    assert quarantined(run, "application") == {
        ("101:777", "unknown_applicant"),
        ("101:203", "unknown_status"),
        ("101:#6", "missing_field:codigo"),
        ("101:204", "bad_date:data_candidatura"),
        ("101:205", "missing_field:data_candidatura"),
        ("101:890", "invalid_applicant"),
        ("101:#10", "not_an_object"),
        ("900:206", "invalid_job"),
        ("555:207", "unknown_job"),
        ("556", "missing_field:prospects"),
    }


def test_unreadable_and_orphan_cv_files_are_quarantined(run):
    assert quarantined(run, "document") == {
        ("213.pdf", "corrupt"),
        ("214.txt", "unsupported"),
        ("215.png", "no_text"),
        ("999.pdf", "unknown_applicant"),
    }
    corrupt = next(item for item in run["quarantine"] if item["id"] == "213.pdf")
    assert corrupt["detail"] and "\n" not in corrupt["detail"]
    unknown_status = next(item for item in run["quarantine"] if item["id"] == "101:203")
    assert unknown_status["detail"] == "Contratado pelo Universo"


def test_report_counts_everything_read_kept_and_quarantined(run):
    counts = run["report"]["counts"]
    assert counts["job"] == {
        "read": 5,
        "valid": 3,
        "quarantined": 2,
        "quarantined_by_reason": {"missing_section:perfil_vaga": 1, "not_an_object": 1},
        "unreadable_dates": {},
    }
    assert counts["applicant"]["read"] == 33
    assert counts["applicant"]["valid"] == 32
    assert counts["applicant"]["quarantined"] == 1
    assert counts["applicant"]["unreadable_dates"] == {"data_atualizacao": 1, "data_criacao": 2}
    assert counts["job"]["unreadable_dates"] == {}
    application = counts["application"]
    assert application["read"] == 24 + 11 + 2
    assert application["valid"] == 24 + 4
    assert application["quarantined"] == 10
    assert application["quarantined_by_reason"]["unknown_status"] == 1
    assert application["duplicates_dropped"] == 1
    assert application["in_progress"] == 2
    assert application["labelled"] == 25
    document = counts["document"]
    assert document["files"] == 8
    assert document["by_outcome"] == {
        "text": 3,
        "needs_ocr": 0,
        "no_text": 1,
        "ocr_failed": 0,
        "unsupported": 1,
        "corrupt": 1,
    }
    assert document["text_from"] == {"text_layer": 2, "ocr": 1, "mixed": 0}
    assert document["skipped"] == {"not_needed": 1, "unknown_applicant": 1}
    assert document["quarantined_by_reason"] == {
        "corrupt": 1,
        "no_text": 1,
        "unknown_applicant": 1,
        "unsupported": 1,
    }
    assert run["report"]["cv_sources"] == {"cv_pt": 26, "file": 3, "none": 3}


def test_report_says_how_ocr_read_the_scans_and_how_well(run):
    ocr = run["report"]["counts"]["document"]["ocr"]
    assert ocr["engine"] == "rapidocr"
    assert (ocr["files"], ocr["from_cache"], ocr["pages_read_now"]) == (2, 0, 2)
    assert ocr["seconds"] > 0 and ocr["seconds_per_page"] > 0
    assert 0.8 < ocr["mean_confidence"] <= 1.0
    assert ocr["character_error_rate"]["files"] == 1  # 212.pdf: the generator's truth
    assert ocr["character_error_rate"]["max"] < 0.02
    # the scan and the blank picture (OCR ran on both) and the two text-layer files
    assert ocr["cache_entries"] == 4
    assert (run["out"] / "text-cache" / "FORMAT.json").is_file()  # never an empty prefix


def test_a_second_run_takes_the_scans_text_from_the_cache(run, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(run["raw"], raw)
    shutil.copytree(run["out"] / "text-cache", tmp_path / "text-cache-in")
    assert main(cli_args(tmp_path, raw)) == 0
    report = json.loads((tmp_path / "out" / "report" / "data_report.json").read_text())
    ocr = report["counts"]["document"]["ocr"]
    assert (ocr["files"], ocr["from_cache"], ocr["pages_read_now"]) == (2, 2, 0)
    assert ocr["cache_entries"] == 4  # carried over to the output
    # the text layers came from the cache too: no file was parsed again
    assert report["counts"]["document"]["from_cache"] == 4
    assert run["report"]["counts"]["document"]["from_cache"] == 0
    again = pd.read_parquet(tmp_path / "out" / "profiles" / "applicants.parquet")
    pd.testing.assert_frame_equal(again, run["applicants"])


def test_without_an_ocr_engine_a_scan_is_quarantined_as_needing_ocr(run, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(run["raw"], raw)
    assert main(cli_args(tmp_path, raw, "--ocr-engine=none")) == 0
    quarantine = (tmp_path / "out" / "report" / "quarantine.jsonl").read_text()
    assert '"id": "212.pdf", "reason": "needs_ocr"' in quarantine


def test_report_gives_label_balance_and_boundaries_per_split(run):
    report = run["report"]
    assert report["status"] == "ok"
    for split in SPLITS:
        labels = report["labels"][split]
        frame = run["splits"][split]
        assert labels["rows"] == len(frame)
        assert labels["hired"] == int(frame["label"].sum())
        assert labels["date_min"] == frame["application_date"].min().date().isoformat()
    assert report["split"]["test_start"] == report["labels"]["test"]["date_min"]
    assert set(report["durations_s"]) >= {"read", "documents", "features", "write"}


# --- split --------------------------------------------------------------------------------------


def test_time_split_keeps_order_and_every_pair_in_one_split(run):
    splits = run["splits"]
    assert (
        splits["train"]["application_date"].max() < splits["validation"]["application_date"].min()
    )
    assert splits["validation"]["application_date"].max() < splits["test"]["application_date"].min()
    pairs = [tuple(p) for s in SPLITS for p in splits[s][["job_code", "applicant_code"]].to_numpy()]
    assert len(pairs) == len(set(pairs)) == 25
    for frame in splits.values():
        assert frame["label"].nunique() == 2


def test_duplicate_pair_keeps_the_latest_application(run):
    rows = pd.concat(run["splits"].values())
    kept = rows[(rows["job_code"] == "101") & (rows["applicant_code"] == "200")]
    assert len(kept) == 1
    assert kept["application_date"].iloc[0] == pd.Timestamp("2021-04-20")
    assert kept["label"].iloc[0] == 1


def test_in_progress_applications_are_left_out(run):
    rows = pd.concat(run["splits"].values())
    assert not ((rows["job_code"] == "101") & rows["applicant_code"].isin(["201", "202"])).any()


def test_oracle_covers_the_test_rows(run):
    oracle = pd.read_parquet(run["out"] / "test" / "oracle.parquet")
    test = run["splits"]["test"]
    assert list(oracle.columns) == ["job_code", "applicant_code", "oracle_p"]
    assert oracle["oracle_p"].dtype == "float64"
    assert set(map(tuple, oracle[["job_code", "applicant_code"]].to_numpy())) == set(
        map(tuple, test[["job_code", "applicant_code"]].to_numpy())
    )
    assert run["report"]["oracle"] == {
        "present": True,
        "test_rows_matched": len(test),
        "test_rows_missing": 0,
    }


def test_features_match_the_profiles_signal(run):
    rows = pd.concat(run["splits"].values()).set_index(["job_code", "applicant_code"])
    # job 100 wants java, sql, docker; applicant 201 has java, git (knowledge) + sql, docker (cv)
    first = rows.loc[("100", "201")]
    assert first["skill_coverage"] == 1.0
    assert first["level_gap"] == 1.0  # Sênior job, Pleno applicant
    assert (first["english_ok"], first["area_match"], first["same_state"]) == (1.0, 1.0, 1.0)
    # job 101 (SAP ABAP, Excel in its title and competencies; Rio de Janeiro; Júnior)
    sap = rows.loc[("101", "200")]
    assert (sap["skill_coverage"], sap["same_state"], sap["level_gap"]) == (0.0, 0.0, 0.0)


def test_time_split_cuts_at_day_boundaries():
    dates = pd.Series(pd.to_datetime(["2021-01-01"] * 4 + ["2021-01-02"] * 4 + ["2021-01-03"] * 2))
    parts = time_split(dates, validation_fraction=0.2, test_fraction=0.1)
    assert parts["test"].tolist() == [8, 9]  # the whole last day
    assert parts["validation"].tolist() == [4, 5, 6, 7]  # cut moved back to the day's start
    assert parts["train"].tolist() == [0, 1, 2, 3]


def test_time_split_by_fractions_on_distinct_dates():
    dates = pd.Series(pd.date_range("2021-01-01", periods=100, freq="D"))
    parts = time_split(dates, validation_fraction=0.15, test_fraction=0.15)
    assert [len(parts[s]) for s in SPLITS] == [70, 15, 15]
    assert np.concatenate([parts[s] for s in SPLITS]).tolist() == list(range(100))


# --- failures ---------------------------------------------------------------------------------


def test_too_little_labelled_data_exits_3_with_counts(tmp_path, capsys):
    raw = build_raw(tmp_path, labelled=6)
    code = main(cli_args(tmp_path, raw, "--min-labelled-rows=200"))
    assert code == 3
    err = capsys.readouterr().err
    assert "7 labelled applications (3 hired, 4 not hired); training needs at least 200" in err
    assert "Of 19 applications read, 10 were quarantined (top reasons: " in err
    assert "Add raw data: applications with a final status" in err
    assert "--" not in err  # no advice to use a flag that no pipeline parameter exposes
    assert "Traceback" not in err
    report = json.loads((tmp_path / "out" / "report" / "data_report.json").read_text())
    assert report["status"] == "insufficient_data"
    assert not (tmp_path / "out" / "train" / "train.parquet").exists()


def test_a_split_without_both_classes_exits_3(tmp_path, capsys):
    raw = build_raw(tmp_path, labelled=12)
    prospects = json.loads((raw / "prospects.json").read_text())
    for item in prospects["100"]["prospects"]:
        item["situacao_candidado"] = NOT_HIRED
    (raw / "prospects.json").write_text(json.dumps(prospects))
    assert main(cli_args(tmp_path, raw)) == 3
    err = capsys.readouterr().err
    assert "the train period has" in err and "0 hired" in err
    assert "every period needs both hires and non-hires" in err
    assert "--" not in err


def test_missing_input_file_exits_2(tmp_path, capsys):
    raw = build_raw(tmp_path)
    (raw / "applicants.json").unlink()
    assert main(cli_args(tmp_path, raw)) == 2
    err = capsys.readouterr().err
    assert "the data set has no applicants.json" in err
    assert "Traceback" not in err


def test_invalid_json_exits_2_naming_the_file_not_the_jobs_copy(tmp_path, capsys):
    raw = build_raw(tmp_path)
    (raw / "vagas.json").write_text('{"100": {')
    assert main(cli_args(tmp_path, raw)) == 2
    err = capsys.readouterr().err
    assert "vagas.json is not valid JSON" in err
    assert str(raw) not in err
    report = json.loads((tmp_path / "out" / "report" / "data_report.json").read_text())
    assert report["status"] == "input_error"
    assert report["message"].startswith("vagas.json is not valid JSON")


def test_every_application_quarantined_says_how_many_and_why(tmp_path, capsys):
    raw = build_raw(tmp_path)
    prospects = json.loads((raw / "prospects.json").read_text())
    for entry in prospects.values():
        for item in entry.get("prospects", []):
            if isinstance(item, dict):
                item["codigo"] = "404"  # nobody in applicants.json
    (raw / "prospects.json").write_text(json.dumps(prospects))
    assert main(cli_args(tmp_path, raw)) == 3
    err = capsys.readouterr().err
    assert "Every application was quarantined: 38 (top reasons: unknown_applicant 32" in err
    assert "Add raw data" in err


@pytest.mark.parametrize("name", ["vagas.json", "applicants.json", "prospects.json"])
def test_deeply_nested_json_exits_2_with_a_clear_error(tmp_path, capsys, name):
    raw = build_raw(tmp_path)
    depth = 100_000
    (raw / name).write_text('{"1": ' + "[" * depth + "]" * depth + "}")
    assert main(cli_args(tmp_path, raw)) == 2
    err = capsys.readouterr().err
    assert f"{name} nests arrays or objects deeper than the JSON reader can follow" in err
    assert "Traceback" not in err and "RecursionError" not in err


def test_repeated_ids_are_quarantined_saying_which_record_was_kept(tmp_path):
    raw = build_raw(tmp_path)
    text = (raw / "applicants.json").read_text(encoding="utf-8")
    first = json.loads(text)["200"]
    repeated = json.dumps({"200": first, "215": first}, ensure_ascii=False)[1:-1]
    (raw / "applicants.json").write_text("{" + repeated + ", " + text[1:], encoding="utf-8")
    jobs = (raw / "vagas.json").read_text(encoding="utf-8")
    (raw / "vagas.json").write_text(jobs[:-1] + ', "102": {"x": 1}}', encoding="utf-8")
    assert main(cli_args(tmp_path, raw)) == 0
    report = json.loads((tmp_path / "out" / "report" / "data_report.json").read_text())
    items = [
        json.loads(line)
        for line in (tmp_path / "out" / "report" / "quarantine.jsonl").read_text().splitlines()
    ]
    repeats = [item for item in items if item["reason"] == "duplicate_id"]
    assert {(item["kind"], item["id"]) for item in repeats} == {
        ("applicant", "200"),
        ("applicant", "215"),
        ("job", "102"),
    }
    job = next(item for item in repeats if item["kind"] == "job")
    assert job["detail"] == (
        "vagas.json gives id 102 to record 3 and record 6; the last (6) was kept, "
        "this one (3) set aside"
    )
    applicants = report["counts"]["applicant"]
    assert applicants["read"] == 35  # 33 distinct ids, two of them given twice
    assert applicants["quarantined_by_reason"]["duplicate_id"] == 2
    assert applicants["read"] == applicants["valid"] + applicants["quarantined"]
    assert report["counts"]["job"]["valid"] == 2  # the kept "102" has no sections


def test_json_that_is_not_an_object_keyed_by_id_exits_2(tmp_path, capsys):
    raw = build_raw(tmp_path)
    (raw / "prospects.json").write_text("[1, 2]")
    assert main(cli_args(tmp_path, raw)) == 2
    assert "must hold a JSON object keyed by id" in capsys.readouterr().err


def test_without_truth_folder_no_oracle_is_written(tmp_path):
    raw = build_raw(tmp_path, truth=False)
    assert main(cli_args(tmp_path, raw)) == 0
    assert not (tmp_path / "out" / "test" / "oracle.parquet").exists()
    report = json.loads((tmp_path / "out" / "report" / "data_report.json").read_text())
    assert report["oracle"] == {"present": False}


# --- command line --------------------------------------------------------------------------------


def test_defaults_are_the_sagemaker_container_paths():
    config = parse_args([])
    assert str(config.raw_dir) == "/opt/ml/processing/input/raw"
    assert str(config.train_dir) == "/opt/ml/processing/output/train"
    assert str(config.validation_dir) == "/opt/ml/processing/output/validation"
    assert str(config.test_dir) == "/opt/ml/processing/output/test"
    assert str(config.profiles_dir) == "/opt/ml/processing/output/profiles"
    assert str(config.report_dir) == "/opt/ml/processing/output/report"
    assert (config.validation_fraction, config.test_fraction) == (0.15, 0.15)
    assert config.min_labelled_rows == 200


@pytest.mark.parametrize(
    "bad", [["--test-fraction=1.5"], ["--validation-fraction=0.6", "--test-fraction=0.5"]]
)
def test_bad_fractions_are_usage_errors(bad):
    with pytest.raises(SystemExit) as caught:
        parse_args(bad)
    assert caught.value.code == 2


def test_script_runs_as_a_container_entry_point(tmp_path):
    raw = build_raw(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "steps" / "preprocess.py"),
            *cli_args(tmp_path, raw, "--workers=2"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "[preprocess] features:" in result.stdout
    assert "finished in" in result.stdout
    assert (tmp_path / "out" / "test" / "test.parquet").is_file()


def test_unreadable_truth_file_is_reported_and_skipped(tmp_path):
    raw = build_raw(tmp_path)
    (raw / "_truth" / "oracle_scores.csv").write_text("job_code,applicant_code,label\n100,200,1\n")
    assert main(cli_args(tmp_path, raw)) == 0
    assert not (tmp_path / "out" / "test" / "oracle.parquet").exists()
    report = json.loads((tmp_path / "out" / "report" / "data_report.json").read_text())
    assert report["oracle"]["present"] is True
    assert "p" in report["oracle"]["error"]


def test_profiles_built_by_several_processes_are_the_ones_built_by_one(monkeypatch):
    from steps import preprocess
    from tests.serving.factory import applicant_record, job_record

    applicants = {str(30000 + i): applicant_record(i) for i in range(61)}
    for code in list(applicants)[::5]:
        applicants[code]["cv_pt"] = ""  # their text comes from a file, or there is none
    file_texts = {code: "Python, Kubernetes e Terraform" for code in list(applicants)[::10]}
    levels = ("Júnior", "Pleno", "Sênior", "Gerente")
    jobs = {str(5000 + i): job_record(**{"nivel profissional": levels[i % 4]}) for i in range(7)}
    monkeypatch.setattr(preprocess, "MIN_APPLICANTS_FOR_POOL", 10)
    forked: list[tuple[int, int]] = []
    in_pool = preprocess._rows_in_pool
    monkeypatch.setattr(
        preprocess,
        "_rows_in_pool",
        lambda tasks, workers: forked.append((len(tasks), workers)) or in_pool(tasks, workers),
    )

    one = preprocess.profile_frames(jobs, applicants, file_texts, workers=1)
    three = preprocess.profile_frames(jobs, applicants, file_texts, workers=3)

    assert forked == [(3 + 11, 3)]  # 7 jobs in chunks of 3; 61 applicants in chunks of 6
    pd.testing.assert_frame_equal(one[0], three[0])
    pd.testing.assert_frame_equal(one[1], three[1])
    assert list(three[0]["job_code"]) == list(jobs)
    assert three[0]["level_rank"].tolist() == [0, 1, 2, 4, 0, 1, 2]
    assert list(three[1]["applicant_code"]) == list(applicants)
    assert one[2] == three[2] == {"cv_pt": 48, "file": 7, "none": 6}
