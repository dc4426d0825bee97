"""Character error rate of OCR against the text a page was rendered from."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein


def normalise(text: str) -> str:
    """Whitespace runs as one space: line breaks and wrapping are layout, not characters."""
    return " ".join(text.split())


def character_error_rate(truth: str, read: str) -> float:
    """Edits (insertions, deletions, substitutions) to turn ``read`` into ``truth``, per truth
    character; 0.0 is perfect. An empty truth gives 0.0 for an empty read, else 1.0."""
    expected, got = normalise(truth), normalise(read)
    if not expected:
        return 0.0 if not got else 1.0
    return Levenshtein.distance(expected, got) / len(expected)
