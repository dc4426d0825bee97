"""Step caching for local executions.

Like SageMaker, a step with caching enabled is skipped when an earlier successful run had the
same resolved arguments (code locations are content hashes, the local image tag is a hash of
the library code) within the expiry. Stricter than SageMaker, the key also holds a hash of the
input data, and a hit is refused when an output was overwritten since (another run wrote the
same S3 prefix), so a cached step never hands on data that is not its own.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipelines.lake import Lake

_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)


def parse_duration(text: str) -> timedelta:
    """ISO-8601 duration as SageMaker's CacheConfig.ExpireAfter takes it (months as 30 days)."""
    match = _DURATION.fullmatch(text or "")
    if not match or text in ("P", "PT"):
        raise ValueError(f"not an ISO-8601 duration: {text!r}")
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    days = parts.get("years", 0) * 365 + parts.get("months", 0) * 30 + parts.get("days", 0)
    return timedelta(
        weeks=parts.get("weeks", 0),
        days=days,
        hours=parts.get("hours", 0),
        minutes=parts.get("minutes", 0),
        seconds=parts.get("seconds", 0),
    )


def input_uris(step_type: str, arguments: Mapping[str, Any]) -> list[str]:
    if step_type == "Processing":
        return [i["S3Input"]["S3Uri"] for i in arguments.get("ProcessingInputs", [])]
    if step_type == "Training":
        return [
            c["DataSource"]["S3DataSource"]["S3Uri"] for c in arguments.get("InputDataConfig", [])
        ]
    return []


def declared_output_uris(step_type: str, arguments: Mapping[str, Any]) -> list[str]:
    if step_type != "Processing":
        return []
    outputs = arguments.get("ProcessingOutputConfig", {}).get("Outputs", [])
    return [o["S3Output"]["S3Uri"] for o in outputs]


def output_uris(step_type: str, properties: Mapping[str, Any]) -> list[str]:
    if step_type == "Processing":
        outputs = properties.get("ProcessingOutputConfig", {}).get("Outputs", {})
        return [o["S3Output"]["S3Uri"] for o in outputs.values()]
    if step_type == "Training":
        return [properties["ModelArtifacts"]["S3ModelArtifacts"]]
    return []


@dataclass(frozen=True)
class CacheHit:
    execution_id: str
    properties: dict[str, Any]


class StepCache:
    def __init__(self, root: Path, lake: Lake) -> None:
        self.root = root
        self.lake = lake

    def key(self, step: str, step_type: str, arguments: Mapping[str, Any]) -> str:
        # An input the step also writes back (a store it updates) is its own state, not data
        # handed to it: a hit checks that state through the output digests instead.
        written = set(declared_output_uris(step_type, arguments))
        digests = {
            uri: self.lake.digest(uri)
            for uri in input_uris(step_type, arguments)
            if uri not in written
        }
        payload = json.dumps(
            {"step": step, "type": step_type, "arguments": arguments, "inputs": digests},
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def _entry_path(self, step: str, key: str) -> Path:
        return self.root / step / f"{key}.json"

    def lookup(
        self, step: str, step_type: str, key: str, expire_after: str | None
    ) -> CacheHit | None:
        path = self._entry_path(step, key)
        if not path.exists():
            return None
        entry = json.loads(path.read_text())
        if expire_after:
            stored = datetime.fromisoformat(entry["stored_at"])
            if datetime.now(UTC) - stored > parse_duration(expire_after):
                return None
        for uri, digest in entry["outputs"].items():
            if self.lake.digest(uri) != digest:
                return None
        return CacheHit(entry["execution_id"], entry["properties"])

    def store(
        self, step: str, step_type: str, key: str, properties: Mapping[str, Any], execution_id: str
    ) -> None:
        outputs: Iterable[str] = output_uris(step_type, properties)
        entry = {
            "execution_id": execution_id,
            "stored_at": datetime.now(UTC).isoformat(),
            "properties": properties,
            "outputs": {uri: self.lake.digest(uri) for uri in outputs},
        }
        path = self._entry_path(step, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(entry, indent=2, sort_keys=True))
