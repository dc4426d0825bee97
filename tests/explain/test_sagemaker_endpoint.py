"""A SageMaker endpoint through InvokeEndpoint, with botocore's Stubber (the real
sagemaker-runtime API model validates requests and responses)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.stub import Stubber

from explain.answer import parse_answer
from explain.llm import Deadline, LlmFailed, RetryPolicy
from explain.prompts import load_fallback_prompt, prompt_variables, render
from explain.sagemaker_endpoint import SageMakerEndpointBackend
from tests.explain.stubs import FACTORS, GROUNDED, completion_body, runtime_client

MESSAGES = render(load_fallback_prompt(), prompt_variables(0.3, FACTORS))


def _captured(client: Any) -> list[dict]:
    calls: list[dict] = []
    client.meta.events.register(
        "provide-client-params.sagemaker-runtime.InvokeEndpoint",
        lambda params, **_: calls.append(params),
    )
    return calls


def test_invoke_endpoint_sends_a_chat_completion_at_temperature_zero() -> None:
    client = runtime_client("sagemaker-runtime")
    calls = _captured(client)
    with Stubber(client) as stub:
        stub.add_response("invoke_endpoint", completion_body(json.dumps(GROUNDED), 380, 90))
        backend = SageMakerEndpointBackend(client, "match-explainer", inference_component="ic-1")
        reply = backend.generate(MESSAGES, Deadline(5), 250)
        stub.assert_no_pending_responses()

    assert parse_answer(reply.answer).model_dump() == GROUNDED
    assert (reply.model, reply.input_tokens, reply.output_tokens) == (
        "sagemaker:match-explainer",
        380,
        90,
    )
    (request,) = calls
    assert request["EndpointName"] == "match-explainer"
    assert request["InferenceComponentName"] == "ic-1"
    body = json.loads(request["Body"])
    assert body["temperature"] == 0 and body["max_tokens"] == 250
    assert body["messages"] == MESSAGES
    assert body["response_format"]["json_schema"]["schema"]["required"] == [
        "explanation",
        "cited_factors",
    ]


def test_an_unavailable_endpoint_is_retried_and_a_model_error_is_not() -> None:
    client = runtime_client("sagemaker-runtime")
    policy = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02)
    with Stubber(client) as stub:
        stub.add_client_error("invoke_endpoint", "ServiceUnavailable", "scaling", 503)
        stub.add_response("invoke_endpoint", completion_body(json.dumps(GROUNDED)))
        reply = SageMakerEndpointBackend(client, "e", retry=policy).generate(
            MESSAGES, Deadline(5), 250
        )
        assert reply.attempts == 2
        stub.add_client_error("invoke_endpoint", "ModelError", "container failed", 424)
        with pytest.raises(LlmFailed, match="ModelError"):
            SageMakerEndpointBackend(client, "e", retry=policy).generate(MESSAGES, Deadline(5), 250)
        stub.assert_no_pending_responses()


def test_a_reply_that_is_not_a_chat_completion_fails() -> None:
    client = runtime_client("sagemaker-runtime")
    with Stubber(client) as stub:
        response = completion_body("{}")
        payload = b'[{"generated_text": "..."}]'
        import io

        from botocore.response import StreamingBody

        response["Body"] = StreamingBody(io.BytesIO(payload), len(payload))
        stub.add_response("invoke_endpoint", response)
        with pytest.raises(LlmFailed, match="chat completion"):
            SageMakerEndpointBackend(client, "e").generate(MESSAGES, Deadline(5), 250)
