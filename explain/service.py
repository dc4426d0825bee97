"""The explanation of one score: the LLM's when it is configured and grounded, else the
template's, saying why.

``build_explainer(settings)`` is cheap: the LLM client and the Langfuse client are built on the
first explanation that needs them (boto3 and langfuse are not imported before), so a cold start
pays nothing for them. ``Explainer.explain`` never raises for an LLM or Langfuse problem: any
failure ends in the template with the reason in ``fallback_reason``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from explain.answer import AnswerError, parse_answer
from explain.factors import Factor
from explain.grounding import GroundingError, check_grounding
from explain.llm import Deadline, LlmBackend, LlmError, RetryPolicy
from explain.prompts import (
    LangfusePrompts,
    Prompt,
    PromptSource,
    RepositoryPrompts,
    prompt_variables,
    render,
)
from explain.settings import ExplainSettings
from explain.template import TEMPLATE_GENERATOR, render_template
from explain.tracing import NoTracing, Tracing, cost_details

log = logging.getLogger(__name__)

#: why the template answered although an LLM is configured
INVALID_ANSWER = "invalid_answer"
NO_FACTORS = "no_factors"


@dataclass(frozen=True)
class Explanation:
    text: str
    generator: str  # the model id, or "template"
    factors: tuple[Factor, ...]
    prompt_name: str | None = None
    prompt_version: int | None = None
    prompt_source: str | None = None  # "langfuse" | "repository"
    #: None when the model's answer is used, or no LLM is configured
    fallback_reason: str | None = None
    latency_ms: float = 0.0
    attempts: int = 0


@dataclass
class _Parts:
    backend: LlmBackend
    prompts: PromptSource
    tracing: Tracing


class Explainer:
    def __init__(
        self,
        settings: ExplainSettings,
        parts: Callable[[], _Parts] | None = None,
    ) -> None:
        self.settings = settings
        self._make_parts = parts
        self._parts: _Parts | None = None
        self._lock = threading.Lock()

    @property
    def llm_configured(self) -> bool:
        return self._make_parts is not None

    def _ready_parts(self) -> _Parts:
        with self._lock:
            if self._parts is None:
                self._parts = self._make_parts()  # type: ignore[misc]
            return self._parts

    def explain(self, probability: float, factors: Sequence[Factor]) -> Explanation:
        factors = tuple(factors)
        if self._make_parts is None:
            return self._template(probability, factors, None)
        if not factors:
            return self._template(probability, factors, NO_FACTORS)
        started = time.perf_counter()
        try:
            parts = self._ready_parts()
        except Exception as error:  # a client that cannot be built (region, keys secret)
            log.error("explanation set-up failed: %s", type(error).__name__)
            return self._template(probability, factors, LlmError.reason)
        deadline = Deadline(self.settings.timeout_s)
        prompt = parts.prompts.get()
        try:
            return self._ask(parts, prompt, probability, factors, deadline, started)
        finally:
            parts.tracing.flush()

    def _ask(
        self,
        parts: _Parts,
        prompt: Prompt,
        probability: float,
        factors: tuple[Factor, ...],
        deadline: Deadline,
        started: float,
    ) -> Explanation:
        messages = render(prompt, prompt_variables(probability, factors))
        max_tokens = _max_tokens(prompt.config, self.settings.max_tokens)
        parameters = {"temperature": 0, "max_tokens": max_tokens}
        metadata = {"factors": [f.feature for f in factors]}
        with parts.tracing.generation(
            model=parts.backend.model,
            prompt=prompt,
            messages=messages,
            model_parameters=parameters,
            metadata=metadata,
        ) as observation:
            text, reason, detail, reply = None, None, None, None
            try:
                reply = parts.backend.generate(messages, deadline, max_tokens)
                answer = parse_answer(reply.answer)
                check_grounding(answer, factors)
                text = answer.explanation
            except LlmError as error:
                reason = error.reason
                detail = str(error)
            except (AnswerError, GroundingError) as error:
                reason, detail = INVALID_ANSWER, str(error)
            except Exception as error:  # a bug must not cost the recruiter the explanation
                reason, detail = LlmError.reason, type(error).__name__
                log.error("explanation failed unexpectedly: %s", detail)
            latency_ms = (time.perf_counter() - started) * 1000
            observation.update(**_trace_fields(reply, reason, detail, latency_ms, self.settings))
        if reason is not None:
            fallback = self._template(probability, factors, reason)
            return _with_prompt(fallback, prompt, latency_ms, reply.attempts if reply else 0)
        return Explanation(
            text=text,  # type: ignore[arg-type]
            generator=parts.backend.model,
            factors=factors,
            prompt_name=prompt.name,
            prompt_version=prompt.version,
            prompt_source=prompt.source,
            latency_ms=latency_ms,
            attempts=reply.attempts if reply else 0,
        )

    @staticmethod
    def _template(
        probability: float, factors: tuple[Factor, ...], reason: str | None
    ) -> Explanation:
        return Explanation(
            text=render_template(probability, factors),
            generator=TEMPLATE_GENERATOR,
            factors=factors,
            fallback_reason=reason,
        )


def _max_tokens(config: Any, default: int) -> int:
    """The prompt's ``max_tokens`` when it is a positive whole number (Langfuse's config is
    free JSON), else the setting."""
    value = config.get("max_tokens") if isinstance(config, dict) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 4096:
        return value
    return default


def _with_prompt(
    explanation: Explanation, prompt: Prompt, latency_ms: float, attempts: int
) -> Explanation:
    return Explanation(
        text=explanation.text,
        generator=explanation.generator,
        factors=explanation.factors,
        prompt_name=prompt.name,
        prompt_version=prompt.version,
        prompt_source=prompt.source,
        fallback_reason=explanation.fallback_reason,
        latency_ms=latency_ms,
        attempts=attempts,
    )


def _trace_fields(
    reply: Any, reason: str | None, detail: str | None, latency_ms: float, settings: ExplainSettings
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "metadata": {
            "outcome": reason or "model",
            "latency_ms": round(latency_ms, 1),
            "attempts": reply.attempts if reply else 0,
        }
    }
    if reply is not None:
        fields["output"] = reply.answer
        usage = {"input": reply.input_tokens, "output": reply.output_tokens}
        fields["usage_details"] = {k: int(v) for k, v in usage.items() if v is not None}
        costs = cost_details(
            reply.input_tokens,
            reply.output_tokens,
            settings.input_price_per_1k,
            settings.output_price_per_1k,
        )
        if costs is not None:
            fields["cost_details"] = costs
    if reason is not None:
        fields["level"] = "WARNING"
        fields["status_message"] = f"{reason}: {detail}"
    return fields


def _default_parts(settings: ExplainSettings) -> _Parts:
    """The configured backend, and Langfuse's prompts and tracing when it is configured."""
    from explain.aws import runtime_client

    retry = RetryPolicy(max_attempts=settings.max_attempts)
    backend: LlmBackend
    if settings.backend == "bedrock":
        from explain.bedrock import BedrockBackend

        client = runtime_client("bedrock-runtime", settings.region, settings.timeout_s)
        backend = BedrockBackend(client, settings.model_id, retry)
    else:
        from explain.sagemaker_endpoint import SageMakerEndpointBackend

        client = runtime_client("sagemaker-runtime", settings.region, settings.timeout_s)
        backend = SageMakerEndpointBackend(
            client,
            settings.endpoint_name,
            inference_component=settings.inference_component,
            retry=retry,
        )
    prompts, tracing = langfuse_parts(settings)
    return _Parts(backend, prompts, tracing)


def langfuse_parts(settings: ExplainSettings) -> tuple[PromptSource, Tracing]:
    if not settings.langfuse_configured:
        return RepositoryPrompts(), NoTracing()
    from explain.langfuse_client import open_langfuse
    from explain.tracing import LangfuseTracing

    try:
        handle = open_langfuse(settings)
    except Exception as error:  # keys unreadable, SDK set-up: the LLM still answers
        log.error("Langfuse unavailable, using the repository prompt: %s", type(error).__name__)
        return RepositoryPrompts(), NoTracing()
    prompts = LangfusePrompts(
        handle.client,
        name=settings.prompt_name,
        label=settings.prompt_label,
        cache_ttl_s=settings.prompt_cache_ttl_s,
    )
    tracing = LangfuseTracing(handle.client, handle.tracer_provider, settings.flush_timeout_s)
    return prompts, tracing


def build_explainer(
    settings: ExplainSettings,
    *,
    backend: LlmBackend | None = None,
    prompts: PromptSource | None = None,
    tracing: Tracing | None = None,
) -> Explainer:
    """The explainer ``settings`` describe; ``backend``, ``prompts`` and ``tracing`` replace
    the configured ones (tests, the benchmark). No backend and no LLM configured: the template."""
    if backend is None and not settings.llm_configured:
        return Explainer(settings)
    if backend is None:
        return Explainer(settings, lambda: _default_parts(settings))

    def given_parts() -> _Parts:
        if prompts is None or tracing is None:
            default_prompts, default_tracing = langfuse_parts(settings)
        return _Parts(
            backend,
            prompts if prompts is not None else default_prompts,
            tracing if tracing is not None else default_tracing,
        )

    return Explainer(settings, given_parts)
