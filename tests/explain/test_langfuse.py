"""Prompts from Langfuse and traces to it, against a fake Langfuse on the loopback interface
that serves the routes the SDK calls as Langfuse's public OpenAPI document defines them."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from botocore.stub import Stubber

from explain import ExplainSettings, build_explainer
from explain.bedrock import BedrockBackend
from explain.langfuse_client import open_langfuse
from explain.prompts import PROMPT_NAME, LangfusePrompts, load_fallback_prompt
from explain.service import langfuse_parts
from explain.tracing import LangfuseTracing
from tests.explain.fake_langfuse import FakeLangfuse, running_fake_langfuse
from tests.explain.stubs import (
    FACTORS,
    GROUNDED,
    MODEL_ID,
    converse_response,
    langfuse_keys,
    runtime_client,
)

ROOT = Path(__file__).resolve().parents[2]
PERSONAL = ("ana.souza@example.com", "123.456.789-09", "(11) 98765-4321")


@pytest.fixture
def fake() -> FakeLangfuse:
    public, secret = langfuse_keys()
    with running_fake_langfuse(public, secret) as server:
        yield server


def _settings(fake: FakeLangfuse, **extra) -> ExplainSettings:
    return ExplainSettings(
        backend="bedrock",
        model_id=MODEL_ID,
        langfuse_host=fake.url,
        langfuse_public_key=fake.public_key,
        langfuse_secret_key=fake.secret_key,
        input_price_per_1k=0.0008,
        output_price_per_1k=0.004,
        **extra,
    )


def _publish_production(fake: FakeLangfuse, marker: str = "") -> dict:
    fallback = load_fallback_prompt()
    messages = [dict(m) for m in fallback.messages]
    messages[0]["content"] += marker
    return fake.add_prompt(PROMPT_NAME, messages, config={"temperature": 0, "max_tokens": 350})


def _stubbed_explainer(settings: ExplainSettings, answers: list) -> tuple:
    client = runtime_client("bedrock-runtime")
    stub = Stubber(client)
    for answer in answers:
        stub.add_response("converse", converse_response(answer))
    stub.activate()
    explainer = build_explainer(settings, backend=BedrockBackend(client, MODEL_ID))
    return explainer, stub


def _wait_for(predicate, seconds: float = 5.0) -> None:
    ends = time.monotonic() + seconds
    while not predicate() and time.monotonic() < ends:
        time.sleep(0.02)


def test_prompt_comes_from_langfuse_production_label_and_is_cached(fake: FakeLangfuse) -> None:
    _publish_production(fake)  # version 1
    fake.add_prompt(PROMPT_NAME, [{"role": "user", "content": "rascunho"}], labels=["staging"])
    handle = open_langfuse(_settings(fake))
    prompts = LangfusePrompts(handle.client, cache_ttl_s=300)

    first, second = prompts.get(), prompts.get()

    assert (first.source, first.version, first.name) == ("langfuse", 1, PROMPT_NAME)
    assert first.config["max_tokens"] == 350
    assert second.version == 1
    fetches = [p for m, p in fake.requests if p == f"/api/public/v2/prompts/{PROMPT_NAME}"]
    assert len(fetches) == 1, "the second get was served from the cache"


def test_a_missing_prompt_or_a_down_server_gives_the_repository_copy_once(
    fake: FakeLangfuse,
) -> None:
    handle = open_langfuse(_settings(fake))
    clock = [0.0]
    prompts = LangfusePrompts(handle.client, retry_after_s=30, clock=lambda: clock[0])
    assert prompts.get().source == "repository"  # 404: never published
    assert prompts.last_error == "NotFoundError"
    _publish_production(fake)
    assert prompts.get().source == "repository", "not asked again before retry_after_s"
    clock[0] = 31.0
    assert prompts.get().source == "langfuse"


def test_the_llm_call_is_traced_with_prompt_version_usage_cost_and_outcome(
    fake: FakeLangfuse,
) -> None:
    _publish_production(fake)
    _publish_production(fake, marker=" ")  # version 2 now holds the production label
    explainer, stub = _stubbed_explainer(_settings(fake), [GROUNDED])

    explanation = explainer.explain(0.72, FACTORS)

    stub.assert_no_pending_responses()
    assert explanation.generator == MODEL_ID and explanation.fallback_reason is None
    assert (explanation.prompt_source, explanation.prompt_version) == ("langfuse", 2)
    assert explanation.text == GROUNDED["explanation"]
    _wait_for(lambda: fake.generations())
    (generation,) = fake.generations()
    attributes = generation.attributes
    assert attributes["langfuse.observation.model.name"] == MODEL_ID
    assert attributes["langfuse.observation.prompt.name"] == PROMPT_NAME
    assert attributes["langfuse.observation.prompt.version"] == 2
    assert json.loads(attributes["langfuse.observation.usage_details"]) == {
        "input": 412,
        "output": 96,
    }
    cost = json.loads(attributes["langfuse.observation.cost_details"])
    assert cost["total"] == pytest.approx(412 * 0.0008 / 1000 + 96 * 0.004 / 1000)
    assert json.loads(attributes["langfuse.observation.metadata.outcome"]) == "model"
    assert json.loads(attributes["langfuse.observation.model.parameters"])["temperature"] == 0
    assert "skill_coverage" in attributes["langfuse.observation.input"]


def test_a_refused_answer_is_traced_with_its_reason_and_redacted(fake: FakeLangfuse) -> None:
    leaking = dict(GROUNDED, explanation=GROUNDED["explanation"] + " Fale com " + PERSONAL[0])
    explainer, _ = _stubbed_explainer(_settings(fake), [leaking])

    explanation = explainer.explain(0.72, FACTORS)

    assert explanation.generator == "template"
    assert explanation.fallback_reason == "invalid_answer"
    assert explanation.prompt_source == "repository" and explanation.prompt_version == 0
    _wait_for(lambda: fake.generations())
    (generation,) = fake.generations()
    outcome = generation.attributes["langfuse.observation.metadata.outcome"]
    assert json.loads(outcome) == "invalid_answer"
    assert generation.attributes["langfuse.observation.level"] == "WARNING"
    exported = b"".join(fake.trace_bodies)
    assert PERSONAL[0].encode() not in exported
    assert b"[redacted]" in exported


def test_spans_go_through_a_tracer_provider_of_their_own(fake: FakeLangfuse) -> None:
    script = f"""
import json, sys
sys.path.insert(0, {str(ROOT)!r})
from opentelemetry import trace
from explain.settings import ExplainSettings
from explain.langfuse_client import open_langfuse
handle = open_langfuse(ExplainSettings(langfuse_host={fake.url!r},
    langfuse_public_key={fake.public_key!r}, langfuse_secret_key={fake.secret_key!r}))
print(json.dumps({{"global": type(trace.get_tracer_provider()).__name__,
    "own": handle.tracer_provider is not trace.get_tracer_provider()}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"global": "ProxyTracerProvider", "own": True}


def test_flush_returns_within_its_bound_when_langfuse_hangs() -> None:
    release = threading.Event()

    class SlowProvider:
        def force_flush(self) -> bool:
            release.wait(5)
            return True

    tracing = LangfuseTracing(client=None, tracer_provider=SlowProvider(), flush_timeout_s=0.2)
    started = time.perf_counter()
    assert tracing.flush() is False
    assert time.perf_counter() - started < 1.5
    release.set()


def test_langfuse_down_still_answers_with_the_repository_prompt() -> None:
    with socket.socket() as sock:  # a port nobody listens on: connections are refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    public, secret = langfuse_keys()
    settings = ExplainSettings(
        backend="bedrock",
        model_id=MODEL_ID,
        langfuse_host=f"http://127.0.0.1:{port}",
        langfuse_public_key=public,
        langfuse_secret_key=secret,
        flush_timeout_s=0.2,
    )
    explainer, _ = _stubbed_explainer(settings, [GROUNDED])
    started = time.perf_counter()
    explanation = explainer.explain(0.72, FACTORS)
    assert time.perf_counter() - started < 4.0
    assert explanation.generator == MODEL_ID
    assert (explanation.prompt_source, explanation.prompt_version) == ("repository", 0)


def test_no_langfuse_configured_means_the_repository_prompt_and_no_tracing() -> None:
    prompts, tracing = langfuse_parts(ExplainSettings(backend="bedrock", model_id=MODEL_ID))
    assert prompts.get().source == "repository"
    assert type(tracing).__name__ == "NoTracing"


def test_publish_prompt_creates_a_production_version(fake: FakeLangfuse) -> None:
    env = {
        "MATCH_LANGFUSE_HOST": fake.url,
        "MATCH_LANGFUSE_PUBLIC_KEY": fake.public_key,
        "MATCH_LANGFUSE_SECRET_KEY": fake.secret_key,
    }
    result = subprocess.run(
        [sys.executable, "-m", "explain.publish_prompt"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "match-explanation version 1" in result.stdout
    stored = fake.find_prompt(PROMPT_NAME, "production", None)
    assert stored["prompt"] == list(load_fallback_prompt().messages)
    assert stored["config"] == {"temperature": 0, "max_tokens": 400}


def test_unreadable_langfuse_keys_leave_the_llm_answering(monkeypatch) -> None:
    import explain.langfuse_client as langfuse_client
    from explain.langfuse_client import LangfuseSetupError

    def unreadable(*_, **__):
        raise LangfuseSetupError("the Langfuse keys secret cannot be read (AccessDenied)")

    monkeypatch.setattr(langfuse_client, "read_keys", unreadable)
    settings = ExplainSettings(
        backend="bedrock",
        model_id=MODEL_ID,
        langfuse_host="https://langfuse.internal.example.com",
        langfuse_secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:lf",
    )
    explainer, _ = _stubbed_explainer(settings, [GROUNDED])
    explanation = explainer.explain(0.72, FACTORS)
    assert explanation.generator == MODEL_ID
    assert explanation.prompt_source == "repository"


def test_a_prompt_config_without_a_usable_max_tokens_uses_the_setting(fake: FakeLangfuse) -> None:
    fallback = load_fallback_prompt()
    fake.add_prompt(PROMPT_NAME, list(fallback.messages), config={"max_tokens": "lots"})
    client = runtime_client("bedrock-runtime")
    requests: list[dict] = []
    client.meta.events.register(
        "provide-client-params.bedrock-runtime.Converse",
        lambda params, **_: requests.append(params),
    )
    with Stubber(client) as stub:
        stub.add_response("converse", converse_response(GROUNDED))
        explainer = build_explainer(
            _settings(fake, max_tokens=321), backend=BedrockBackend(client, MODEL_ID)
        )
        assert explainer.explain(0.72, FACTORS).generator == MODEL_ID
    assert requests[0]["inferenceConfig"]["maxTokens"] == 321
