"""AWS runtime clients for botocore's Stubber, and the answers a model gives."""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import boto3
from botocore.response import StreamingBody

from explain.answer import TOOL_NAME
from explain.factors import Factor

FACTORS = (
    Factor("skill_coverage", 0.8, 0.91),
    Factor("english_gap", -1.0, -0.42),
    Factor("same_state", 1.0, 0.12),
)
MODEL_ID = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
GROUNDED = {
    "explanation": (
        "O candidato tem a maior parte das competências técnicas pedidas e está no mesmo "
        "estado da vaga, o que pesa a favor. O inglês abaixo do exigido pesa contra."
    ),
    "cited_factors": [
        {"feature": "skill_coverage", "direction": "favorece"},
        {"feature": "same_state", "direction": "favorece"},
        {"feature": "english_gap", "direction": "desfavorece"},
    ],
}


def runtime_client(service: str) -> Any:
    """A real client (its API model, its parameter validation) that never reaches AWS."""
    return boto3.client(
        service,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def converse_response(answer: Any, input_tokens: int = 412, output_tokens: int = 96) -> dict:
    return {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"toolUse": {"toolUseId": "tooluse_1", "name": TOOL_NAME, "input": answer}}
                ],
            }
        },
        "stopReason": "tool_use",
        "usage": {
            "inputTokens": input_tokens,
            "outputTokens": output_tokens,
            "totalTokens": input_tokens + output_tokens,
        },
        "metrics": {"latencyMs": 840},
    }


def completion_body(content: str, prompt_tokens: int = 380, completion_tokens: int = 90) -> dict:
    payload = json.dumps(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
        }
    ).encode()
    return {
        "Body": StreamingBody(io.BytesIO(payload), len(payload)),
        "ContentType": "application/json",
        "InvokedProductionVariant": "AllTraffic",
    }


def langfuse_keys() -> tuple[str, str]:
    """Keys unique to one test: the SDK reuses the first client made for a public key."""
    suffix = uuid.uuid4().hex[:12]
    return f"pk-lf-{suffix}", f"sk-lf-{suffix}"
