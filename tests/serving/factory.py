"""Models, records and feature stores for serving tests, integration tests and the benchmark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from features import FEATURE_NAMES, applicant_profile, job_profile
from features.lexicon import term_counts
from features.profiles import APPLICANT_PROFILE_FIELDS, JOB_PROFILE_FIELDS
from features.text import normalize
from features.text_similarity import TEXT_MODEL_FILE, fit_text_model
from featurestore.local import LocalFeatureStore
from featurestore.spec import spec_from_frame

GROUP_PREFIX = "datathon-mlet03-match"


def synthetic_features(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows with NaNs where profiles often are unknown, and labels that follow them."""
    rng = np.random.default_rng(seed)
    x = rng.random((rows, len(FEATURE_NAMES)))
    x[rng.random(x.shape) < 0.15] = np.nan
    coverage = np.nan_to_num(x[:, FEATURE_NAMES.index("skill_coverage")], nan=0.3)
    logits = 4 * coverage - 2.5 + rng.normal(0, 0.5, rows)
    return x, (logits > 0).astype(int)


def train_model_dir(
    folder: Path, *, rounds: int = 40, seed: int = 0, name: str = "test-model", version: str = "7"
) -> Path:
    """A small real LightGBM model folder, laid out as the training step writes it."""
    x, y = synthetic_features(2000, seed)
    params = {"objective": "binary", "num_leaves": 4, "verbose": -1, "seed": seed}
    booster = lgb.train(
        params, lgb.Dataset(x, y, feature_name=list(FEATURE_NAMES)), num_boost_round=rounds
    )
    folder.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(folder / "model.txt"))
    (folder / "feature_names.json").write_text(json.dumps(list(FEATURE_NAMES)))
    metadata = {
        "trained_at": "2026-11-01T12:00:00+00:00",
        "best_iteration": rounds,
        "data_version": "d" * 16,
        "code_version": "c" * 16,
        "validation": {"auc": 0.9, "log_loss": 0.3},
        "mlflow_run_id": "run-1",
    }
    (folder / "metadata.json").write_text(json.dumps(metadata))
    (folder / TEXT_MODEL_FILE).write_text(text_model_json())
    card = {
        "name": name,
        "version": version,
        "approval_status": "Approved",
        "metrics": {"auc": 0.88},
    }
    (folder / "model_card.json").write_text(json.dumps(card))
    return folder


def text_model_json() -> str:
    """Text weights fitted on the texts of this module's records, as training writes them."""
    texts = [job_record()["perfil_vaga"]["competencia_tecnicas_e_comportamentais"]]
    texts += [applicant_record(i)["cv_pt"] for i in range(8)]
    return fit_text_model(term_counts(normalize(text)) for text in texts).to_json()


def job_record(**perfil: str) -> dict[str, Any]:
    """A job in the Decision format, with the personal data such records carry."""
    record = {
        "informacoes_basicas": {
            "titulo_vaga": "Desenvolvedor Java Sênior",
            "data_requicisao": "04-05-2021",
            "nome": "Maria Recrutadora",
            "telefone": "(11) 98888-7777",
        },
        "perfil_vaga": {
            "estado": "São Paulo",
            "cidade": "São Paulo",
            "nivel profissional": "Sênior",
            "nivel_academico": "Ensino Superior Completo",
            "nivel_ingles": "Avançado",
            "nivel_espanhol": "Nenhum",
            "areas_atuacao": "TI - Desenvolvimento/Programação-",
            "principais_atividades": "Desenvolver APIs em Java e Spring; SQL e Docker.",
            "competencia_tecnicas_e_comportamentais": "Java, Spring Boot, SQL, Docker, AWS",
        },
        "beneficios": {"valor_venda": "-"},
    }
    record["perfil_vaga"].update(perfil)
    return record


def applicant_record(index: int = 0, **professional: str) -> dict[str, Any]:
    """An applicant in the Decision format; ``index`` varies the skills and the person."""
    skills = ["Java, Spring, SQL", "Python, Django", "SAP ABAP", "Java, Docker, AWS, SQL"]
    record = {
        "infos_basicas": {
            "local": "Campinas, São Paulo",
            "nome": f"Pessoa Candidata {index}",
            "email": f"pessoa{index}@example.com",
            "telefone": f"(19) 99999-{index:04d}",
            "data_criacao": "10-11-2021 07:29:49",
        },
        "informacoes_pessoais": {"cpf": f"123.456.789-{index % 100:02d}", "nome": "x"},
        "informacoes_profissionais": {
            "titulo_profissional": "Desenvolvedor Java",
            "area_atuacao": "TI - Desenvolvimento/Programação",
            "conhecimentos_tecnicos": skills[index % len(skills)],
            "nivel_profissional": ["Pleno", "Sênior", "Júnior"][index % 3],
        },
        "formacao_e_idiomas": {
            "nivel_academico": "Ensino Superior Completo",
            "nivel_ingles": ["Avançado", "Básico", "Fluente"][index % 3],
            "nivel_espanhol": "Nenhum",
        },
        "cargo_atual": {},
        "cv_pt": f"experiência com {skills[index % len(skills)].lower()} e git",
        "cv_en": "",
    }
    record["informacoes_profissionais"].update(professional)
    return record


def _frame(profiles: dict[str, dict], key: str) -> pd.DataFrame:
    rows = [
        {key: code, "event_time": "2026-01-01T00:00:00+00:00", **profile}
        for code, profile in profiles.items()
    ]
    return pd.DataFrame(rows)


def build_online_store(root: Path, jobs: dict[str, dict], applicants: dict[str, dict]) -> Path:
    """A local feature store holding the profiles of these records; returns the SQLite file."""
    store = LocalFeatureStore(root)
    try:
        for group, key, profiles, fields in (
            ("jobs", "job_code", {c: job_profile(r) for c, r in jobs.items()}, JOB_PROFILE_FIELDS),
            (
                "applicants",
                "applicant_code",
                {c: applicant_profile(r) for c, r in applicants.items()},
                APPLICANT_PROFILE_FIELDS,
            ),
        ):
            frame = _frame(profiles, key)
            spec = spec_from_frame(f"{GROUP_PREFIX}-{group}", frame, key, declared=dict(fields))
            store.ensure_group(spec)
            report = store.ingest(spec, frame)
            assert not report.failed, report.failed
    finally:
        store.close()
    return root / "online-store.sqlite"
