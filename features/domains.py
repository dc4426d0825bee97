"""Domains of a text: what share of its lexicon terms speak of development, SAP/ERP, data, ...

Contract: ``domain_weights(counts)`` spreads each term's count evenly over its domains
(``features.lexicon.DOMAIN_OF``) and returns the unit-length vector of the totals;
``domain_match(a, b)`` is the cosine of two such vectors, in [0, 1]: 1 when a CV's terms are
spread over the domains exactly as the job's, NaN when either text has no domain term.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from features.lexicon import DOMAIN_OF


def domain_weights(counts: Mapping[str, int]) -> dict[str, float]:
    """Unit-length domain vector of a text's term counts (empty without domain terms)."""
    totals: dict[str, float] = {}
    for term, count in counts.items():
        domains = DOMAIN_OF.get(term)
        if not domains or count <= 0:
            continue
        share = count / len(domains)
        for domain in domains:
            totals[domain] = totals.get(domain, 0.0) + share
    norm = math.sqrt(sum(v * v for v in totals.values()))
    return {d: v / norm for d, v in totals.items()} if norm else {}


def domain_match(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine of two domain vectors; NaN when either is empty."""
    if not a or not b:
        return math.nan
    return sum(v * b.get(d, 0.0) for d, v in a.items())
