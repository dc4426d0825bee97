"""The deterministic explanation: a few pt-BR sentences from the probability and the factors.

Used when no LLM is configured, and in place of an LLM answer that is invalid, late or failed.
The same input always gives the same text; it cites only the factors it is given, each with
the direction of its contribution.
"""

from __future__ import annotations

from collections.abc import Sequence

from explain.factors import Factor
from explain.vocabulary import describe

TEMPLATE_GENERATOR = "template"


def _percent(probability: float) -> int:
    return round(probability * 100)


def chance_band(probability: float) -> str:
    """``alta`` from 60%, ``média`` from 30%, else ``baixa`` (on the percentage shown)."""
    if _percent(probability) >= 60:
        return "alta"
    if _percent(probability) >= 30:
        return "média"
    return "baixa"


def format_probability(probability: float) -> str:
    return f"{_percent(probability)}%"


def _clause(factors: Sequence[Factor]) -> str:
    return "; ".join(describe(f.feature, f.value) for f in factors)


def render_template(probability: float, factors: Sequence[Factor]) -> str:
    """``Chance estimada ...: 72% (alta). Pesam a favor: ...; ... Pesam contra: ...``"""
    sentences = [
        f"Chance estimada de contratação para esta vaga: {format_probability(probability)} "
        f"({chance_band(probability)})."
    ]
    favour = [f for f in factors if f.direction == "favorece"]
    against = [f for f in factors if f.direction == "desfavorece"]
    if favour:
        sentences.append(f"Pesam a favor: {_clause(favour)}.")
    if against:
        sentences.append(f"Pesam contra: {_clause(against)}.")
    if not factors:
        sentences.append("Nenhum fator se destacou na avaliação do modelo.")
    sentences.append("Os fatores são os de maior peso na avaliação do modelo, não uma decisão.")
    return " ".join(sentences)
