"""The API's routes and error contract, in-process."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import math
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from features import FEATURE_NAMES, applicant_profile, job_profile, pair_features
from featurestore.online import OnlineStoreError
from serving.app import create_app
from serving.config import ServingConfig
from serving.model import LoadedModel, ModelLoadError, load_model
from serving.observability import logger as service_logger
from tests.serving.factory import applicant_record, job_record


def _config(model_dir: Path, store_file: Path | None = None, **overrides) -> ServingConfig:
    store = f"sqlite:///{store_file.resolve()}" if store_file else ""
    return ServingConfig(model_uri=str(model_dir), online_store=store, **overrides)


@pytest.fixture(scope="module")
def client(model_dir: Path, store_file: Path) -> TestClient:
    return TestClient(create_app(_config(model_dir, store_file)))


def _score_body(**extra) -> dict:
    return {"job": job_record(), "applicant": applicant_record(0)} | extra


def _rank_body(count: int = 4, **extra) -> dict:
    applicants = [
        {"applicant_code": f"a{i}", "applicant": applicant_record(i)} for i in range(count)
    ]
    return {"job_code": "5185", "job": job_record(), "applicants": applicants} | extra


# --- health and model ---------------------------------------------------------------------------


def test_health_is_ready_with_the_models_name_and_version(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["model"] == {"name": "test-model", "version": "7"}


def test_without_a_model_every_route_answers_503_and_never_crashes(tmp_path: Path) -> None:
    app = create_app(ServingConfig(model_uri=str(tmp_path / "absent")))
    client = TestClient(app)
    health = client.get("/health")
    assert health.status_code == 503
    assert health.json()["error"]["code"] == "model_unavailable"
    for response in (client.get("/v1/model"), client.post("/v1/score", json=_score_body())):
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "model_unavailable"
    # a request that is bad anyway is still a 4xx, not hidden behind the 503
    assert client.post("/v1/score", json={"job": 1}).status_code == 422


def test_a_failed_load_is_retried_once_the_pause_is_over(model_dir: Path) -> None:
    attempts: list[int] = []

    def flaky_loader() -> LoadedModel:
        attempts.append(1)
        if len(attempts) == 1:
            raise ModelLoadError("not there yet")
        return load_model(str(model_dir))

    app = create_app(
        ServingConfig(model_retry_seconds=0), model_loader=flaky_loader, load_at_start=True
    )
    client = TestClient(app)
    assert client.get("/health").status_code == 200
    assert len(attempts) == 2


def test_a_failed_load_is_not_retried_on_every_request(model_dir: Path) -> None:
    attempts: list[int] = []

    def failing_loader() -> LoadedModel:
        attempts.append(1)
        raise ModelLoadError("no model")

    client = TestClient(
        create_app(ServingConfig(model_retry_seconds=3600), model_loader=failing_loader)
    )
    for _ in range(3):
        assert client.get("/health").status_code == 503
    assert len(attempts) == 1


def test_model_card_lists_features_metrics_and_limits(client: TestClient) -> None:
    info = client.get("/v1/model").json()
    assert info["feature_names"] == list(FEATURE_NAMES)
    assert info["metrics"] == {"validation": {"auc": 0.9, "log_loss": 0.3}, "test": {"auc": 0.88}}
    assert info["trained_at"] == "2026-11-01T12:00:00+00:00"
    assert info["max_rank_applicants"] == 1000
    assert "model_uri" not in json.dumps(info) and str(Path.cwd()) not in json.dumps(info)


# --- score --------------------------------------------------------------------------------------


def test_score_matches_the_model_on_the_features_code(client: TestClient, model_dir: Path) -> None:
    body = client.post("/v1/score", json=_score_body(top=len(FEATURE_NAMES))).json()
    model = load_model(str(model_dir))
    job, applicant = job_profile(job_record()), applicant_profile(applicant_record(0))
    expected = pair_features(job, applicant, model.text_model)
    assert not math.isnan(expected["text_similarity"])
    row = np.array([[expected[name] for name in FEATURE_NAMES]])
    assert body["probability"] == float(model.probabilities(row)[0])
    for name in FEATURE_NAMES:
        value = body["features"][name]
        assert (value is None and math.isnan(expected[name])) or value == expected[name]
    # SHAP: base value plus every contribution is the model's log-odds
    logit = body["base_value"] + sum(c["contribution"] for c in body["contributions"])
    assert logit == pytest.approx(math.log(body["probability"] / (1 - body["probability"])))


def test_score_returns_the_largest_contributions_first(client: TestClient) -> None:
    body = client.post("/v1/score", json=_score_body(top=3, job_code="5185")).json()
    sizes = [abs(c["contribution"]) for c in body["contributions"]]
    assert len(sizes) == 3 and sizes == sorted(sizes, reverse=True)
    assert body["job_code"] == "5185" and body["applicant_code"] is None
    assert body["model"] == {"name": "test-model", "version": "7"}


def test_partial_records_score_with_unknown_features(client: TestClient) -> None:
    response = client.post("/v1/score", json={"job": {}, "applicant": {"cv_pt": "java"}})
    assert response.status_code == 200
    features = response.json()["features"]
    assert features["skill_coverage"] is None and features["cv_readable"] == 1.0
    assert 0 < response.json()["probability"] < 1


def test_a_better_skill_match_scores_higher(client: TestClient) -> None:
    def probability(skills: str) -> float:
        applicant = applicant_record(0, conhecimentos_tecnicos=skills) | {"cv_pt": ""}
        body = client.post("/v1/score", json={"job": job_record(), "applicant": applicant})
        return body.json()["probability"]

    assert probability("Java, Spring Boot, SQL, Docker, AWS") > probability("Excel")


# --- rank ---------------------------------------------------------------------------------------


def test_rank_orders_by_probability_with_ranks_and_sources(client: TestClient) -> None:
    body = client.post(
        "/v1/rank", json=_rank_body(4, applicant_codes=["31005", "31006", "nobody"])
    ).json()
    probabilities = [r["probability"] for r in body["ranking"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert [r["rank"] for r in body["ranking"]] == list(range(1, 7))
    assert {r["source"] for r in body["ranking"]} == {"request", "feature_store"}
    assert body["not_found"] == ["nobody"] and body["count"] == 6


def test_rank_scores_equal_the_score_route(client: TestClient) -> None:
    ranking = client.post("/v1/rank", json=_rank_body(3)).json()["ranking"]
    for entry in ranking:
        index = int(entry["applicant_code"][1:])
        single = client.post("/v1/score", json=_score_body(applicant=applicant_record(index)))
        assert single.json()["probability"] == entry["probability"]


def test_rank_honours_the_limit_and_keeps_request_order_on_ties(client: TestClient) -> None:
    same = [{"applicant_code": f"t{i}", "applicant": applicant_record(0)} for i in range(5)]
    body = client.post(
        "/v1/rank", json={"job": job_record(), "applicants": same, "limit": 3}
    ).json()
    assert [r["applicant_code"] for r in body["ranking"]] == ["t0", "t1", "t2"]


def test_rank_looks_the_job_up_by_code(client: TestClient) -> None:
    by_code = client.post("/v1/rank", json={"job_code": "5185", "applicant_codes": ["31001"]})
    by_record = client.post("/v1/rank", json={"job": job_record(), "applicant_codes": ["31001"]})
    assert by_code.status_code == 200
    assert by_code.json()["ranking"] == by_record.json()["ranking"]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"job_code": "9999", "applicant_codes": ["31001"]}, 404, "job_not_found", "body.job_code"),
        ({"applicant_codes": ["31001"]}, 422, "validation_error", "body.job"),
        ({"job": {}, "applicants": []}, 422, "validation_error", "body.applicants"),
        (
            {"job": {}, "applicant_codes": ["31001", "31002", "31001"]},
            422,
            "duplicate_applicant",
            "body.applicant_codes[2]",
        ),
        (
            {
                "job": {},
                "applicants": [{"applicant_code": "31001", "applicant": {}}],
                "applicant_codes": ["31001"],
            },
            422,
            "duplicate_applicant",
            "body.applicant_codes[0]",
        ),
        ({"job": {}, "applicant_codes": [" padded"]}, 422, "validation_error", None),
        ({"job": {}, "applicant_codes": ["1"], "limit": 0}, 422, "validation_error", "body.limit"),
    ],
)
def test_rank_refuses_bad_requests_with_the_field(client, body, status, code, field) -> None:
    response = client.post("/v1/rank", json=body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    if field:
        assert error["field"] == field
    else:
        assert error["field"].startswith("body.applicant_codes[0]")


def test_rank_refuses_more_applicants_than_the_maximum(model_dir: Path) -> None:
    client = TestClient(create_app(_config(model_dir, max_rank_applicants=3)))
    response = client.post("/v1/rank", json=_rank_body(4))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too_many_applicants"
    assert client.post("/v1/rank", json=_rank_body(3)).status_code == 200


def test_lookups_without_a_store_are_a_clear_4xx(model_dir: Path) -> None:
    client = TestClient(create_app(_config(model_dir)))
    response = client.post("/v1/rank", json={"job": {}, "applicant_codes": ["31001"]})
    assert response.status_code == 422
    assert response.json()["error"] | {"message": ""} == {
        "code": "lookup_unavailable",
        "message": "",
        "field": "body.applicant_codes",
        "details": [],
    }


def test_an_unreadable_store_is_a_503_without_internals(model_dir: Path) -> None:
    class BrokenStore:
        def get_profiles(self, group, record_ids):
            raise OnlineStoreError("disk /secret/path failed")

        def close(self) -> None:
            pass

    client = TestClient(create_app(_config(model_dir), online_store=BrokenStore()))
    response = client.post("/v1/rank", json={"job": {}, "applicant_codes": ["31001"]})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "feature_store_unavailable"
    assert "/secret" not in response.text


# --- the error contract -------------------------------------------------------------------------


def test_a_wrong_type_names_the_field_and_does_not_echo_values(client: TestClient) -> None:
    body = _score_body()
    body["applicant"]["formacao_e_idiomas"]["nivel_ingles"] = ["secret@example.com"]
    response = client.post("/v1/score", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["field"] == "body.applicant.formacao_e_idiomas.nivel_ingles"
    assert error["details"][0]["type"] == "string_type"
    assert "secret@example.com" not in response.text


def test_unknown_top_level_fields_are_refused(client: TestClient) -> None:
    response = client.post("/v1/score", json=_score_body(jb={}))
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "body.jb"


def test_missing_required_records_are_named(client: TestClient) -> None:
    response = client.post("/v1/score", json={"job": {}})
    assert response.json()["error"]["field"] == "body.applicant"


def test_malformed_json_is_a_400(client: TestClient) -> None:
    response = client.post(
        "/v1/score", content=b'{"job": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


def test_a_body_that_is_not_json_is_a_415(client: TestClient) -> None:
    response = client.post("/v1/score", content=b"job=1", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert response.json()["error"]["field"] == "header.content-type"


def test_an_oversized_declared_body_is_refused_before_parsing(model_dir: Path) -> None:
    client = TestClient(create_app(_config(model_dir, max_body_bytes=1000)))
    response = client.post(
        "/v1/score", content=b"{" * 2000, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


async def _asgi_post(app, chunks: list[bytes]) -> tuple[int, dict]:
    """POST /v1/score through the ASGI interface, streamed without a Content-Length."""
    pending = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/score",
        "raw_path": b"/v1/score",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], json.loads(body)


def test_an_oversized_streamed_body_is_cut_off(model_dir: Path) -> None:
    app = create_app(_config(model_dir, max_body_bytes=1000))
    status, body = asyncio.run(_asgi_post(app, [b" " * 600, b" " * 600, b"{}"]))
    assert status == 413 and body["error"]["code"] == "body_too_large"
    status, body = asyncio.run(_asgi_post(app, [b'{"job": {}, ', b'"applicant": {}}']))
    assert status == 200 and 0 < body["probability"] < 1


def test_unknown_routes_and_methods_use_the_same_error_shape(client: TestClient) -> None:
    for response, status in ((client.get("/v2/score"), 404), (client.get("/v1/score"), 405)):
        assert response.status_code == status
        assert set(response.json()["error"]) == {"code", "message", "field", "details"}


def test_an_unexpected_failure_is_a_500_without_a_trace(model_dir: Path) -> None:
    class Exploding(LoadedModel):
        def probabilities(self, rows):
            raise RuntimeError("boom at /work/secret.py line 3")

    model = load_model(str(model_dir))
    exploding = Exploding(**{f: getattr(model, f) for f in model.__dataclass_fields__})
    client = TestClient(
        create_app(ServingConfig(), model_loader=lambda: exploding),
        raise_server_exceptions=False,
    )
    response = client.post("/v1/score", json=_score_body())
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert response.headers["x-request-id"] in error["message"]
    assert "boom" not in response.text and "Traceback" not in response.text


def test_every_response_has_a_request_id_and_a_given_one_is_kept(client: TestClient) -> None:
    given = client.get("/health", headers={"x-request-id": "req-123.abc"})
    assert given.headers["x-request-id"] == "req-123.abc"
    made_up = client.get("/health", headers={"x-request-id": "bad id\n"})
    assert (
        made_up.headers["x-request-id"] != "bad id\n" and len(made_up.headers["x-request-id"]) == 32
    )


def test_openapi_documents_the_routes_and_the_error_shape(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/health", "/v1/model", "/v1/score", "/v1/rank"} <= set(schema["paths"])
    responses = schema["paths"]["/v1/score"]["post"]["responses"]
    assert {"200", "400", "413", "415", "422", "503"} <= set(responses)
    assert "ErrorResponse" in json.dumps(responses["422"])


# --- logs ---------------------------------------------------------------------------------------


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(service_logger.registered_formatter)
    service_logger.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        service_logger.removeHandler(handler)


def test_request_logs_carry_ids_and_model_version_but_no_personal_data(
    client: TestClient, log_lines
) -> None:
    record = applicant_record(3)
    client.post(
        "/v1/score",
        json={"job": job_record(), "applicant": record},
        headers={"x-request-id": "trace-me"},
    )
    client.post("/v1/rank", json=_rank_body(3))
    bad = dict(record, cv_pt=123)
    client.post("/v1/score", json={"job": job_record(), "applicant": bad})
    lines = log_lines()
    requests = [line for line in lines if line["message"] == "request"]
    assert len(requests) == 3
    assert requests[0]["request_id"] == "trace-me"
    assert all(line["model_version"] == "7" for line in requests)
    assert [line["status"] for line in requests] == [200, 200, 422]
    assert requests[1]["pairs_scored"] == 3
    text = json.dumps(lines)
    for personal in (
        record["infos_basicas"]["nome"],
        record["infos_basicas"]["email"],
        record["infos_basicas"]["telefone"],
        record["informacoes_pessoais"]["cpf"],
        record["cv_pt"],
    ):
        assert personal not in text


def test_head_health_answers_like_get(client: TestClient) -> None:
    assert client.head("/health").status_code == 200


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(b'{"job": "\xff"}', "application/json"), (b"[" * 5000 + b"]" * 5000, "application/json")],
)
def test_undecodable_bodies_are_malformed_json(client, content: bytes, content_type: str) -> None:
    response = client.post("/v1/score", content=content, headers={"content-type": content_type})
    assert response.status_code == 400
    assert response.json()["error"] | {"message": ""} == {
        "code": "malformed_json",
        "message": "",
        "field": "body",
        "details": [],
    }


@pytest.mark.parametrize(("route", "field"), [("/v1/score", "top"), ("/v1/rank", "limit")])
def test_counts_must_be_integers_not_booleans_or_text(client, route: str, field: str) -> None:
    body = _score_body() if route == "/v1/score" else _rank_body(2)
    for value in (True, "3"):
        response = client.post(route, json=body | {field: value})
        assert response.status_code == 422, value
        assert response.json()["error"]["field"] == f"body.{field}"


def test_records_keep_only_what_the_features_read_and_the_same_profiles() -> None:
    from features import applicant_profile, job_profile
    from serving.schemas import ApplicantRecord, JobRecord

    raw_applicant, raw_job = applicant_record(2), job_record()
    kept = ApplicantRecord.model_validate(raw_applicant).model_dump(
        by_alias=True, exclude_unset=True
    )
    assert applicant_profile(kept) == applicant_profile(raw_applicant)
    assert "informacoes_pessoais" not in kept and "nome" not in kept["infos_basicas"]
    job_kept = JobRecord.model_validate(raw_job).model_dump(by_alias=True, exclude_unset=True)
    assert job_profile(job_kept) == job_profile(raw_job)
    underscore = {"perfil_vaga": {"nivel profissional": "", "nivel_profissional": "Pleno"}}
    assert job_profile(
        JobRecord.model_validate(underscore).model_dump(by_alias=True, exclude_unset=True)
    ) == job_profile(underscore)
