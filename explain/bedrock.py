"""Amazon Bedrock through the Converse API, with the answer as a forced tool call.

``modelId`` is a model id, an inference profile id (``us.anthropic...``) or an ARN, from the
configuration. Temperature 0; the tool's input schema is the answer's JSON schema and
``toolChoice`` forces that tool, so the answer is the tool call's ``input`` (validated by the
caller). Forced tool choice needs a model that supports it (Anthropic Claude 3 and later,
Amazon Nova, Mistral Large among them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from explain.answer import TOOL_DESCRIPTION, TOOL_NAME, answer_schema
from explain.aws import as_llm_error
from explain.llm import Deadline, LlmFailed, Reply, RetryPolicy, with_retries


def converse_request(
    model_id: str, messages: Sequence[dict[str, str]], max_tokens: int
) -> dict[str, Any]:
    """Converse's parameters: system messages apart, the rest as user/assistant turns."""
    system = [{"text": m["content"]} for m in messages if m["role"] == "system"]
    turns = [
        {"role": m["role"], "content": [{"text": m["content"]}]}
        for m in messages
        if m["role"] in ("user", "assistant")
    ]
    tool = {
        "toolSpec": {
            "name": TOOL_NAME,
            "description": TOOL_DESCRIPTION,
            "inputSchema": {"json": answer_schema()},
        }
    }
    request: dict[str, Any] = {
        "modelId": model_id,
        "messages": turns,
        "inferenceConfig": {"temperature": 0.0, "maxTokens": max_tokens},
        "toolConfig": {"tools": [tool], "toolChoice": {"tool": {"name": TOOL_NAME}}},
    }
    if system:
        request["system"] = system
    return request


def tool_input(response: dict[str, Any]) -> Any:
    """The forced tool call's input; ``LlmFailed`` when the model answered otherwise."""
    content = response.get("output", {}).get("message", {}).get("content", [])
    for block in content:
        use = block.get("toolUse")
        if use and use.get("name") == TOOL_NAME:
            return use.get("input")
    raise LlmFailed(f"no {TOOL_NAME} call in the answer (stop reason {response.get('stopReason')})")


class BedrockBackend:
    def __init__(self, client: Any, model_id: str, retry: RetryPolicy | None = None) -> None:
        self._client, self.model = client, model_id
        self._retry = retry or RetryPolicy()

    def generate(
        self, messages: Sequence[dict[str, str]], deadline: Deadline, max_tokens: int
    ) -> Reply:
        request = converse_request(self.model, messages, max_tokens)

        def attempt() -> Reply:
            try:
                response = self._client.converse(**request)
            except Exception as error:
                raise as_llm_error(error) from None
            usage = response.get("usage", {})
            return Reply(
                answer=tool_input(response),
                model=self.model,
                input_tokens=usage.get("inputTokens"),
                output_tokens=usage.get("outputTokens"),
            )

        return with_retries(attempt, deadline, self._retry)
