"""Is a model's answer grounded in the factors it was given?

An answer is grounded when every factor it cites is among those sent, with the direction of
that factor's contribution; when its text names no other feature the model knows of (by
identifier or by the words of ``vocabulary``) unless a sent factor shares the word; and when it
holds no personal data pattern. Anything else is refused with the first reason found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from explain.answer import StructuredAnswer
from explain.factors import Factor
from explain.pii import contains_personal_data
from explain.vocabulary import TERMS, keywords_of


class GroundingError(ValueError):
    """The answer cites something it was not given, or contradicts a sign."""


def check_grounding(
    answer: StructuredAnswer, factors: Sequence[Factor], known_features: Iterable[str] = ()
) -> None:
    sent = {f.feature: f for f in factors}
    for cited in answer.cited_factors:
        factor = sent.get(cited.feature)
        if factor is None:
            raise GroundingError(f"cites '{cited.feature}', which was not among the factors sent")
        if cited.direction != factor.direction:
            raise GroundingError(
                f"says '{cited.feature}' {cited.direction}, but its contribution {factor.direction}"
            )
    _check_text(answer.explanation, sent, {*TERMS, *known_features})


def _mentions(text: str, word: str) -> bool:
    """``word`` at the start of a word of ``text`` (``estado``, not ``prestado``)."""
    return re.search(rf"(?<!\w){re.escape(word)}", text) is not None


def _check_text(text: str, sent: dict[str, Factor], known: set[str]) -> None:
    lowered = text.lower()
    allowed = {word for feature in sent for word in keywords_of(feature)}
    for feature in sorted(known - set(sent)):
        for word in keywords_of(feature):
            if word not in allowed and _mentions(lowered, word):
                raise GroundingError(f"the text refers to '{feature}', which was not sent")
    if contains_personal_data(text):
        raise GroundingError("the text holds personal data")
