"""OCR of scanned CVs: pages a second, accuracy, and Preprocess with and without the text cache.

``python -m benchmarks.ocr_bench [--scale 0.25] [--workspace DIR] [--out FILE]``

In a temporary workspace: generate the demo data (seed 42; its scans carry the text they show),
then

1. read every scanned CV with rapidocr in this process (one engine, every core), then in a pool
   of one single-threaded engine per core, as Preprocess does: pages a second and the
   character error rate against the generator's text;
2. run the Preprocess step three times on the same data: no OCR (``--ocr-engine none``), OCR
   with an empty text cache, and again with the cache the second run left: seconds, and the
   ratios to the run without OCR (figures of one machine; the ratios travel better).

Prints tables and writes JSON (``build/bench/ocr-bench.json``). ``make bench`` runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.report import cpu_model, render_table
from cvtext.cer import character_error_rate
from cvtext.extract import extract_cv_text
from cvtext.ocr import RapidOcrEngine, engine_named, single_thread_runtimes
from datagen import generate
from pipelines.config import PROJECT_ROOT
from steps import preprocess

DEFAULT_OUT = PROJECT_ROOT / "build" / "bench" / "ocr-bench.json"
SCAN_TEXTS = Path("_truth") / "scanned_cv_text.json"


def scans(data_dir: Path) -> list[tuple[Path, str]]:
    """The generated scans and the text each shows."""
    texts = json.loads((data_dir / SCAN_TEXTS).read_text(encoding="utf-8"))
    return [(data_dir / "cvs" / name, text) for name, text in sorted(texts.items())]


def _read_single_threaded(path: Path) -> tuple[int, str]:
    extraction = extract_cv_text(path.name, path.read_bytes(), engine_named("rapidocr", 1))
    return extraction.ocr_pages, extraction.text


def ocr_throughput(files: list[tuple[Path, str]], workers: int) -> dict[str, Any]:
    """Pages a second reading ``files``: one engine on every core, then a pool of ``workers``."""
    engine = RapidOcrEngine()
    engine.read  # noqa: B018 - the model loads at the first page, timed below with it
    started = time.perf_counter()
    alone = [extract_cv_text(p.name, p.read_bytes(), engine) for p, _ in files]
    alone_s = time.perf_counter() - started
    pages = sum(e.ocr_pages for e in alone)
    started = time.perf_counter()
    with ProcessPoolExecutor(workers, initializer=single_thread_runtimes) as pool:
        pooled = list(pool.map(_read_single_threaded, [p for p, _ in files]))
    pool_s = time.perf_counter() - started
    rates = [
        character_error_rate(truth, e.text) for (_, truth), e in zip(files, alone, strict=True)
    ]
    return {
        "files": len(files),
        "pages": pages,
        "one_process_s": round(alone_s, 2),
        "one_process_pages_per_s": round(pages / alone_s, 3),
        "pool_workers": workers,
        "pool_s": round(pool_s, 2),
        "pool_pages_per_s": round(sum(n for n, _ in pooled) / pool_s, 3),
        "cer_mean": round(sum(rates) / len(rates), 5),
        "cer_max": round(max(rates), 5),
    }


def preprocess_seconds(data_dir: Path, work: Path, engine: str, cache_in: Path | None) -> float:
    """Wall seconds of one Preprocess run; its text cache is left in ``work/out/text-cache``."""
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    args = [f"--raw-dir={data_dir}", f"--ocr-engine={engine}"]
    args += [f"--{n}-dir={out / n}" for n in ("train", "validation", "test", "profiles", "report")]
    args += [f"--text-cache-dir={cache_in or work / 'no-cache'}"]
    args += [f"--text-cache-out-dir={out / 'text-cache'}"]
    started = time.perf_counter()
    if preprocess.main(args) != 0:
        raise SystemExit(f"ocr_bench: Preprocess failed on {data_dir} (engine {engine})")
    return time.perf_counter() - started


def preprocess_with_and_without_cache(data_dir: Path, work: Path) -> dict[str, Any]:
    none_s = preprocess_seconds(data_dir, work, "none", None)
    cold_s = preprocess_seconds(data_dir, work, "rapidocr", None)
    kept = work / "kept-cache"
    shutil.copytree(work / "out" / "text-cache", kept)
    warm_s = preprocess_seconds(data_dir, work, "rapidocr", kept)
    return {
        "no_ocr_s": round(none_s, 2),
        "ocr_empty_cache_s": round(cold_s, 2),
        "ocr_warm_cache_s": round(warm_s, 2),
        "empty_cache_vs_no_ocr": round(cold_s / none_s, 2),
        "warm_cache_vs_no_ocr": round(warm_s / none_s, 2),
        "empty_vs_warm_cache": round(cold_s / warm_s, 2),
    }


def render(figures: dict[str, Any]) -> str:
    ocr, runs = figures["ocr"], figures["preprocess"]
    first = render_table(
        ["reading the scans", "files", "pages", "seconds", "pages/s"],
        [
            ["one process, all cores", str(ocr["files"]), str(ocr["pages"]),
             f"{ocr['one_process_s']:.1f}", f"{ocr['one_process_pages_per_s']:.2f}"],
            [f"{ocr['pool_workers']} processes, 1 thread each", str(ocr["files"]),
             str(ocr["pages"]), f"{ocr['pool_s']:.1f}", f"{ocr['pool_pages_per_s']:.2f}"],
        ],
        "lrrrr",
    )  # fmt: skip
    second = render_table(
        ["Preprocess run", "seconds", "x no OCR"],
        [
            ["no OCR (scans left unread)", f"{runs['no_ocr_s']:.1f}", "1.00"],
            ["OCR, empty text cache", f"{runs['ocr_empty_cache_s']:.1f}",
             f"{runs['empty_cache_vs_no_ocr']:.2f}"],
            ["OCR, text cache of the run before", f"{runs['ocr_warm_cache_s']:.1f}",
             f"{runs['warm_cache_vs_no_ocr']:.2f}"],
        ],
        "lrr",
    )  # fmt: skip
    accuracy = (
        f"character error rate against the generator's text: mean {ocr['cer_mean']:.2%}, "
        f"max {ocr['cer_max']:.2%}"
    )
    machine = f"machine: {figures['cpu']}, {figures['cores']} cores; scale {figures['scale']}"
    return "\n\n".join([machine, first, accuracy, second])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--workspace", type=Path, help="keep the data and runs here")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    root = args.workspace or Path(tempfile.mkdtemp(prefix="ocr-bench-"))
    try:
        data_dir = root / "data" / "decision"
        generate(data_dir, seed=42, scale=args.scale, log=None)
        cores = os.cpu_count() or 1
        figures = {
            "cpu": cpu_model(),
            "cores": cores,
            "scale": args.scale,
            "ocr": ocr_throughput(scans(data_dir), cores),
            "preprocess": preprocess_with_and_without_cache(data_dir, root / "runs"),
        }
    finally:
        if args.workspace is None:
            shutil.rmtree(root, ignore_errors=True)
    print(render(figures))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nfigures: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
