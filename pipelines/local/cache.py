"""Step caching for local executions.

Like SageMaker, a step with caching enabled is skipped when an earlier successful run had the
same resolved arguments (code locations are content hashes, the local image tag is a hash of
the library code) within the expiry. Stricter than SageMaker, the key also holds a hash of the
input data, and a hit is refused when an output was overwritten since (another run wrote the
same S3 prefix), so a cached step never hands on data that is not its own.

Entries are written atomically (a temporary file renamed into place), so a crash mid-write
leaves the old entry or none. An entry that cannot be read anyway (truncated by a disk that
filled up, edited by hand) is a miss: the step runs again and its new entry replaces it; the
run says so once, never with a traceback.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pipelines.lake import Lake, write_atomically

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
    def __init__(self, root: Path, lake: Lake, warn: Callable[[str], None] | None = None) -> None:
        self.root = root
        self.lake = lake
        self.warn = warn or (lambda _: None)
        self._reported: set[Path] = set()

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
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            stored = datetime.fromisoformat(entry["stored_at"])
            outputs = dict(entry["outputs"])
            hit = CacheHit(str(entry["execution_id"]), dict(entry["properties"]))
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
            self._report_unreadable(step, path, error)
            return None
        if expire_after and datetime.now(UTC) - stored > parse_duration(expire_after):
            return None
        for uri, digest in outputs.items():
            if self.lake.digest(uri) != digest:
                return None
        return hit

    def _report_unreadable(self, step: str, path: Path, error: Exception) -> None:
        if path in self._reported:
            return
        self._reported.add(path)
        reason = type(error).__name__ + (f": {error}" if str(error) else "")
        self.warn(
            f"cache entry of step {step} is unreadable ({reason.splitlines()[0]}); "
            f"running the step instead, its new entry replaces {path}"
        )

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
        body = json.dumps(entry, indent=2, sort_keys=True, default=str)
        write_atomically(self._entry_path(step, key), body.encode("utf-8"))

    def referenced(self) -> tuple[set[str], set[str]]:
        """Execution ids and output URIs the readable entries name (what pruning must keep)."""
        executions: set[str] = set()
        uris: set[str] = set()
        for path in self.root.rglob("*.json") if self.root.is_dir() else ():
            try:
                entry = json.loads(path.read_text(encoding="utf-8"))
                executions.add(str(entry["execution_id"]))
                uris.update(entry["outputs"])
            except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
                continue
        return executions, uris
