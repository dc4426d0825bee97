"""One interface for the LLM backends, and what they share: the deadline and the retries.

A backend turns rendered chat messages into a ``Reply`` (the structured answer as the model
gave it, token counts, model id). Each call has a budget (``Deadline``): attempts run in a
worker thread and are abandoned when the budget runs out (``LlmTimeout``), even if the socket
has not timed out yet. Throttling and transient errors are retried with exponential backoff
and full jitter while the budget allows; other errors fail at once (``LlmFailed``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, Protocol

#: enough for the concurrent requests one Lambda instance (1) or a uvicorn worker serves
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="llm")


class LlmError(Exception):
    """The LLM gave no usable answer; ``reason`` is what the API reports."""

    reason = "llm_error"


class LlmTimeout(LlmError):
    reason = "timeout"


class LlmThrottled(LlmError):
    """Throttled or transiently unavailable: worth another attempt."""

    reason = "throttled"


class LlmFailed(LlmError):
    reason = "llm_error"


@dataclass(frozen=True)
class Reply:
    answer: Any  # the tool input (dict) or the JSON text the model returned
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    attempts: int = 1


class LlmBackend(Protocol):
    #: what the response's ``generator`` names: the model id or the endpoint
    model: str

    def generate(
        self, messages: Sequence[dict[str, str]], deadline: Deadline, max_tokens: int
    ) -> Reply: ...


class Deadline:
    """A budget of seconds from now."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._ends = clock() + seconds

    def remaining(self) -> float:
        return max(0.0, self._ends - self._clock())


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    base_delay_s: float = 0.2
    max_delay_s: float = 2.0

    def delay(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**(attempt - 1))]."""
        return rng() * min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))


def within_deadline(call: Callable[[], Reply], deadline: Deadline) -> Reply:
    """``call()`` in a worker thread, abandoned (``LlmTimeout``) when the budget runs out."""
    remaining = deadline.remaining()
    if remaining <= 0:
        raise LlmTimeout("no time left for the LLM call")
    future = _POOL.submit(call)
    try:
        return future.result(timeout=remaining)
    except FutureTimeout:
        future.cancel()
        raise LlmTimeout(f"no answer within {remaining:.2f} s") from None


def with_retries(
    attempt: Callable[[], Reply],
    deadline: Deadline,
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> Reply:
    """Attempts until one answers, a non-retryable error, the attempts or the budget run out."""
    for number in range(1, policy.max_attempts + 1):
        try:
            reply = within_deadline(attempt, deadline)
        except LlmThrottled:
            pause = policy.delay(number)
            if number == policy.max_attempts or pause >= deadline.remaining():
                raise
            sleep(pause)
            continue
        return Reply(reply.answer, reply.model, reply.input_tokens, reply.output_tokens, number)
    raise LlmThrottled("no attempt left")  # pragma: no cover - the loop returns or raises
