"""Synthetic recruiting data in the exact format of the Decision data set.

``generate`` writes ``vagas.json``, ``applicants.json``, ``prospects.json``, CV files under
``cvs/`` and the ground truth under ``_truth/`` (see ``datagen/README.md`` and
``docs/data-contracts.md``); ``python -m datagen`` is its command line.
"""

from __future__ import annotations

import sys
from pathlib import Path

from datagen.generator import DEFAULT_CV_FILE_SHARE, DEFAULT_PROFILE, Log, build_dataset, quiet

__all__ = ["generate"]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def generate(
    out_dir: Path,
    seed: int = 42,
    scale: float = 0.1,
    signal: bool = True,
    cv_file_share: float | None = None,
    *,
    workers: int | None = None,
    log: Log | None = _stderr,
    profile: str = DEFAULT_PROFILE,
) -> dict:
    """Generate one data set under ``out_dir`` and return its report.

    Same arguments, same bytes. ``profile`` is "real" (shaped like the published files) or
    "rich" (``datagen/README.md``); ``cv_file_share`` None takes the profile's default.
    ``workers`` is the number of processes rendering CV files (default: 1 for few files, else up
    to 2); ``log`` gets progress lines (None: silent).
    """
    from datagen.writer import write_dataset

    sink = log or quiet
    if cv_file_share is None:
        cv_file_share = DEFAULT_CV_FILE_SHARE.get(profile, 0.1)
    data = build_dataset(seed, scale, signal, cv_file_share, sink, profile)
    write_dataset(Path(out_dir), data, workers, sink)
    return data.report
