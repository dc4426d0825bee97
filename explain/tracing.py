"""Traces of the LLM calls: one Langfuse generation per call, or nothing.

``LangfuseTracing`` records, per call: the model, the prompt's name and version (linked to the
Langfuse prompt when it came from there), the rendered messages (numbers and feature names
only), the answer, the latency, the token counts, the cost when prices are configured, and
the outcome (``model`` or the reason for the fallback). Everything passes ``pii.redact`` before
export. Spans go through a tracer provider of its own, never registered as OpenTelemetry's
global one, so nothing else in the process is exported to Langfuse. ``flush()`` exports what is
pending in a worker thread and returns after ``flush_timeout_s`` at the latest: on Lambda it is
called before each response (the process is frozen after it), and a slow or down Langfuse
delays an answer by that bound at most.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Protocol

from explain.prompts import Prompt

GENERATION_NAME = "match-explanation"


class Observation(Protocol):
    def update(self, **fields: Any) -> None: ...


class Tracing(Protocol):
    def generation(
        self,
        *,
        model: str,
        prompt: Prompt,
        messages: Sequence[Mapping[str, str]],
        model_parameters: Mapping[str, Any],
        metadata: Mapping[str, Any],
    ) -> contextlib.AbstractContextManager[Observation]: ...

    def flush(self) -> bool: ...


class _NoObservation:
    def update(self, **fields: Any) -> None:
        return None


class NoTracing:
    """Langfuse not configured: nothing is recorded or sent."""

    @contextlib.contextmanager
    def generation(self, **_: Any) -> Iterator[Observation]:
        yield _NoObservation()

    def flush(self) -> bool:
        return True


class LangfuseTracing:
    def __init__(self, client: Any, tracer_provider: Any, flush_timeout_s: float = 1.0) -> None:
        self._client, self._provider = client, tracer_provider
        self._flush_timeout_s = flush_timeout_s
        self._flusher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="langfuse-flush")
        self._pending_flush: Any = None
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def generation(
        self,
        *,
        model: str,
        prompt: Prompt,
        messages: Sequence[Mapping[str, str]],
        model_parameters: Mapping[str, Any],
        metadata: Mapping[str, Any],
    ) -> Iterator[Observation]:
        with self._client.start_as_current_observation(
            name=GENERATION_NAME,
            as_type="generation",
            model=model,
            model_parameters=dict(model_parameters),
            input=list(messages),
            metadata={
                "prompt_name": prompt.name,
                "prompt_version": prompt.version,
                "prompt_source": prompt.source,
                **metadata,
            },
            prompt=prompt.client,
        ) as observation:
            yield observation

    def flush(self) -> bool:
        """Export pending spans; False when that took longer than the bound (it goes on)."""
        with self._lock:
            if self._pending_flush is None or self._pending_flush.done():
                self._pending_flush = self._flusher.submit(self._provider.force_flush)
            pending = self._pending_flush
        try:
            pending.result(timeout=self._flush_timeout_s)
        except FutureTimeout:
            return False
        except Exception:  # an exporter error must not fail the request it traces
            return False
        return True


def cost_details(
    input_tokens: int | None,
    output_tokens: int | None,
    input_price_per_1k: float | None,
    output_price_per_1k: float | None,
) -> dict[str, float] | None:
    """USD per part and in total, when both prices and both counts are known."""
    if None in (input_tokens, output_tokens, input_price_per_1k, output_price_per_1k):
        return None
    costs = {
        "input": input_tokens * input_price_per_1k / 1000,  # type: ignore[operator]
        "output": output_tokens * output_price_per_1k / 1000,  # type: ignore[operator]
    }
    return costs | {"total": costs["input"] + costs["output"]}
