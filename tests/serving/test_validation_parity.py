"""The API and the Preprocess step accept and refuse the same record values.

Both read the fields the features use from `features.schema`: the step quarantines what the
API refuses (a value of the wrong type), and neither discards a record for a date that only
dates it.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from features.schema import (
    APPLICANT_DATE_FIELDS,
    APPLICANT_SECTIONS,
    JOB_SECTIONS,
    validate_applicant,
    validate_job,
)
from serving import schemas
from serving.app import create_app
from serving.config import ServingConfig
from tests.serving.factory import applicant_record, job_record


@pytest.fixture(scope="module")
def client(model_dir: Path) -> TestClient:
    return TestClient(create_app(ServingConfig(model_uri=str(model_dir))))


def _score(client: TestClient, job: dict, applicant: dict) -> int:
    return client.post("/v1/score", json={"job": job, "applicant": applicant}).status_code


def _with(record: dict, section: str | None, field: str, value) -> dict:
    record = copy.deepcopy(record)
    (record.setdefault(section, {}) if section else record)[field] = value
    return record


def test_the_api_reads_exactly_the_fields_the_step_validates():
    for model, sections in (
        (schemas.JobRecord, JOB_SECTIONS),
        (schemas.ApplicantRecord, APPLICANT_SECTIONS),
    ):
        for section, fields in sections.items():
            section_model = model.model_fields[section].annotation.__args__[0]
            aliases = {f.alias for f in section_model.model_fields.values()}
            dates = {f for f, where in APPLICANT_DATE_FIELDS.items() if where == section}
            if model is schemas.JobRecord:
                dates = set()
            assert aliases == set(fields) | dates, section


@pytest.mark.parametrize(
    ("section", "field", "value"),
    [
        ("infos_basicas", "data_criacao", "2021-03-05"),  # ISO: another format
        ("infos_basicas", "data_criacao", "03-25-2021"),  # month first
        ("infos_basicas", "data_atualizacao", 20210305),  # not text at all
        (None, "cv_en", 12),  # a field the features do not read
    ],
)
def test_applicant_values_both_accept(client, section, field, value):
    applicant = _with(applicant_record(0), section, field, value)
    assert validate_applicant("31000", applicant) == []
    assert _score(client, job_record(), applicant) == 200


def test_job_values_both_accept(client):
    job = _with(job_record(), "informacoes_basicas", "data_requicisao", "2021-05-04")
    assert validate_job("5185", job) == []
    assert _score(client, job, applicant_record(0)) == 200


@pytest.mark.parametrize(
    ("kind", "section", "field", "value"),
    [
        ("job", "perfil_vaga", "nivel_profissional", 3),
        ("job", "perfil_vaga", "nivel_ingles", ["Fluente"]),
        ("job", "informacoes_basicas", "titulo_vaga", {"x": 1}),
        ("job", "informacoes_basicas", "tipo_contratacao", 5),
        ("applicant", "formacao_e_idiomas", "nivel_ingles", 4),
        ("applicant", None, "cv_pt", ["cv"]),
    ],
)
def test_values_both_refuse(client, kind, section, field, value):
    if kind == "job":
        job, applicant = _with(job_record(), section, field, value), applicant_record(0)
        problems = validate_job("5185", job)
    else:
        job, applicant = job_record(), _with(applicant_record(0), section, field, value)
        problems = validate_applicant("31000", applicant)
    assert problems == [f"bad_type:{field}"]
    assert _score(client, job, applicant) == 422
