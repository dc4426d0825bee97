"""Personal data patterns (e-mail, CPF, Brazilian phone numbers) and their redaction.

Nothing from a record reaches a prompt, so a model has no personal data to repeat; these
patterns guard what comes back (an answer quoting one is refused) and what is traced.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[redacted]"
_PATTERNS = (
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # e-mail
    re.compile(r"\b\d{3}\.?\d{3}\.?\d{3}-?\d{2}\b"),  # CPF
    re.compile(r"(?:\+?55\s?)?\(?\b\d{2}\)?\s?9?\d{4}[-\s]?\d{4}\b"),  # phone
)


def contains_personal_data(text: str) -> bool:
    return any(pattern.search(text) for pattern in _PATTERNS)


def redact(data: Any) -> Any:
    """Strings with personal data patterns replaced, through dicts, lists and tuples."""
    if isinstance(data, str):
        for pattern in _PATTERNS:
            data = pattern.sub(REDACTED, data)
        return data
    if isinstance(data, dict):
        return {key: redact(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [redact(value) for value in data]
    return data
