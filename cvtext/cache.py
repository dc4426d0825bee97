"""Extracted text kept by the file's content hash, so a file is read once, by OCR or not.

One JSON file per document, ``<sha256[:2]>/<sha256>.json``, holding the ``Extraction`` and the
``EXTRACTION_VERSION`` that made it. Every complete read is kept: OCR costs seconds a page, and
parsing a PDF's or a DOCX's text layers 15 to 25 ms a file, which Preprocess and every later
run would otherwise pay again (about 40 core-seconds at the published data's 4,200 CV files).
Failures, and reads that left pages for OCR, are never kept, so a later run tries again.

The pipeline hands the cache in as a Processing input and takes it back out as an output:
``carry_over`` copies what came in to the output folder, ``put`` adds the new entries, and the
output replaces the prefix, so the cache only grows by what this run read. The folder always
holds ``FORMAT.json`` (``mark``): SageMaker refuses a job whose input prefix has no object
("No S3 objects found under S3 URL"), so the prefix must never be empty; Terraform puts the
same file there before the first run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from cvtext.extract import EXTRACTION_VERSION, DocumentOutcome, Extraction, TextSource

#: the file that keeps the cache's prefix from ever being empty, and says what it holds
MARKER = "FORMAT.json"
MARKER_CONTENT = {"format": "cv-text-cache", "layout": "<sha256[:2]>/<sha256>.json"}
#: outcomes worth keeping: the document's text, or none found in it
CACHEABLE = frozenset({DocumentOutcome.TEXT, DocumentOutcome.NO_TEXT})


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def worth_caching(extraction: Extraction) -> bool:
    """A finished read: text or none found, with no page left waiting for OCR."""
    unread = any(page.source is TextSource.NONE for page in extraction.pages)
    return extraction.outcome in CACHEABLE and not unread


class TextCache:
    """A folder of extractions by content hash; ``root`` None: a cache that holds nothing."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def _path(self, digest: str) -> Path:
        assert self.root is not None
        return self.root / digest[:2] / f"{digest}.json"

    def get(self, digest: str) -> Extraction | None:
        """The kept extraction, or None (absent, of another version, or unreadable)."""
        if self.root is None:
            return None
        try:
            entry = json.loads(self._path(digest).read_text(encoding="utf-8"))
            if entry.get("version") != EXTRACTION_VERSION:
                return None
            return Extraction.from_json(entry["extraction"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged entry is a miss: the file is read again and rewritten

    def put(self, digest: str, extraction: Extraction) -> None:
        """Keep an extraction (written to a temporary name, then renamed into place)."""
        if self.root is None or not worth_caching(extraction):
            return
        path = self._path(digest)
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {"version": EXTRACTION_VERSION, "extraction": extraction.to_json()}
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)

    def mark(self) -> None:
        """Write ``FORMAT.json`` at the root (the folder is created if need be)."""
        if self.root is None:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / MARKER).write_text(json.dumps(MARKER_CONTENT, sort_keys=True) + "\n")

    def entries(self) -> int:
        return 0 if self.root is None else sum(1 for _ in self.root.glob("*/*.json"))


def carry_over(source: Path | None, target: Path) -> int:
    """Copy the incoming cache's entries into the output folder; the number copied."""
    target.mkdir(parents=True, exist_ok=True)
    if source is None or not source.is_dir() or source.resolve() == target.resolve():
        return 0
    shutil.copytree(source, target, dirs_exist_ok=True)
    return sum(1 for _ in target.glob("*/*.json"))
