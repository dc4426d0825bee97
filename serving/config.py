"""Serving configuration, read once from the environment (``MATCH_`` prefix).

Plain dataclass rather than pydantic-settings: the Lambda image carries only what serving needs.
A bad value raises ``ConfigError`` naming the variable and what it accepts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

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


def _default_model_uri() -> str:
    return BAKED_MODEL_DIR if os.path.isdir(BAKED_MODEL_DIR) else ""


def load_config(env: Mapping[str, str] | None = None) -> ServingConfig:
    """The configuration from ``env`` (default: the process environment)."""
    env = os.environ if env is None else env
    store = env.get("MATCH_ONLINE_STORE", "").strip()
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
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        max_body_bytes=_positive_int(env, "MATCH_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
        max_rank_applicants=_positive_int(
            env, "MATCH_MAX_RANK_APPLICANTS", DEFAULT_MAX_RANK_APPLICANTS
        ),
        predict_threads=_positive_int(env, "MATCH_PREDICT_THREADS", 1),
        model_retry_seconds=_seconds(env, "MATCH_MODEL_RETRY_SECONDS", 30.0),
    )
