"""The interface every feature store backend offers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import pandas as pd

from featurestore.spec import FeatureGroupSpec, IngestionReport


class FeatureStore(Protocol):
    def ensure_group(self, spec: FeatureGroupSpec) -> None:
        """Create the group when missing; a group with another definition is an error."""

    def ingest(self, spec: FeatureGroupSpec, frame: pd.DataFrame) -> IngestionReport:
        """Write records to the offline and online stores; report failures, never drop them."""

    def get_records(self, group: str, record_ids: Iterable[str]) -> dict[str, dict]:
        """Latest online record per id (ids not found are absent from the result)."""
