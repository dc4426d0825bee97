"""POST /v1/explain: the template with no LLM, a stubbed Bedrock model grounded and traced to a
fake Langfuse, the fallbacks, and personal data kept away from the model, traces and logs."""

from __future__ import annotations

import io
import json
import logging
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from fastapi.testclient import TestClient

from explain import ExplainSettings, build_explainer
from explain.bedrock import BedrockBackend
from explain.prompts import PROMPT_NAME, load_fallback_prompt
from serving.app import create_app
from serving.config import ServingConfig
from serving.observability import logger as service_logger
from tests.explain.fake_langfuse import FakeLangfuse, running_fake_langfuse
from tests.explain.stubs import MODEL_ID, converse_response, langfuse_keys, runtime_client
from tests.serving.factory import applicant_record, job_record

#: what the records carry that must never reach the model, a trace or a log line
PERSONAL = (
    "Pessoa Candidata",
    "pessoa3@example.com",
    "99999-0003",
    "123.456.789-03",
    "Campinas",
    "Maria Recrutadora",
    "experiência com",  # the CV's text
    "Desenvolvedor Java",  # titles: record text, never sent
)


def _body(top: int = 4) -> dict[str, Any]:
    return {
        "job_code": "1001",
        "job": job_record(),
        "applicant_code": "31003",
        "applicant": applicant_record(3),
        "top": top,
    }


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self, address) -> None:
        raise AssertionError(f"network call to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def log_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(service_logger.registered_formatter)
    service_logger.addHandler(handler)
    try:
        yield lambda: stream.getvalue()
    finally:
        service_logger.removeHandler(handler)


@pytest.fixture
def fake() -> FakeLangfuse:
    public, secret = langfuse_keys()
    with running_fake_langfuse(public, secret) as server:
        yield server


def _bedrock_settings(fake: FakeLangfuse, **extra) -> ExplainSettings:
    return ExplainSettings(
        backend="bedrock",
        model_id=MODEL_ID,
        langfuse_host=fake.url,
        langfuse_public_key=fake.public_key,
        langfuse_secret_key=fake.secret_key,
        **extra,
    )


def _app_with_stubbed_bedrock(
    model_dir: Path, settings: ExplainSettings, answers: list, slow_s: float = 0.0
) -> tuple[TestClient, Stubber, list[dict]]:
    client = runtime_client("bedrock-runtime")
    requests: list[dict] = []
    client.meta.events.register(
        "provide-client-params.bedrock-runtime.Converse",
        lambda params, **_: requests.append(params),
    )
    if slow_s:
        client.meta.events.register(
            "before-parameter-build.bedrock-runtime.Converse", lambda **_: time.sleep(slow_s)
        )
    stub = Stubber(client)
    for answer in answers:
        stub.add_response("converse", converse_response(answer))
    stub.activate()
    explainer = build_explainer(settings, backend=BedrockBackend(client, MODEL_ID))
    config = ServingConfig(model_uri=str(model_dir), explain=settings)
    return TestClient(create_app(config, explainer=explainer)), stub, requests


def _grounded_answer(contributions: list[dict]) -> dict:
    return {
        "explanation": "Os fatores de maior peso foram avaliados; veja a direção de cada um.",
        "cited_factors": [
            {
                "feature": c["feature"],
                "direction": "favorece" if c["contribution"] > 0 else "desfavorece",
            }
            for c in contributions
        ],
    }


def _contributions(model_dir: Path, top: int = 4) -> list[dict]:
    score = TestClient(create_app(ServingConfig(model_uri=str(model_dir))))
    return [c for c in score.post("/v1/score", json=_body(top)).json()["contributions"] if c]


def test_without_an_llm_the_template_explains_with_no_network_call(
    model_dir: Path, no_network: None
) -> None:
    client = TestClient(create_app(ServingConfig(model_uri=str(model_dir))))
    response = client.post("/v1/explain", json=_body(3))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["generator"] == "template"
    assert body["prompt"] is None and body["fallback_reason"] is None
    assert body["explanation"].startswith("Chance estimada de contratação para esta vaga:")
    assert 1 <= len(body["contributions"]) <= 3
    assert all(c["contribution"] != 0 for c in body["contributions"])
    assert body["model"] == {"name": "test-model", "version": "7"}
    assert (body["job_code"], body["applicant_code"]) == ("1001", "31003")


def test_a_stubbed_bedrock_answer_is_grounded_used_and_traced_with_the_prompt_version(
    model_dir: Path, fake: FakeLangfuse, log_lines
) -> None:
    prompt = load_fallback_prompt()
    fake.add_prompt(PROMPT_NAME, list(prompt.messages), config=dict(prompt.config))
    answer = _grounded_answer(_contributions(model_dir))
    client, stub, requests = _app_with_stubbed_bedrock(model_dir, _bedrock_settings(fake), [answer])

    response = client.post("/v1/explain", json=_body())

    assert response.status_code == 200, response.text
    body = response.json()
    stub.assert_no_pending_responses()
    assert body["explanation"] == answer["explanation"]
    assert body["generator"] == MODEL_ID and body["fallback_reason"] is None
    assert body["prompt"] == {"name": PROMPT_NAME, "version": 1, "source": "langfuse"}
    for _ in range(100):
        if fake.generations():
            break
        time.sleep(0.05)
    (generation,) = fake.generations()
    assert generation.attributes["langfuse.observation.prompt.version"] == 1
    assert generation.attributes["langfuse.observation.model.name"] == MODEL_ID

    sent = json.dumps(requests, ensure_ascii=False)
    traced = b"".join(fake.trace_bodies).decode("utf-8", "replace")
    logged = log_lines()
    for value in PERSONAL:
        assert value not in sent, f"{value!r} reached the model"
        assert value not in traced, f"{value!r} was traced"
        assert value not in logged, f"{value!r} was logged"
    assert answer["explanation"] not in logged
    assert '"generator":"' + MODEL_ID in logged.replace(" ", "")


def test_an_ungrounded_answer_is_replaced_by_the_template_and_the_response_says_so(
    model_dir: Path, fake: FakeLangfuse
) -> None:
    answer = _grounded_answer(_contributions(model_dir))
    answer["cited_factors"][0]["direction"] = (
        "desfavorece" if answer["cited_factors"][0]["direction"] == "favorece" else "favorece"
    )
    client, _, _ = _app_with_stubbed_bedrock(model_dir, _bedrock_settings(fake), [answer])

    body = client.post("/v1/explain", json=_body()).json()

    assert body["generator"] == "template"
    assert body["fallback_reason"] == "invalid_answer"
    assert body["prompt"] == {"name": PROMPT_NAME, "version": 0, "source": "repository"}
    assert body["explanation"].startswith("Chance estimada")


def test_a_model_past_the_budget_is_replaced_by_the_template(
    model_dir: Path, fake: FakeLangfuse
) -> None:
    answer = _grounded_answer(_contributions(model_dir))
    settings = _bedrock_settings(fake, timeout_s=0.3)
    client, _, _ = _app_with_stubbed_bedrock(model_dir, settings, [answer], slow_s=3.0)

    body = client.post("/v1/explain", json=_body()).json()

    assert (body["generator"], body["fallback_reason"]) == ("template", "timeout")


@pytest.mark.parametrize("top", [0, 11, "3"])
def test_top_out_of_range_is_a_422_naming_it(model_dir: Path, top: Any) -> None:
    client = TestClient(create_app(ServingConfig(model_uri=str(model_dir))))
    response = client.post("/v1/explain", json=_body() | {"top": top})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "body.top"


def test_explain_without_a_model_is_a_503(tmp_path: Path) -> None:
    client = TestClient(create_app(ServingConfig(model_uri=str(tmp_path / "absent"))))
    response = client.post("/v1/explain", json=_body())
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "model_unavailable"


def test_the_openapi_document_describes_explain(model_dir: Path) -> None:
    client = TestClient(create_app(ServingConfig(model_uri=str(model_dir))))
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/v1/explain"]["post"]
    assert "ExplainRequest" in json.dumps(operation["requestBody"])
    assert {"generator", "prompt", "fallback_reason", "explanation"} <= set(
        schema["components"]["schemas"]["ExplainResponse"]["properties"]
    )
