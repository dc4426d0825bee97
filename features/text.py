"""Text normalisation and tokenising shared by every feature builder.

Contract: ``normalize`` maps any text (or ``None``) to lower-case ASCII-folded text with runs of
whitespace collapsed to one space and no leading/trailing space; everything else in ``features/``
works on that normal form, so the processing step and the serving path see the same strings.
Pure functions, no I/O; they run per record at request time, so they stay cheap.
"""

from __future__ import annotations

import re
import unicodedata

# Combining marks left by NFKD decomposition ("é" -> "e" + U+0301).
_COMBINING_RE = re.compile("[\u0300-\u036f]")
_WORD_RE = re.compile(r"[a-z0-9]+")

# Short Portuguese and English function words that carry no matching signal.
_STOPWORD_TEXT = """
    a o e as os um uma uns umas de do da dos das em no na nos nas ao aos por pelo pela pelos
    pelas para com sem sob sobre entre ate que se ou nao sim como mais menos muito muita seu
    sua seus suas ser ter estar foi sao esta este essa esse isso isto ja tambem bem etc via
    the and or of to in on at for with by from as is are be an it its this that will can
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split())


def normalize(text: str | None) -> str:
    """Lower-case, strip accents, collapse whitespace; ``None`` -> ``""``.

    ``normalize("  Sênior\\n  Júnior ")`` == ``"senior junior"``.
    """
    if not text:
        return ""
    text = text.lower()
    if not text.isascii():
        text = _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))
    return " ".join(text.split())


def tokenize(text: str | None) -> list[str]:
    """Word tokens (runs of ``[a-z0-9]``) of the normalised text, in order."""
    return _WORD_RE.findall(normalize(text))


def tokens(normalized: str) -> list[str]:
    """Word tokens (runs of ``[a-z0-9]``) of already-normalised text, in order: read once, a
    long text's tokens serve each feature that counts them."""
    return _WORD_RE.findall(normalized)


def content_tokens(normalized: str) -> frozenset[str]:
    """Distinct tokens of already-normalised text that can carry meaning.

    Keeps tokens of three or more characters that are not stop words and not pure numbers.
    """
    return frozenset(
        token
        for token in set(_WORD_RE.findall(normalized))
        if len(token) > 2 and token not in STOPWORDS and not token.isdigit()
    )


def join_values(values: frozenset[str] | set[str]) -> str:
    """Sorted, ``";"``-joined string of a set of values (the profiles' list encoding)."""
    return ";".join(sorted(values))


def split_values(joined: str | None) -> frozenset[str]:
    """Inverse of ``join_values``; ``None`` or ``""`` -> empty set."""
    if not joined:
        return frozenset()
    return frozenset(joined.split(";"))
