"""TF-IDF similarity between a job's text and a CV, over the matching lexicon.

Contract: ``fit_text_model(documents)`` learns inverse document frequencies from lexicon term
counts (``features.lexicon.term_counts``) of the training period's job texts and CVs; the
``TextModel`` is a small JSON document saved beside the model (``to_json`` / ``from_json``), so
training and serving weigh terms the same way. ``weighted_vector(counts, model)`` is the
L2-normalised TF-IDF vector of one text (sublinear term frequency ``1 + ln(tf)``, smoothed idf
``ln((1 + n) / (1 + df)) + 1``; a term the training period never saw gets the idf of a term
seen in no document); ``cosine(a, b)`` of two such vectors is the similarity, in [0, 1].

Pure standard library: serving computes it per request without numpy. A job against 1,000 CVs
costs one vector per CV (its terms are few, a few dozen) and one sparse dot product each.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TEXT_MODEL_FILE = "text_model.json"
FORMAT = "tfidf-lexicon/1"

Vector = dict[str, float]


class TextModelError(ValueError):
    """A text model file that cannot be read as one."""


@dataclass(frozen=True)
class TextModel:
    """Inverse document frequencies learnt from ``documents`` texts."""

    idf: Mapping[str, float]
    documents: int

    @property
    def unseen_idf(self) -> float:
        """The weight of a term no training document held."""
        return math.log(1 + self.documents) + 1.0

    def to_json(self) -> str:
        idf = dict(sorted(self.idf.items()))
        body = {"format": FORMAT, "documents": self.documents, "idf": idf}
        return json.dumps(body, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> TextModel:
        try:
            body = json.loads(text)
            if body.get("format") != FORMAT:
                raise TextModelError(f"not a {FORMAT} text model: format {body.get('format')!r}")
            idf = {str(term): float(value) for term, value in body["idf"].items()}
            return cls(idf=idf, documents=int(body["documents"]))
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError) as error:
            if isinstance(error, TextModelError):
                raise
            raise TextModelError(f"unreadable text model: {error}") from None


def fit_text_model(documents: Iterable[Mapping[str, int]]) -> TextModel:
    """IDF of every term in ``documents`` (one term-count mapping per text)."""
    frequency: dict[str, int] = {}
    n = 0
    for counts in documents:
        n += 1
        for term, count in counts.items():
            if count > 0:
                frequency[term] = frequency.get(term, 0) + 1
    idf = {term: math.log((1 + n) / (1 + df)) + 1.0 for term, df in frequency.items()}
    return TextModel(idf=idf, documents=n)


def weighted_vector(counts: Mapping[str, int], model: TextModel) -> Vector:
    """The L2-normalised TF-IDF vector of one text's term counts (empty for no terms)."""
    idf, unseen = model.idf, model.unseen_idf
    vector = {
        term: (1.0 + math.log(count)) * idf.get(term, unseen)
        for term, count in counts.items()
        if count > 0
    }
    norm = math.sqrt(sum(w * w for w in vector.values()))
    if norm == 0.0:
        return {}
    return {term: w / norm for term, w in vector.items()}


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity of two normalised vectors; NaN when either is empty."""
    if not a or not b:
        return math.nan
    if len(b) < len(a):
        a, b = b, a
    return sum(w * b.get(term, 0.0) for term, w in a.items())
