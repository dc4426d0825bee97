"""``python -m cvtext FILE``: the text of one CV file as the pipeline reads it, and how.

FILE is a PDF, DOCX or image (PNG, JPEG, TIFF) on this machine, read with the pipeline's own
code (text layer first, OCR for pages without one), or an ``s3://bucket/key`` document, read by
Textract's asynchronous job (every page; needs AWS credentials). ``make extract FILE=...``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from cvtext.extract import DocumentOutcome, Extraction, TextSource, extract_cv_text
from cvtext.ocr import ENGINE_NAMES, OcrError, engine_named


def describe(extraction: Extraction) -> list[str]:
    """Lines saying how each page was read, for a person."""
    lines = [
        f"outcome: {extraction.outcome.value}"
        + (f" ({extraction.detail})" if extraction.detail else "")
    ]
    for page in extraction.pages:
        how = {
            TextSource.TEXT_LAYER: "text layer",
            TextSource.OCR: f"OCR by {page.engine}",
            TextSource.NONE: "not read",
        }[page.source]
        confidence = f", confidence {page.confidence:.1%}" if page.confidence is not None else ""
        lines.append(f"page {page.number}: {how}, {page.chars:,} characters{confidence}")
    if extraction.ocr_pages:
        seconds = extraction.ocr_seconds
        lines.append(f"OCR: {extraction.ocr_pages} page(s) in {seconds:.2f}s")
    if extraction.skipped_pages:
        lines.append(f"pages past the OCR limit, not read: {extraction.skipped_pages}")
    return lines


def _from_s3(uri: str) -> Extraction:
    from cvtext.extract import PageText
    from cvtext.textract import TextractEngine

    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not bucket or not key:
        raise SystemExit(f"extract: not an s3://bucket/key URI: {uri}")
    engine = TextractEngine.from_environment()
    try:
        pages = engine.read_s3_document(bucket, key)
    except OcrError as error:
        return Extraction(DocumentOutcome.OCR_FAILED, detail=str(error))
    text = "\n".join(page.text for page in pages if page.text)
    numbered = tuple(
        PageText(n, TextSource.OCR, engine.name, page.confidence, len(page.text.strip()))
        for n, page in enumerate(pages, 1)
    )
    outcome = DocumentOutcome.TEXT if text.strip() else DocumentOutcome.NO_TEXT
    return Extraction(outcome, text=text, pages=numbered)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cvtext", description=__doc__.splitlines()[0])
    parser.add_argument("file", help="a PDF, DOCX or image file, or s3://bucket/key")
    parser.add_argument("--engine", choices=ENGINE_NAMES, default="rapidocr")
    parser.add_argument("--json", action="store_true", help="print the extraction as JSON")
    args = parser.parse_args(argv)
    if args.file.startswith("s3://"):
        extraction = _from_s3(args.file)
    else:
        path = Path(args.file)
        if not path.is_file():
            print(f"extract: no such file: {path}", file=sys.stderr)
            return 2
        extraction = extract_cv_text(path.name, path.read_bytes(), engine_named(args.engine))
    if args.json:
        print(json.dumps(extraction.to_json(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(describe(extraction)))
        if extraction.text:
            print("-" * 72)
            print(extraction.text)
    return 0 if extraction.outcome is DocumentOutcome.TEXT else 1


if __name__ == "__main__":
    sys.exit(main())
