"""Bedrock's Converse API through botocore's Stubber: the real bedrock-runtime API model
validates every request we send and every response we read (moto has no Converse)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.stub import Stubber

from explain.answer import TOOL_NAME, answer_schema
from explain.bedrock import BedrockBackend
from explain.llm import Deadline, LlmFailed, LlmThrottled, LlmTimeout, RetryPolicy
from explain.prompts import load_fallback_prompt, prompt_variables, render
from tests.explain.stubs import FACTORS, GROUNDED, MODEL_ID, converse_response, runtime_client

MESSAGES = render(load_fallback_prompt(), prompt_variables(0.72, FACTORS))
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02)


def _captured(client: Any) -> list[dict]:
    calls: list[dict] = []
    client.meta.events.register(
        "provide-client-params.bedrock-runtime.Converse", lambda params, **_: calls.append(params)
    )
    return calls


def test_converse_asks_for_the_tool_at_temperature_zero_and_reads_its_input() -> None:
    client = runtime_client("bedrock-runtime")
    calls = _captured(client)
    with Stubber(client) as stub:
        stub.add_response("converse", converse_response(GROUNDED, 412, 96))
        reply = BedrockBackend(client, MODEL_ID).generate(MESSAGES, Deadline(5), 300)
        stub.assert_no_pending_responses()

    assert reply.answer == GROUNDED
    assert (reply.input_tokens, reply.output_tokens, reply.attempts) == (412, 96, 1)
    (request,) = calls
    assert request["modelId"] == MODEL_ID
    assert request["inferenceConfig"] == {"temperature": 0.0, "maxTokens": 300}
    assert request["toolConfig"]["toolChoice"] == {"tool": {"name": TOOL_NAME}}
    (tool,) = request["toolConfig"]["tools"]
    assert tool["toolSpec"]["inputSchema"] == {"json": answer_schema()}
    assert request["system"][0]["text"].startswith("Você explica a recrutadores")
    assert [m["role"] for m in request["messages"]] == ["user"]
    assert "skill_coverage" in request["messages"][0]["content"][0]["text"]


def test_throttling_is_retried_with_backoff_within_the_budget() -> None:
    client = runtime_client("bedrock-runtime")
    with Stubber(client) as stub:
        stub.add_client_error("converse", "ThrottlingException", "Too many", 429)
        stub.add_client_error("converse", "ServiceUnavailableException", "busy", 503)
        stub.add_response("converse", converse_response(GROUNDED))
        reply = BedrockBackend(client, MODEL_ID, FAST_RETRY).generate(MESSAGES, Deadline(5), 300)
        stub.assert_no_pending_responses()
    assert reply.attempts == 3


def test_throttling_past_the_last_attempt_gives_up() -> None:
    client = runtime_client("bedrock-runtime")
    with Stubber(client) as stub:
        for _ in range(3):
            stub.add_client_error("converse", "ThrottlingException", "Too many", 429)
        with pytest.raises(LlmThrottled):
            BedrockBackend(client, MODEL_ID, FAST_RETRY).generate(MESSAGES, Deadline(5), 300)
        stub.assert_no_pending_responses()


def test_a_refused_request_is_not_retried() -> None:
    client = runtime_client("bedrock-runtime")
    with Stubber(client) as stub:
        stub.add_client_error("converse", "AccessDeniedException", "no access to model", 403)
        with pytest.raises(LlmFailed, match="AccessDeniedException"):
            BedrockBackend(client, MODEL_ID, FAST_RETRY).generate(MESSAGES, Deadline(5), 300)
        stub.assert_no_pending_responses()


def test_an_answer_without_the_tool_call_fails() -> None:
    client = runtime_client("bedrock-runtime")
    text_only = converse_response(GROUNDED)
    text_only["output"]["message"]["content"] = [{"text": "Olá"}]
    text_only["stopReason"] = "end_turn"
    with Stubber(client) as stub:
        stub.add_response("converse", text_only)
        with pytest.raises(LlmFailed, match="end_turn"):
            BedrockBackend(client, MODEL_ID).generate(MESSAGES, Deadline(5), 300)


def test_a_slow_model_is_abandoned_when_the_budget_runs_out() -> None:
    client = runtime_client("bedrock-runtime")
    slow = "before-parameter-build.bedrock-runtime.Converse"  # before the Stubber answers
    client.meta.events.register(slow, lambda **_: time.sleep(3))
    with Stubber(client) as stub:
        stub.add_response("converse", converse_response(GROUNDED))
        started = time.perf_counter()
        with pytest.raises(LlmTimeout):
            BedrockBackend(client, MODEL_ID).generate(MESSAGES, Deadline(0.3), 300)
        assert time.perf_counter() - started < 2.5  # the 3 s call was not waited for
