"""What the AWS backends share: clients with short timeouts and no retries of their own (the
retries are ``llm.with_retries``'), and botocore's errors mapped onto the LLM errors."""

from __future__ import annotations

import math
from typing import Any

from explain.llm import LlmError, LlmFailed, LlmThrottled, LlmTimeout

#: throttling or transient unavailability (Bedrock runtime and SageMaker runtime error codes)
RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailableException",
        "ServiceUnavailable",
        "ModelNotReadyException",
        "InternalServerException",
        "InternalFailure",
        "InternalDependencyException",
    }
)
TIMEOUT_CODES = frozenset({"ModelTimeoutException"})


def runtime_client(service: str, region: str | None, read_timeout_s: float) -> Any:
    """A boto3 client for ``bedrock-runtime`` or ``sagemaker-runtime`` (boto3 imported here)."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=1,
        read_timeout=max(1, math.ceil(read_timeout_s)),
        retries={"total_max_attempts": 1, "mode": "standard"},
    )
    return boto3.client(service, region_name=region, config=config)


def as_llm_error(error: Exception) -> LlmError:
    """botocore's exception -> ``LlmThrottled`` / ``LlmTimeout`` / ``LlmFailed``; the message
    names the error code only (a model's error text may quote the prompt)."""
    from botocore.exceptions import (
        ClientError,
        ConnectionError,
        ConnectTimeoutError,
        ReadTimeoutError,
    )

    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in RETRYABLE_CODES:
            return LlmThrottled(code)
        if code in TIMEOUT_CODES:
            return LlmTimeout(code)
        return LlmFailed(code or "ClientError")
    if isinstance(error, ReadTimeoutError):
        return LlmTimeout("read timeout")
    if isinstance(error, ConnectTimeoutError | ConnectionError):
        return LlmThrottled(type(error).__name__)
    return LlmFailed(type(error).__name__)
