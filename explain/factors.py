"""Factors: the contributions an explanation may cite, with the direction of each.

A factor is one feature's value and its SHAP contribution (log-odds). Contributions of exactly
zero say nothing either way and are left out; unknown values (NaN or None) stay unknown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Direction = Literal["favorece", "desfavorece"]


@dataclass(frozen=True)
class Factor:
    feature: str
    value: float | None
    contribution: float

    @property
    def direction(self) -> Direction:
        return "favorece" if self.contribution > 0 else "desfavorece"


def _value(raw: Any) -> float | None:
    if raw is None:
        return None
    value = float(raw)
    return None if math.isnan(value) else value


def factors_from_contributions(contributions: Iterable[Mapping[str, Any]]) -> list[Factor]:
    """``[{feature, value, contribution}, ...]`` (largest first) -> factors, zeros dropped."""
    factors = []
    for item in contributions:
        contribution = float(item["contribution"])
        if contribution == 0.0 or math.isnan(contribution):
            continue
        factors.append(Factor(str(item["feature"]), _value(item.get("value")), contribution))
    return factors
