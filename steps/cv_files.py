"""Preprocess's reading of the CV files: text layers, OCR of scanned pages, the text cache.

Two passes, so a run without scans never loads an OCR model and a run with a few scans shows
its progress:

1. every file: content hash, then the cache (an earlier read of the same bytes), else its
   text layers (15 to 25 ms a file, in a process pool with large chunks);
2. the files with pages left unread: OCR, a file at a time per worker, with a progress line
   every ``PROGRESS_EVERY_S`` seconds (about 5 seconds a page with rapidocr on one core here).

Every finished read goes into the output cache, when there is one (ExtractText's: Preprocess
then reads every file from it); ``documents_report`` counts the files by how their text was
obtained, the failures by reason, OCR's pages, seconds and confidence, and, where the generator
left the text its scans show (``_truth/scanned_cv_text.json``), OCR's character error rate.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cvtext.cache import TextCache, carry_over, content_hash
from cvtext.cer import character_error_rate
from cvtext.extract import DocumentOutcome, Extraction, TextSource, extract_cv_text
from cvtext.ocr import engine_named, single_thread_runtimes

# Below this many files the process pool's start-up costs more than it saves.
MIN_FILES_FOR_POOL = 64
PROGRESS_EVERY_S = 10.0


@dataclass(frozen=True)
class TextOptions:
    """How the step reads CV files: OCR engine, cache folders, workers, the scans' truth."""

    engine: str = "none"
    cache_in: Path | None = None
    cache_out: Path | None = None
    workers: int = 1
    scan_texts: Mapping[str, str] = field(default_factory=dict)
    #: copy the incoming cache to the output (one instance of several does it)
    carry_over: bool = True


@dataclass(frozen=True)
class FileRead:
    """One file's extraction; ``cached``: taken from an earlier run's OCR."""

    path: Path
    digest: str
    extraction: Extraction
    cached: bool = False
    #: went through the OCR pass in this run (whatever came of it)
    ocr_attempted: bool = False

    @property
    def needs_ocr(self) -> bool:
        return any(page.source is TextSource.NONE for page in self.extraction.pages) or (
            self.extraction.outcome is DocumentOutcome.NEEDS_OCR
        )


def _read_layers(job: tuple[Path, Path | None]) -> FileRead:
    path, cache_dir = job
    try:
        data = path.read_bytes()
    except OSError as error:
        failed = Extraction(DocumentOutcome.CORRUPT, detail=f"cannot read: {error.strerror}")
        return FileRead(path, "", failed)
    digest = content_hash(data)
    kept = TextCache(cache_dir).get(digest)
    if kept is not None:
        return FileRead(path, digest, kept, cached=True)
    return FileRead(path, digest, extract_cv_text(path.name, data))


def _read_with_ocr(job: tuple[FileRead, str, int]) -> FileRead:
    read, engine, threads = job
    extraction = extract_cv_text(
        read.path.name, read.path.read_bytes(), engine_named(engine, threads)
    )
    return replace(read, extraction=extraction, ocr_attempted=True)


def _pool(workers: int, count: int, minimum: int) -> ProcessPoolExecutor | None:
    """A pool of up to ``workers`` processes for ``count`` items, None below ``minimum``."""
    if workers <= 1 or count < max(2, minimum):
        return None
    return ProcessPoolExecutor(max_workers=min(workers, count), initializer=single_thread_runtimes)


class Progress:
    """A line every ``every_s`` seconds: done, pages, seconds a page, time left."""

    def __init__(self, total: int, log: Callable[[str], None], every_s: float) -> None:
        self.total, self.log, self.every_s = total, log, every_s
        self.started = self.last = time.perf_counter()
        self.done = self.pages = 0

    def add(self, read: FileRead) -> None:
        self.done += 1
        self.pages += read.extraction.ocr_pages
        now = time.perf_counter()
        if now - self.last < self.every_s and self.done < self.total:
            return
        self.last = now
        elapsed = now - self.started
        left = elapsed / self.done * (self.total - self.done)
        per_page = f", {elapsed / self.pages:.1f}s a page" if self.pages else ""
        self.log(
            f"OCR: {self.done}/{self.total} files, {self.pages} pages in {elapsed:.0f}s"
            f"{per_page}" + (f", about {left:.0f}s left" if self.done < self.total else "")
        )


def read_files(
    paths: list[Path], options: TextOptions, log: Callable[[str], None]
) -> tuple[list[FileRead], float]:
    """Extract every file (see the module docstring); the cache gains what OCR read.

    Returns the reads, in the order of ``paths``, and the OCR pass's wall seconds.
    """
    if options.cache_out is not None:
        if options.carry_over:
            carry_over(options.cache_in, options.cache_out)
        TextCache(options.cache_out).mark()
    jobs = [(path, options.cache_in) for path in paths]
    pool = _pool(options.workers, len(paths), MIN_FILES_FOR_POOL)
    if pool is None:
        reads = [_read_layers(job) for job in jobs]
    else:
        with pool:
            chunksize = max(1, len(paths) // (options.workers * 8))
            reads = list(pool.map(_read_layers, jobs, chunksize=chunksize))
    cache = TextCache(options.cache_out)
    for read in reads:
        if read.digest and not read.cached:
            cache.put(read.digest, read.extraction)  # only finished reads are kept
    waiting = [i for i, read in enumerate(reads) if read.needs_ocr and read.digest]
    if options.engine == "none" or not waiting:
        return reads, 0.0
    log(f"OCR: {len(waiting)} files have pages without a text layer ({options.engine})")
    progress = Progress(len(waiting), log, PROGRESS_EVERY_S)
    pool = _pool(options.workers, len(waiting), 2)
    threads = 1 if pool else 0
    ocr_jobs = [(reads[i], options.engine, threads) for i in waiting]
    with pool or _NoPool() as runner:
        for index, read in zip(waiting, runner.map(_read_with_ocr, ocr_jobs), strict=True):
            reads[index] = read
            cache.put(read.digest, read.extraction)
            progress.add(read)
    return reads, time.perf_counter() - progress.started


class _NoPool:
    """``map`` in this process, for a single worker or a single file."""

    def __enter__(self) -> _NoPool:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def map(self, function: Callable, items: Iterable) -> Iterable:
        return map(function, items)


def _rate_summary(rates: list[float]) -> dict[str, Any]:
    ordered = sorted(rates)
    return {
        "files": len(rates),
        "mean": round(statistics.fmean(rates), 5),
        "median": round(statistics.median(rates), 5),
        "max": round(ordered[-1], 5),
    }


def documents_report(
    reads: list[FileRead], options: TextOptions, ocr_wall_s: float
) -> dict[str, Any]:
    """How the files' text was obtained, OCR's cost and quality, for the data report.

    ``seconds``: the OCR pass's wall time (workers in parallel); ``engine_seconds_per_page``:
    the engine's own time a page, in one worker.
    """
    read_text = [r for r in reads if r.extraction.outcome is DocumentOutcome.TEXT]
    by_method = Counter(r.extraction.method for r in read_text)
    with_ocr = [r for r in reads if r.extraction.ocr_pages]
    fresh = [r for r in with_ocr if not r.cached]
    pages = sum(r.extraction.ocr_pages for r in fresh)
    seconds = sum(r.extraction.ocr_seconds for r in fresh)
    confidences = [r.extraction.confidence for r in with_ocr if r.extraction.confidence]
    report: dict[str, Any] = {
        "text_from": {m: by_method[m] for m in ("text_layer", "ocr", "mixed")},
        # files whose whole read came from the cache (text layers and OCR alike)
        "from_cache": sum(r.cached for r in reads),
        "ocr": {
            "engine": options.engine,
            "files": len(with_ocr),
            "from_cache": len(with_ocr) - len(fresh),
            "pages_read_now": pages,
            "workers": options.workers,
            "seconds": round(ocr_wall_s, 2),
            "seconds_per_page": round(ocr_wall_s / pages, 3) if pages else None,
            "engine_seconds_per_page": round(seconds / pages, 3) if pages else None,
            "mean_confidence": round(statistics.fmean(confidences), 4) if confidences else None,
            "pages_over_limit": sum(r.extraction.skipped_pages for r in reads),
            "cache_entries": TextCache(options.cache_out).entries(),
        },
    }
    rates = [
        character_error_rate(options.scan_texts[r.path.name], r.extraction.text)
        for r in with_ocr
        if r.path.name in options.scan_texts
    ]
    if rates:
        report["ocr"]["character_error_rate"] = _rate_summary(rates)
    return report
