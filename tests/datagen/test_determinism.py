"""Same seed and options, same bytes; another seed, other data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from datagen import generate

ROOT = Path(__file__).resolve().parents[2]


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def test_same_seed_gives_identical_bytes_across_processes(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=11, scale=0.01, signal=True, cv_file_share=0.1, log=None)
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run(
        [sys.executable, "-m", "datagen", "--out", str(tmp_path / "b"), "--seed", "11",
         "--scale", "0.01", "--cv-file-share", "0.1"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    first, second = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert any(name.startswith("cvs/") for name in first)


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=1, scale=0.005, signal=True, cv_file_share=0.0, log=None)
    generate(tmp_path / "b", seed=2, scale=0.005, signal=True, cv_file_share=0.0, log=None)
    for name in ("vagas.json", "applicants.json", "prospects.json", "_truth/oracle_scores.csv"):
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "b" / name).read_bytes()


def test_parallel_rendering_gives_the_same_cv_files(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=3, scale=0.002, signal=True, cv_file_share=0.3, workers=1,
             log=None)  # fmt: skip
    generate(tmp_path / "b", seed=3, scale=0.002, signal=True, cv_file_share=0.3, workers=2,
             log=None)  # fmt: skip
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_rerun_in_the_same_folder_replaces_stale_cv_files(tmp_path: Path) -> None:
    generate(tmp_path, seed=4, scale=0.002, signal=True, cv_file_share=0.5, log=None)
    report = generate(tmp_path, seed=5, scale=0.002, signal=True, cv_file_share=0.1, log=None)
    assert len(list((tmp_path / "cvs").iterdir())) == report["counts"]["cv_files"]["total"]
