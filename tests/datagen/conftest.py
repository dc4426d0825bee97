"""Shared fixtures: one small generated data set, written once per test session."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from datagen.generator import Dataset, build_dataset
from datagen.writer import write_dataset

SMALL_SEED = 7
SMALL_SCALE = 0.02
SMALL_CV_SHARE = 0.1


@dataclass(frozen=True)
class Run:
    """A generated data set on disk, with its in-memory form and the parsed JSON files."""

    out: Path
    data: Dataset
    jobs: dict
    applicants: dict
    prospects: dict

    @property
    def report(self) -> dict:
        return self.data.report


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("datagen_small")
    data = build_dataset(SMALL_SEED, SMALL_SCALE, True, SMALL_CV_SHARE, profile="rich")
    write_dataset(out, data, workers=1, log=lambda _: None)
    return Run(
        out,
        data,
        _read(out / "vagas.json"),
        _read(out / "applicants.json"),
        _read(out / "prospects.json"),
    )
