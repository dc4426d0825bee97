"""ExtractText step: OCR of the CV pages that have no text layer, into the text cache.

    raw data set (this instance's share) ─> text layers ─> OCR of the rest ─> text cache
                                                                            + report

Run as a SageMaker Processing job on one or several instances (``ExtractInstanceCount``): the
data set's objects are shared out by key (``ShardedByS3Key``), so each instance reads the CV
files it was given (``cvs/``; the JSON files and anything else are not its business). What OCR
read goes into the text cache by the file's content hash (``cvtext.cache``), and so does the
text of the files read from their text layers: Preprocess then reads every file's text from the
cache, and a file already there is not read again. The first instance also carries the
incoming cache over to the output, which replaces the prefix locally and is merged with the
others' new entries on SageMaker (distinct file names: content hashes).

Failures never stop the step: a file OCR could not read is counted by reason in
``report/extract-<host>.json`` and read again by Preprocess (and by the next run). Exit codes:
0 done; 2 a bad argument.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from cvtext.extract import DocumentOutcome
from cvtext.ocr import ENGINE_NAMES
from steps.cv_files import FileRead, TextOptions, read_files

CV_DIR = "cvs"
#: where SageMaker describes the job's instances to each of them
RESOURCE_CONFIG = Path("/opt/ml/config/resourceconfig.json")


def log(message: str) -> None:
    print(f"[extract-text] {message}", flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    base_in, base_out = "/opt/ml/processing/input", "/opt/ml/processing/output"
    parser.add_argument("--raw-dir", type=Path, default=Path(f"{base_in}/raw"))
    parser.add_argument("--text-cache-dir", type=Path, default=Path(f"{base_in}/text-cache"))
    parser.add_argument("--text-cache-out-dir", type=Path, default=Path(f"{base_out}/text-cache"))
    parser.add_argument("--report-dir", type=Path, default=Path(f"{base_out}/report"))
    parser.add_argument("--ocr-engine", choices=ENGINE_NAMES, default="rapidocr")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--resource-config", type=Path, default=RESOURCE_CONFIG)
    return parser.parse_args(argv)


def instances(resource_config: Path) -> tuple[str, list[str]]:
    """This instance's name and all of them; one instance when SageMaker's file is absent."""
    try:
        config = json.loads(resource_config.read_text())
        return str(config["current_host"]), [str(h) for h in config["hosts"]]
    except (OSError, ValueError, KeyError, TypeError):
        return "algo-1", ["algo-1"]


def extraction_report(reads: list[FileRead], wall_s: float, workers: int) -> dict[str, Any]:
    fresh = [r for r in reads if r.ocr_attempted]
    ocr = [r for r in reads if r.cached and r.extraction.ocr_pages] + fresh
    pages = sum(r.extraction.ocr_pages for r in fresh)
    engine_s = sum(r.extraction.ocr_seconds for r in fresh)
    failed = Counter(
        r.extraction.outcome.value
        for r in fresh
        if r.extraction.outcome not in (DocumentOutcome.TEXT, DocumentOutcome.NO_TEXT)
    )
    return {
        "files": len(reads),
        "files_from_cache": sum(r.cached for r in reads),
        "files_needing_ocr": len(ocr),
        "from_cache": len(ocr) - len(fresh),
        "read_now": len(fresh) - sum(failed.values()),
        "pages_read_now": pages,
        "workers": workers,
        "seconds": round(wall_s, 2),
        "seconds_per_page": round(wall_s / pages, 3) if pages else None,
        "engine_seconds_per_page": round(engine_s / pages, 3) if pages else None,
        "failed_by_reason": dict(sorted(failed.items())),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.workers < 1:
        print("extract-text: --workers must be at least 1", file=sys.stderr)
        return 2
    host, hosts = instances(args.resource_config)
    cv_dir = args.raw_dir / CV_DIR
    paths = sorted(p for p in cv_dir.iterdir() if p.is_file()) if cv_dir.is_dir() else []
    log(f"instance {host} of {len(hosts)}: {len(paths):,} CV files ({args.ocr_engine})")
    options = TextOptions(
        engine=args.ocr_engine,
        cache_in=args.text_cache_dir,
        cache_out=args.text_cache_out_dir,
        workers=args.workers,
        carry_over=host == hosts[0],
    )
    started = time.perf_counter()
    reads, wall_s = read_files(paths, options, log)
    report = {"host": host, "hosts": len(hosts), "engine": args.ocr_engine}
    report |= extraction_report(reads, wall_s, args.workers)
    args.report_dir.mkdir(parents=True, exist_ok=True)
    (args.report_dir / f"extract-{host}.json").write_text(json.dumps(report, indent=2) + "\n")
    log(
        f"{report['files_needing_ocr']:,} files need OCR: {report['from_cache']:,} from the "
        f"text cache, {report['read_now']:,} read now ({report['pages_read_now']:,} pages in "
        f"{report['seconds']:.1f}s)"
        + (f"; failed: {report['failed_by_reason']}" if report["failed_by_reason"] else "")
        + f"; done in {time.perf_counter() - started:.1f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
