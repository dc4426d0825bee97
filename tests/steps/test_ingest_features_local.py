"""The local store handed through IngestFeatures: updated at the output, the input untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from steps.ingest_features import main, prepare_store


def profiles(folder: Path, jobs: int, applicants: int, day: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "job_code": [f"J{i}" for i in range(jobs)],
            "title": [f"analista {i}" for i in range(jobs)],
            "event_time": [f"2024-01-{day}T10:00:00Z"] * jobs,
        }
    ).to_parquet(folder / "jobs.parquet", index=False)
    pd.DataFrame(
        {
            "applicant_code": [f"A{i}" for i in range(applicants)],
            "skills": ["python;sql"] * applicants,
            "event_time": [f"2024-01-{day}T11:00:00Z"] * applicants,
        }
    ).to_parquet(folder / "applicants.parquet", index=False)
    return folder


def ingest(tmp_path: Path, name: str, store_in: Path, profiles_dir: Path) -> Path:
    store_out = tmp_path / name / "store"
    args = [
        f"--profiles-dir={profiles_dir}",
        f"--store-in={store_in}",
        f"--store-out={store_out}",
        f"--report-dir={tmp_path / name / 'report'}",
    ]
    assert main(args) == 0
    return store_out


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_store_handed_in_is_linked_and_copied_never_changed(tmp_path):
    first = ingest(tmp_path, "first", tmp_path / "none", profiles(tmp_path / "p1", 3, 4, "02"))
    before = fingerprint(first)
    second = ingest(tmp_path, "second", first, profiles(tmp_path / "p2", 5, 6, "03"))

    assert fingerprint(first) == before, "the input store must not change"
    grown = fingerprint(second)
    assert set(before) < set(grown)  # the new day's batches were added
    assert grown["online-store.sqlite"] != before["online-store.sqlite"]
    for name in before:
        if name.endswith(".parquet"):
            old, new = first / name, second / name
            assert old.stat().st_ino == new.stat().st_ino, f"{name} should be linked"
    online = "online-store.sqlite"
    assert (first / online).stat().st_ino != (second / online).stat().st_ino


def test_prepare_store_copies_where_it_cannot_link(tmp_path, monkeypatch):
    store_in = tmp_path / "in"
    (store_in / "offline").mkdir(parents=True)
    (store_in / "offline" / "a.parquet").write_text("batch")
    (store_in / "online-store.sqlite").write_text("db")

    def no_links(source, target):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr("steps.ingest_features.os.link", no_links)
    out = prepare_store(store_in, tmp_path / "out")
    assert (out / "offline" / "a.parquet").read_text() == "batch"
    assert (out / "offline" / "a.parquet").stat().st_ino != (
        store_in / "offline" / "a.parquet"
    ).stat().st_ino
