"""Writes a built ``Dataset`` to the raw-lake layout of ``docs/data-contracts.md``.

    DIR/vagas.json, DIR/applicants.json, DIR/prospects.json   one JSON object each, UTF-8
    DIR/cvs/<applicant_code>.pdf | .docx                       CV files
    DIR/_truth/oracle_scores.csv                               job_code,applicant_code,p,label
    DIR/_truth/generator_report.json                           the run's report
    DIR/_truth/scanned_cv_text.json                            scan file name -> its text

JSON objects are written one top-level entry per line (compact, ``ensure_ascii=False``), which
``json.load`` reads like any other layout and which keeps the writer fast at full scale. CV files
are rendered in worker processes when there are many; their bytes do not depend on the worker.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from datagen.documents import SCANNED_PDF, render_cv
from datagen.generator import CvFile, Dataset, Log

SCAN_TEXTS_FILE = "scanned_cv_text.json"
#: Below this many CV files a process pool costs more than it saves.
PARALLEL_MIN_FILES = 200


def write_json_object(path: Path, items: Iterable[tuple[str, object]]) -> None:
    """Write ``{key: value, ...}`` with one entry per line."""
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("{")
        for i, (key, value) in enumerate(items):
            f.write(",\n" if i else "\n")
            f.write(json.dumps(key, ensure_ascii=False))
            f.write(": ")
            f.write(json.dumps(value, ensure_ascii=False))
        f.write("\n}\n")


def write_oracle(path: Path, rows: Iterable[tuple[str, str, float, int]]) -> None:
    """Write ``_truth/oracle_scores.csv``."""
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("job_code,applicant_code,p,label\n")
        for job, applicant, p, label in rows:
            f.write(f"{job},{applicant},{p:.8f},{label}\n")


def write_report(path: Path, report: dict) -> None:
    """Write ``_truth/generator_report.json`` (pretty, stable key order)."""
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _render(task: CvFile) -> bytes:
    return render_cv(task.kind, task.text, task.extension, task.seed)


def default_workers(n_files: int) -> int:
    """One process for few files, else up to two (the target machine has two cores)."""
    if n_files < PARALLEL_MIN_FILES:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def write_cv_files(folder: Path, files: list[CvFile], workers: int, log: Log) -> None:
    """Render and write every CV file; stale ``.pdf``/``.docx`` files in ``folder`` go first."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in sorted(folder.iterdir()):
        if old.is_file() and old.suffix in (".pdf", ".docx"):
            old.unlink()
    t0 = time.perf_counter()
    step = max(1, len(files) // 10)

    def done(i: int) -> None:
        if (i + 1) % step == 0 or i + 1 == len(files):
            log(f"[datagen] cv files: {i + 1}/{len(files)} ({time.perf_counter() - t0:.1f}s)")

    if workers <= 1:
        for i, task in enumerate(files):
            (folder / f"{task.code}{task.extension}").write_bytes(_render(task))
            done(i)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for i, (task, data) in enumerate(
            zip(files, pool.map(_render, files, chunksize=8), strict=True)
        ):
            (folder / f"{task.code}{task.extension}").write_bytes(data)
            done(i)


def write_scan_texts(path: Path, files: list[CvFile]) -> None:
    """Write ``_truth/scanned_cv_text.json``: file name -> the text its scan shows.

    What OCR of the scans is measured against (the data report's character error rate).
    """
    texts = {f"{f.code}{f.extension}": f.text for f in files if f.kind == SCANNED_PDF}
    path.write_text(json.dumps(texts, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def write_dataset(out_dir: Path, data: Dataset, workers: int | None, log: Log) -> None:
    """Write every output of one run under ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    truth = out_dir / "_truth"
    truth.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    write_json_object(out_dir / "vagas.json", data.jobs.items())
    write_json_object(out_dir / "applicants.json", data.applicants.items())
    write_json_object(out_dir / "prospects.json", data.prospects.items())
    log(f"[datagen] json files written ({time.perf_counter() - t0:.1f}s)")
    n_workers = default_workers(len(data.cv_files)) if workers is None else workers
    write_cv_files(out_dir / "cvs", data.cv_files, n_workers, log)
    write_oracle(truth / "oracle_scores.csv", data.oracle)
    write_scan_texts(truth / SCAN_TEXTS_FILE, data.cv_files)
    write_report(truth / "generator_report.json", data.report)
    log(f"[datagen] done: {out_dir}")
