"""The Langfuse client: built once per process from the settings, imported only when used.

The SDK keeps one client per public key for the whole process and hands it back to any later
``Langfuse(...)`` with that key, whatever the other arguments: so the client is built here
once and shared by the prompts and the tracing. It gets a tracer provider of its own (the SDK
would otherwise create one and register it as OpenTelemetry's global provider), the redaction
of ``pii`` as its mask, and a short HTTP timeout. The keys come from the settings or from a
Secrets Manager secret (``{"public_key": ..., "secret_key": ...}``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from explain.pii import redact
from explain.settings import ExplainSettings

#: seconds for any one HTTP exchange with Langfuse (prompt fetch, trace export)
HTTP_TIMEOUT_S = 2


class LangfuseSetupError(RuntimeError):
    """Langfuse is configured but its keys cannot be read."""


@dataclass(frozen=True)
class LangfuseHandle:
    client: Any
    tracer_provider: Any


def read_keys(settings: ExplainSettings, secrets_client: Any = None) -> tuple[str, str]:
    if settings.langfuse_public_key and settings.langfuse_secret_key:
        return settings.langfuse_public_key, settings.langfuse_secret_key
    if secrets_client is None:
        import boto3

        secrets_client = boto3.client("secretsmanager", region_name=settings.region)
    try:
        secret = secrets_client.get_secret_value(SecretId=settings.langfuse_secret_arn)
        keys = json.loads(secret["SecretString"])
        return str(keys["public_key"]), str(keys["secret_key"])
    except Exception as error:
        raise LangfuseSetupError(
            f"the Langfuse keys secret cannot be read ({type(error).__name__})"
        ) from None


def _mask(*, data: Any, **_: Any) -> Any:
    return redact(data)


def open_langfuse(settings: ExplainSettings, secrets_client: Any = None) -> LangfuseHandle:
    from langfuse import Langfuse
    from opentelemetry.sdk.trace import TracerProvider

    public_key, secret_key = read_keys(settings, secrets_client)
    provider = TracerProvider()  # never passed to opentelemetry.trace.set_tracer_provider
    client = Langfuse(
        public_key=public_key,
        secret_key=secret_key,
        base_url=settings.langfuse_host.rstrip("/"),
        timeout=max(1, math.ceil(min(HTTP_TIMEOUT_S, settings.timeout_s))),
        environment=settings.langfuse_environment or None,
        mask=_mask,
        tracer_provider=provider,
        flush_interval=1.0,
    )
    return LangfuseHandle(client, provider)
