"""The explanation prompt: Langfuse's version labelled ``production``, else the repository's.

The prompt is a chat prompt (system and user messages) with ``{{variable}}`` placeholders,
named ``match-explanation``. ``explain/prompts/match-explanation.json`` is its copy in the
repository: the fallback whenever Langfuse is not configured, down or slow, and what
``python -m explain.publish_prompt`` publishes as a new version. Langfuse's version is cached
(``cache_ttl_s``, refreshed in the background once stale); after a failed fetch the fallback is
used without asking again for ``retry_after_s``, so a Langfuse outage costs one bounded fetch,
not one per request.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from explain.answer import TOOL_NAME
from explain.factors import Factor
from explain.template import chance_band, format_probability
from explain.vocabulary import describe, label_of

PROMPT_FILE = Path(__file__).with_name("prompts") / "match-explanation.json"
PROMPT_NAME = "match-explanation"
PRODUCTION_LABEL = "production"
#: the version the repository's copy reports (Langfuse numbers its versions from 1)
FALLBACK_VERSION = 0
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    messages: tuple[dict[str, str], ...]
    config: Mapping[str, Any]
    source: str  # "langfuse" | "repository"
    #: Langfuse's prompt object, to link the traced generation to this version
    client: Any = field(default=None, compare=False, repr=False)


def load_fallback_prompt(path: Path = PROMPT_FILE) -> Prompt:
    document = json.loads(path.read_text("utf-8"))
    return Prompt(
        name=document["name"],
        version=FALLBACK_VERSION,
        messages=tuple(document["prompt"]),
        config=document.get("config") or {},
        source="repository",
    )


def prompt_variables(probability: float, factors: Sequence[Factor]) -> dict[str, str]:
    """What fills the placeholders: numbers and feature descriptions, never record text."""
    lines = [
        f"- {f.feature} | {label_of(f.feature)} | {describe(f.feature, f.value)} | {f.direction}"
        for f in factors
    ]
    return {
        "probability": format_probability(probability),
        "band": chance_band(probability),
        "factors": "\n".join(lines) or "- (nenhum fator se destacou)",
        "tool_name": TOOL_NAME,
    }


def render(prompt: Prompt, variables: Mapping[str, str]) -> list[dict[str, str]]:
    """The messages with every ``{{name}}`` replaced (an unknown name is left as it is)."""

    def fill(text: str) -> str:
        return _PLACEHOLDER.sub(lambda m: variables.get(m.group(1), m.group(0)), text)

    return [{"role": m["role"], "content": fill(m["content"])} for m in prompt.messages]


class PromptSource(Protocol):
    def get(self) -> Prompt: ...


class RepositoryPrompts:
    """Always the repository's copy (no Langfuse configured)."""

    def __init__(self, prompt: Prompt | None = None) -> None:
        self._prompt = prompt or load_fallback_prompt()

    def get(self) -> Prompt:
        return self._prompt


class LangfusePrompts:
    """The ``production`` version from Langfuse through the SDK's cache; the fallback on error."""

    def __init__(
        self,
        client: Any,
        *,
        name: str = PROMPT_NAME,
        label: str = PRODUCTION_LABEL,
        cache_ttl_s: int = 300,
        fetch_timeout_s: int = 1,
        retry_after_s: float = 30.0,
        fallback: Prompt | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client, self._name, self._label = client, name, label
        self._cache_ttl_s, self._fetch_timeout_s = cache_ttl_s, fetch_timeout_s
        self._retry_after_s, self._clock = retry_after_s, clock
        self._fallback = fallback or load_fallback_prompt()
        self._failed_at: float | None = None
        self._lock = threading.Lock()
        self.last_error: str | None = None

    def get(self) -> Prompt:
        with self._lock:
            failed_at = self._failed_at
            if failed_at is not None and self._clock() - failed_at < self._retry_after_s:
                return self._fallback
        try:
            fetched = self._client.get_prompt(
                self._name,
                label=self._label,
                type="chat",
                cache_ttl_seconds=self._cache_ttl_s,
                max_retries=0,
                fetch_timeout_seconds=self._fetch_timeout_s,
            )
            prompt = _from_client(fetched)
        except Exception as error:  # the SDK raises its own, httpx's and pydantic's errors
            with self._lock:
                self._failed_at = self._clock()
                self.last_error = type(error).__name__
            return self._fallback
        with self._lock:
            self._failed_at, self.last_error = None, None
        return prompt


def _from_client(fetched: Any) -> Prompt:
    messages = tuple(
        {"role": str(m["role"]), "content": str(m["content"])}
        for m in fetched.prompt
        if isinstance(m, Mapping) and "content" in m
    )
    if not messages:
        raise ValueError("the Langfuse prompt has no messages")
    return Prompt(
        name=fetched.name,
        version=int(fetched.version),
        messages=messages,
        config=dict(fetched.config or {}),
        source="langfuse",
        client=fetched,
    )
