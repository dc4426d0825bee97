"""Feature group definitions and ingestion reports (pure data)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

# SageMaker Feature Store's three feature types.
STRING, INTEGRAL, FRACTIONAL = "String", "Integral", "Fractional"
_GROUP_NAME = re.compile(r"^[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}$")


class FeatureGroupError(ValueError):
    """A group name, record or frame that does not fit the group's definition."""


@dataclass(frozen=True)
class FeatureGroupSpec:
    name: str
    record_id: str
    event_time: str
    features: dict[str, str]  # name -> String | Integral | Fractional

    def __post_init__(self) -> None:
        if not _GROUP_NAME.match(self.name):
            raise FeatureGroupError(f"invalid feature group name {self.name!r}")
        for required in (self.record_id, self.event_time):
            if self.features.get(required) != STRING:
                raise FeatureGroupError(f"{required!r} must be a String feature of {self.name}")

    def check_frame(self, frame: pd.DataFrame) -> None:
        missing = [name for name in self.features if name not in frame.columns]
        if missing:
            raise FeatureGroupError(f"{self.name}: records lack features {missing}")


@dataclass
class IngestionReport:
    group: str
    received: int = 0
    written: int = 0
    unchanged: int = 0
    failed: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "group": self.group,
            "received": self.received,
            "written": self.written,
            "unchanged": self.unchanged,
            "failed": len(self.failed),
            "failures": self.failed[:100],
        }


def _feature_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_integer_dtype(series):
        return INTEGRAL
    if pd.api.types.is_float_dtype(series):
        return FRACTIONAL
    return STRING


def spec_from_frame(
    name: str,
    frame: pd.DataFrame,
    record_id: str,
    event_time: str = "event_time",
    declared: dict[str, str] | None = None,
) -> FeatureGroupSpec:
    """A group definition from a profiles frame; declared types win over inferred ones."""
    declared = {k: _normalise_type(v) for k, v in (declared or {}).items()}
    features = {column: declared.get(column, _feature_type(frame[column])) for column in frame}
    features[record_id] = STRING
    features[event_time] = STRING
    return FeatureGroupSpec(name, record_id, event_time, features)


def _normalise_type(kind: str) -> str:
    lookup = {"string": STRING, "integral": INTEGRAL, "fractional": FRACTIONAL}
    if kind.lower() not in lookup:
        raise FeatureGroupError(f"unknown feature type {kind!r}")
    return lookup[kind.lower()]
