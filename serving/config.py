"""Serving configuration, read once from the environment (``MATCH_`` prefix).

Plain dataclass rather than pydantic-settings: the Lambda image carries only what serving needs.
A bad value raises ``ConfigError`` naming the variable and what it accepts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from explain.settings import BACKENDS, ExplainSettings

#: Lambda's synchronous invocation payload limit; API Gateway would refuse more anyway.
DEFAULT_MAX_BODY_BYTES = 6_000_000
DEFAULT_MAX_RANK_APPLICANTS = 1000
#: Where the Lambda image bakes a model at build time (``serving/Dockerfile``).
BAKED_MODEL_DIR = "/opt/ml/model"


class ConfigError(ValueError):
    """An environment variable holds a value serving cannot use."""


@dataclass(frozen=True)
class ServingConfig:
    #: folder, ``model.tar.gz`` file, or ``s3://bucket/key`` (archive or folder prefix)
    model_uri: str = ""
    #: override the name and version the model card (or its absence) gives
    model_name: str = ""
    model_version: str = ""
    #: ``""`` (no lookups), ``sqlite:///path`` (local store) or ``sagemaker``
    online_store: str = ""
    feature_group_prefix: str = "datathon-mlet03-match"
    region: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_rank_applicants: int = DEFAULT_MAX_RANK_APPLICANTS
    #: LightGBM threads per prediction; 1 keeps latency steady on Lambda's 1-2 vCPUs
    predict_threads: int = 1
    #: seconds before a failed model load is tried again (a 503 until then)
    model_retry_seconds: float = 30.0
    #: reads CV files' pages without a text layer: "none" (a scan is refused), "rapidocr"
    #: (``make serve``), "textract" (Lambda)
    ocr_engine: str = "none"
    #: /v1/explain: the LLM and Langfuse (the defaults: the template, no network)
    explain: ExplainSettings = field(default_factory=ExplainSettings)

    @property
    def jobs_group(self) -> str:
        return f"{self.feature_group_prefix}-jobs"

    @property
    def applicants_group(self) -> str:
        return f"{self.feature_group_prefix}-applicants"


def _positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {text!r}") from None
    if value < 1:
        raise ConfigError(f"{name} must be at least 1, got {value}")
    return value


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {text!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative, got {value}")
    return value


def _optional_price(env: Mapping[str, str], name: str) -> float | None:
    text = env.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a price in USD per 1,000 tokens, got {text!r}") from None
    if not value >= 0:
        raise ConfigError(f"{name} must not be negative, got {value}")
    return value


def _explain_settings(env: Mapping[str, str], region: str | None) -> ExplainSettings:
    """``MATCH_EXPLAIN_*`` (the LLM) and ``MATCH_LANGFUSE_*`` (prompts and traces)."""
    backend = env.get("MATCH_EXPLAIN_BACKEND", "").strip().lower()
    if backend not in BACKENDS:
        raise ConfigError(
            f"MATCH_EXPLAIN_BACKEND must be empty, 'bedrock' or 'sagemaker', got {backend!r}"
        )
    model_id = env.get("MATCH_EXPLAIN_MODEL_ID", "").strip()
    endpoint = env.get("MATCH_EXPLAIN_ENDPOINT_NAME", "").strip()
    if backend == "bedrock" and not model_id:
        raise ConfigError("MATCH_EXPLAIN_BACKEND=bedrock needs MATCH_EXPLAIN_MODEL_ID")
    if backend == "sagemaker" and not endpoint:
        raise ConfigError("MATCH_EXPLAIN_BACKEND=sagemaker needs MATCH_EXPLAIN_ENDPOINT_NAME")
    host = env.get("MATCH_LANGFUSE_HOST", "").strip()
    if host and not host.startswith(("https://", "http://")):
        raise ConfigError(f"MATCH_LANGFUSE_HOST must be an http(s):// URL, got {host!r}")
    timeout = _seconds(env, "MATCH_EXPLAIN_TIMEOUT_SECONDS", ExplainSettings.timeout_s)
    if timeout <= 0:
        raise ConfigError("MATCH_EXPLAIN_TIMEOUT_SECONDS must be more than 0")
    return ExplainSettings(
        backend=backend,
        model_id=model_id,
        endpoint_name=endpoint,
        inference_component=env.get("MATCH_EXPLAIN_INFERENCE_COMPONENT", "").strip(),
        region=region,
        timeout_s=timeout,
        max_attempts=_positive_int(env, "MATCH_EXPLAIN_MAX_ATTEMPTS", 3),
        max_tokens=_positive_int(env, "MATCH_EXPLAIN_MAX_TOKENS", 400),
        input_price_per_1k=_optional_price(env, "MATCH_EXPLAIN_INPUT_PRICE_PER_1K"),
        output_price_per_1k=_optional_price(env, "MATCH_EXPLAIN_OUTPUT_PRICE_PER_1K"),
        langfuse_host=host,
        langfuse_public_key=env.get("MATCH_LANGFUSE_PUBLIC_KEY", "").strip(),
        langfuse_secret_key=env.get("MATCH_LANGFUSE_SECRET_KEY", "").strip(),
        langfuse_secret_arn=env.get("MATCH_LANGFUSE_SECRET_ARN", "").strip(),
        langfuse_environment=env.get("MATCH_LANGFUSE_ENVIRONMENT", "").strip(),
        prompt_label=env.get("MATCH_LANGFUSE_PROMPT_LABEL", "").strip()
        or ExplainSettings.prompt_label,
        prompt_cache_ttl_s=_positive_int(env, "MATCH_LANGFUSE_PROMPT_CACHE_SECONDS", 300),
        flush_timeout_s=_seconds(env, "MATCH_LANGFUSE_FLUSH_TIMEOUT_SECONDS", 1.0),
    )


def _default_model_uri() -> str:
    return BAKED_MODEL_DIR if os.path.isdir(BAKED_MODEL_DIR) else ""


OCR_ENGINES = ("none", "rapidocr", "textract")


def _ocr_engine(env: Mapping[str, str]) -> str:
    name = env.get("MATCH_OCR_ENGINE", "").strip() or "none"
    if name not in OCR_ENGINES:
        raise ConfigError(f"MATCH_OCR_ENGINE must be one of {', '.join(OCR_ENGINES)}, got {name!r}")
    return name


def load_config(env: Mapping[str, str] | None = None) -> ServingConfig:
    """The configuration from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    store = env.get("MATCH_ONLINE_STORE", "").strip()
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None
    if store and store != "sagemaker" and not store.startswith("sqlite:///"):
        raise ConfigError(
            f"MATCH_ONLINE_STORE must be empty, 'sagemaker' or 'sqlite:///path', got {store!r}"
        )
    return ServingConfig(
        model_uri=env.get("MATCH_MODEL_URI", "").strip() or _default_model_uri(),
        model_name=env.get("MATCH_MODEL_NAME", "").strip(),
        model_version=env.get("MATCH_MODEL_VERSION", "").strip(),
        online_store=store,
        feature_group_prefix=env.get("MATCH_FEATURE_GROUP_PREFIX", "").strip()
        or ServingConfig.feature_group_prefix,
        region=region,
        max_body_bytes=_positive_int(env, "MATCH_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
        max_rank_applicants=_positive_int(
            env, "MATCH_MAX_RANK_APPLICANTS", DEFAULT_MAX_RANK_APPLICANTS
        ),
        predict_threads=_positive_int(env, "MATCH_PREDICT_THREADS", 1),
        model_retry_seconds=_seconds(env, "MATCH_MODEL_RETRY_SECONDS", 30.0),
        ocr_engine=_ocr_engine(env),
        explain=_explain_settings(env, region),
    )
