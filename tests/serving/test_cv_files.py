"""CV files sent with /v1/score, /v1/explain and /v1/rank: read by the pipeline's reader, every
bad file a bounded 4xx naming the field, an OCR service failure a 503."""

from __future__ import annotations

import base64
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from cvtext import ocr
from cvtext.ocr import OcrError
from datagen.documents import docx_file, scanned_pdf, text_pdf
from pipelines.config import PROJECT_ROOT as ROOT
from serving.app import create_app
from serving.config import ServingConfig
from serving.schemas import MAX_CV_FILE_BYTES
from tests.serving.factory import applicant_record, job_record

CV = "Pessoa Secreta\nExperiência com Kubernetes, Docker e Terraform em migrações para a nuvem"


def as_file(name: str, data: bytes) -> dict[str, str]:
    return {"filename": name, "content_base64": base64.b64encode(data).decode()}


def applicant_without_cv() -> dict:
    record = applicant_record(0)
    record["cv_pt"] = ""
    record["informacoes_profissionais"]["conhecimentos_tecnicos"] = ""
    return record


def score(client: TestClient, cv_file: dict | None, applicant: dict | None = None):
    body = {"job": job_record(), "applicant": applicant or applicant_without_cv(), "top": 30}
    if cv_file is not None:
        body["cv_file"] = cv_file
    return client.post("/v1/score", json=body)


@pytest.fixture(scope="module")
def client(model_dir: Path) -> TestClient:
    return TestClient(create_app(ServingConfig(model_uri=str(model_dir))))


@pytest.fixture(scope="module")
def ocr_client(model_dir: Path) -> TestClient:
    return TestClient(create_app(ServingConfig(model_uri=str(model_dir), ocr_engine="rapidocr")))


@pytest.mark.parametrize(("name", "data"), [("cv.pdf", text_pdf(CV)), ("CV.DOCX", docx_file(CV))])
def test_a_cv_file_gives_the_applicant_its_text(client, name, data):
    without = score(client, None).json()["features"]
    response = score(client, as_file(name, data))
    assert response.status_code == 200, response.text
    features = response.json()["features"]
    assert features["applicant_skill_count"] == 2  # docker, kubernetes
    assert without["applicant_skill_count"] == 0
    assert features["cv_readable"] == 1


def test_a_scan_is_read_by_ocr_when_the_server_has_an_engine(ocr_client):
    scan = scanned_pdf(CV, np.random.default_rng(3))
    response = score(ocr_client, as_file("scan.pdf", scan))
    assert response.status_code == 200, response.text
    assert response.json()["features"]["applicant_skill_count"] == 2


def test_a_scan_without_an_engine_is_a_422_saying_so(client):
    response = score(client, as_file("scan.pdf", scanned_pdf(CV, np.random.default_rng(3))))
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("cv_file_needs_ocr", "body.cv_file")
    assert "MATCH_OCR_ENGINE" in error["message"]


@pytest.mark.parametrize(
    ("cv_file", "status", "code", "field"),
    [
        (as_file("cv.pdf", b"%PDF-1.4 cut"), 422, "cv_file_unreadable", "body.cv_file"),
        (as_file("cv.docx", b"PK\x03\x04 nope"), 422, "cv_file_unreadable", "body.cv_file"),
        (as_file("cv.png", b"\x89PNG broken"), 422, "cv_file_unreadable", "body.cv_file"),
        (as_file("cv.txt", b"texto"), 422, "validation_error", "body.cv_file.filename"),
        (as_file("../cv.pdf", b"x"), 422, "validation_error", "body.cv_file.filename"),
        (
            {"filename": "cv.pdf", "content_base64": "não é base64"},
            422,
            "validation_error",
            "body.cv_file.content_base64",
        ),
        (
            {"filename": "cv.pdf", "content_base64": ""},
            422,
            "validation_error",
            "body.cv_file.content_base64",
        ),
        ({"filename": "cv.pdf"}, 422, "validation_error", "body.cv_file.content_base64"),
        ({**as_file("cv.pdf", b"x"), "x": 1}, 422, "validation_error", "body.cv_file.x"),
    ],
)
def test_a_bad_file_is_a_bounded_4xx_naming_the_field(client, cv_file, status, code, field):
    response = score(client, cv_file)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"] or error["details"][0]["field"]) == (code, field)
    assert "Traceback" not in response.text


def test_a_file_over_the_limit_is_refused_before_it_is_decoded(client):
    too_big = "A" * (-(-(MAX_CV_FILE_BYTES + 3) // 3) * 4)
    response = score(client, {"filename": "cv.pdf", "content_base64": too_big})
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail["field"] == "body.cv_file.content_base64"
    assert str(MAX_CV_FILE_BYTES) in detail["message"]


def test_an_ocr_service_failure_is_a_503_to_retry(model_dir, monkeypatch):
    class Throttled:
        name = "textract"

        def read(self, image):
            raise OcrError("textract detect_document_text: ThrottlingException")

    monkeypatch.setattr(ocr, "engine_named", lambda name, threads=0: Throttled())
    client = TestClient(create_app(ServingConfig(model_uri=str(model_dir), ocr_engine="textract")))
    response = score(client, as_file("scan.pdf", scanned_pdf(CV, np.random.default_rng(3))))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "ocr_unavailable"


def test_the_records_cv_pt_wins_and_the_file_is_not_read(client):
    with_cv_pt = applicant_record(0)
    response = score(client, as_file("cv.pdf", b"%PDF broken, never read"), with_cv_pt)
    assert response.status_code == 200
    assert response.json()["features"] == score(client, None, with_cv_pt).json()["features"]


def test_rank_reads_each_applicants_file_and_names_the_one_at_fault(client):
    good = {"applicant_code": "1", "applicant": applicant_without_cv()}
    good["cv_file"] = as_file("cv.pdf", text_pdf(CV))
    bare = {"applicant_code": "2", "applicant": applicant_without_cv()}
    response = client.post("/v1/rank", json={"job": job_record(), "applicants": [good, bare]})
    assert response.status_code == 200, response.text
    assert [r["applicant_code"] for r in response.json()["ranking"]][0] == "1"
    bad = {**bare, "cv_file": as_file("cv.docx", b"not a docx")}
    response = client.post("/v1/rank", json={"job": job_record(), "applicants": [good, bad]})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "body.applicants[1].cv_file"


def test_explain_takes_the_file_too(client):
    body = {"job": job_record(), "applicant": applicant_without_cv()}
    body["cv_file"] = as_file("cv.pdf", text_pdf(CV))
    response = client.post("/v1/explain", json=body)
    assert response.status_code == 200, response.text


def test_nothing_the_file_says_reaches_the_logs(client, caplog):
    with caplog.at_level(logging.DEBUG):
        score(client, as_file("cv.pdf", text_pdf(CV)))
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "cv file read" in logged and "'outcome': 'text'" in logged
    for word in ("Pessoa Secreta", "Kubernetes", "Terraform"):
        assert word not in logged


def test_the_openapi_document_describes_the_file():
    schema = create_app(ServingConfig(model_uri="unused"), load_at_start=False).openapi()
    cv_file = schema["components"]["schemas"]["CvFile"]
    assert cv_file["properties"]["content_base64"]["maxLength"] > MAX_CV_FILE_BYTES
    assert "(?i)" not in cv_file["properties"]["filename"]["pattern"]


def test_a_cold_start_imports_no_file_reader(model_dir):
    """The reader and its parsers load at the first file: records-only traffic never pays."""
    code = (
        "import sys\n"
        "from serving.app import create_app\n"
        "from serving.config import ServingConfig\n"
        f"create_app(ServingConfig(model_uri={str(model_dir)!r}, ocr_engine='textract'))\n"
        "print(sorted(m for m in ('cvtext', 'pypdf', 'docx', 'PIL', 'lxml', 'rapidocr')"
        " if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
