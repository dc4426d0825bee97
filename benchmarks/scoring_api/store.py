"""The online store the rank-by-codes scenarios look profiles up in: the SQLite stores a
pipeline run left (or the environment names), the first of them that holds the bench's job and
every one of its applicants, else one built in the temporary folder from the same records, and
``StoredProfiles``, which opens a store read-only as the app does."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.scoring_api.figures import ROOT, BenchError
from benchmarks.scoring_api.records import RANK_SIZES, Records

#: where a pipeline run leaves the online store, and the serving environment that names it
PIPELINE_STORE = (
    ROOT / ".lake" / "datathon-mlet03-curated" / "feature-store" / "online-store.sqlite"
)
SERVING_ENV = ROOT / "build" / "serving" / "serving.env"
SQLITE_PREFIX = "sqlite:///"


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _sqlite_spec(setting: str) -> str | None:
    """``sqlite:///<absolute path>`` for a SQLite store setting whose file exists, else None."""
    setting = setting.strip().strip("\"'")
    if not setting.startswith(SQLITE_PREFIX) or len(setting) == len(SQLITE_PREFIX):
        return None
    path = Path(setting[len(SQLITE_PREFIX) :]).resolve()
    return f"{SQLITE_PREFIX}{path}" if path.is_file() else None


def store_candidates() -> list[tuple[str, str]]:
    """SQLite online stores a pipeline run left (or the environment names), with where each
    came from: ``MATCH_ONLINE_STORE`` here, the one ``build/serving/serving.env`` names (written
    by ``python -m pipelines.export_model``), the pipeline's default file."""
    settings = [(os.environ.get("MATCH_ONLINE_STORE", ""), "MATCH_ONLINE_STORE in the environment")]
    if SERVING_ENV.is_file():
        for line in SERVING_ENV.read_text("utf-8").splitlines():
            name, _, value = line.partition("=")
            if name.strip() == "MATCH_ONLINE_STORE":
                settings.append((value, f"the pipeline's store, named in {_relative(SERVING_ENV)}"))
    settings.append((f"{SQLITE_PREFIX}{PIPELINE_STORE}", "the pipeline's store"))
    found: dict[str, str] = {}
    for setting, where in settings:
        spec = _sqlite_spec(setting)
        if spec is not None and spec not in found:
            found[spec] = where
    return list(found.items())


class StoredProfiles:
    """An online store opened read-only as the app opens it, with the app's group names."""

    def __init__(self, spec: str, config: Any) -> None:
        from featurestore.online import open_online_store
        from serving.app import profile_field_types

        self.spec = spec
        self.jobs_group, self.applicants_group = config.jobs_group, config.applicants_group
        store = open_online_store(spec, profile_field_types(config), config.region)
        if store is None:
            raise BenchError(f"no online store for {spec!r}")
        self.store = store

    def lookup(self, job_code: str, codes: Sequence[str]) -> tuple[Any, dict[str, Any]]:
        """The job's profile (None when absent) and the applicants' profiles found, by code."""
        job = self.store.get_profiles(self.jobs_group, [job_code]).get(job_code)
        return job, self.store.get_profiles(self.applicants_group, list(codes))

    def close(self) -> None:
        self.store.close()


def store_misses(spec: str, config: Any, job_code: str, codes: Sequence[str]) -> str | None:
    """Why this store cannot serve the codes scenarios, or None when it holds them all."""
    from featurestore.online import OnlineStoreError

    try:
        stored = StoredProfiles(spec, config)
    except (OnlineStoreError, ValueError) as error:
        return f"cannot be opened ({error})"
    try:
        job, applicants = stored.lookup(job_code, codes)
    except OnlineStoreError as error:
        return f"lookup failed ({error})"
    finally:
        stored.close()
    if job is None:
        return f"holds no job {job_code} in {config.jobs_group}"
    if len(applicants) < len(codes):
        held = f"{len(applicants):,} of the {len(codes):,} applicants"
        return f"holds {held} in {config.applicants_group}"
    return None


def online_store_for(records: Records, config: Any, work: Path) -> tuple[str, dict[str, Any]]:
    """The store the codes scenarios use: the first pipeline store holding the bench's job and
    every one of its applicants, else one built in ``work`` from the same records."""
    job_code = records.jobs[0][0]
    codes = [code for code, _ in records.applicants[: max(RANK_SIZES)]]
    skipped = []
    for spec, where in store_candidates():
        reason = store_misses(spec, config, job_code, codes)
        if reason is None:
            return spec, {
                "source": where,
                "path": spec[len(SQLITE_PREFIX) :],
                "built": False,
                "profiles": "as the pipeline's feature ingestion computed and stored them",
                "job_code": job_code,
                "applicants": len(codes),
                "skipped": skipped,
            }
        skipped.append(f"{where} ({spec[len(SQLITE_PREFIX) :]}): {reason}")
    from tests.serving.factory import build_online_store

    started = time.perf_counter()
    path = build_online_store(
        work / "feature-store", dict(records.jobs), dict(records.applicants[: len(codes)])
    )
    built_s = time.perf_counter() - started
    spec = f"{SQLITE_PREFIX}{path.resolve()}"
    reason = store_misses(spec, config, job_code, codes)
    if reason is not None:
        raise BenchError(f"the online store built from the records {reason}")
    why = "; ".join(skipped) if skipped else "no pipeline store found"
    return spec, {
        "source": (
            "built in the temporary folder from the bench's records "
            f"(tests.serving.factory.build_online_store, {built_s:.1f} s): {why}"
        ),
        "path": str(path),
        "built": True,
        "profiles": "computed from the bench's records by build_online_store",
        "job_code": job_code,
        "applicants": len(codes),
        "skipped": skipped,
    }
