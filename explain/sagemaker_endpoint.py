"""A model on a SageMaker real-time endpoint, through InvokeEndpoint.

The body is the chat-completions shape that the LLM containers on SageMaker accept (LMI/vLLM,
TGI): ``messages``, ``temperature`` 0, ``max_tokens`` and a ``response_format`` holding the
answer's JSON schema; the reply's ``choices[0].message.content`` is the answer as JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from explain.answer import TOOL_NAME, answer_schema
from explain.aws import as_llm_error
from explain.llm import Deadline, LlmFailed, Reply, RetryPolicy, with_retries


def invocation_body(messages: Sequence[dict[str, str]], max_tokens: int) -> bytes:
    body = {
        "messages": list(messages),
        "temperature": 0,
        "max_tokens": max_tokens,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": TOOL_NAME, "schema": answer_schema(), "strict": True},
        },
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def completion_content(payload: bytes) -> tuple[str, dict[str, Any]]:
    """The first choice's content and the usage; ``LlmFailed`` for any other shape."""
    try:
        document = json.loads(payload)
        content = document["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise LlmFailed("the endpoint's reply is not a chat completion") from None
    if not isinstance(content, str):
        raise LlmFailed("the endpoint's reply has no text content")
    usage = document.get("usage") if isinstance(document.get("usage"), dict) else {}
    return content, usage


class SageMakerEndpointBackend:
    def __init__(
        self,
        client: Any,
        endpoint_name: str,
        *,
        inference_component: str = "",
        retry: RetryPolicy | None = None,
    ) -> None:
        self._client, self._endpoint = client, endpoint_name
        self._component = inference_component
        self.model = f"sagemaker:{endpoint_name}"
        self._retry = retry or RetryPolicy()

    def generate(
        self, messages: Sequence[dict[str, str]], deadline: Deadline, max_tokens: int
    ) -> Reply:
        request: dict[str, Any] = {
            "EndpointName": self._endpoint,
            "Body": invocation_body(messages, max_tokens),
            "ContentType": "application/json",
            "Accept": "application/json",
        }
        if self._component:
            request["InferenceComponentName"] = self._component

        def attempt() -> Reply:
            try:
                response = self._client.invoke_endpoint(**request)
                payload = response["Body"].read()
            except Exception as error:
                raise as_llm_error(error) from None
            content, usage = completion_content(payload)
            return Reply(
                answer=content,
                model=self.model,
                input_tokens=usage.get("prompt_tokens"),
                output_tokens=usage.get("completion_tokens"),
            )

        return with_retries(attempt, deadline, self._retry)
