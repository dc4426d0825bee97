"""A CV file's text: the text layer of each page first, OCR only for the pages without one.

Contract: ``extract_cv_text(filename, data, ocr)`` never raises for a bad file; it returns an
``Extraction`` whose ``outcome`` is

- ``text``: text was read (``extraction.text``), from text layers, OCR or both;
- ``needs_ocr``: no page has a text layer and no OCR engine was given (``ocr=None``);
- ``no_text``: OCR ran and found no text (a blank or photo-only page);
- ``ocr_failed``: the engine failed on a page (a service error or throttling past the retries);
  nothing is kept, so a later run tries again;
- ``unsupported``: an extension other than PDF, DOCX or an image (PNG, JPEG, TIFF);
- ``corrupt``: the parser could not read the file; ``detail`` is the error's one-line message.

``extraction.pages`` says, page by page, how its text was obtained (``text_layer`` or ``ocr``),
by which engine, with what confidence. A page counts as having a text layer when it holds at
least ``MIN_TEXT_LAYER_CHARS`` non-blank characters: a scan stamped with a page number is still
a scan, and is read by OCR (a shorter text layer is kept when there is nothing to OCR). At most
``MAX_OCR_PAGES`` pages of one document go through OCR (a CV is a few pages; a 300-page upload
is not worth minutes of OCR); the rest are counted as skipped.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import PurePath
from typing import Any

from PIL import Image

from cvtext import layers
from cvtext.ocr import OcrEngine, OcrError, weighted_confidence

#: Fewer non-blank characters than this on a page and its pictures are read by OCR.
MIN_TEXT_LAYER_CHARS = 16
MAX_OCR_PAGES = 10
#: Bump when a change here or in an engine's settings would give other text for the same file:
#: cached extractions of another version are not reused.
EXTRACTION_VERSION = 1

PDF_EXTENSIONS = frozenset({".pdf"})
DOCX_EXTENSIONS = frozenset({".docx"})
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
SUPPORTED_EXTENSIONS = PDF_EXTENSIONS | DOCX_EXTENSIONS | IMAGE_EXTENSIONS


class DocumentOutcome(StrEnum):
    """What reading one CV file gave."""

    TEXT = "text"
    NEEDS_OCR = "needs_ocr"
    NO_TEXT = "no_text"
    OCR_FAILED = "ocr_failed"
    UNSUPPORTED = "unsupported"
    CORRUPT = "corrupt"


class TextSource(StrEnum):
    TEXT_LAYER = "text_layer"
    OCR = "ocr"
    NONE = "none"  # a page with neither (no engine given, or beyond MAX_OCR_PAGES)


@dataclass(frozen=True, slots=True)
class PageText:
    """How one page's text was obtained."""

    number: int
    source: TextSource
    engine: str = ""
    confidence: float | None = None
    chars: int = 0


@dataclass(frozen=True)
class Extraction:
    """Outcome of reading one file; ``text`` is set only for ``TEXT``."""

    outcome: DocumentOutcome
    text: str = ""
    detail: str = ""
    pages: tuple[PageText, ...] = ()
    ocr_seconds: float = 0.0
    skipped_pages: int = 0

    @property
    def ocr_pages(self) -> int:
        return sum(1 for page in self.pages if page.source is TextSource.OCR)

    @property
    def method(self) -> str:
        """``text_layer``, ``ocr``, ``mixed`` (both) or ``none``: how the text was obtained."""
        sources = {page.source for page in self.pages if page.chars}
        if sources == {TextSource.TEXT_LAYER, TextSource.OCR}:
            return "mixed"
        return next(iter(sources)).value if sources else TextSource.NONE.value

    @property
    def confidence(self) -> float | None:
        """The OCR'd pages' confidence, weighted by their characters; None without OCR."""
        return weighted_confidence((page.chars, page.confidence) for page in self.pages)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extraction:
        pages = tuple(
            PageText(**{**page, "source": TextSource(page["source"])}) for page in data["pages"]
        )
        return cls(**{**data, "outcome": DocumentOutcome(data["outcome"]), "pages": pages})


@dataclass
class _Reader:
    """Accumulates a document's pages; OCR is asked only for pages without a text layer."""

    ocr: OcrEngine | None
    texts: list[str] = field(default_factory=list)
    pages: list[PageText] = field(default_factory=list)
    ocr_seconds: float = 0.0
    skipped: int = 0

    def text_layer(self, text: str) -> bool:
        """Take a page's text layer if it is one; False when the page needs OCR."""
        if len("".join(text.split())) < MIN_TEXT_LAYER_CHARS:
            return False
        self._add(TextSource.TEXT_LAYER, text, engine="layer")
        return True

    def pictures(self, images: list[Image.Image], layer_text: str = "") -> None:
        """OCR a page's pictures (raises ``OcrError``).

        Without an engine, pictures, or OCR budget left, the page keeps the little text layer it
        has (``layer_text``), if any.
        """
        ocr_done = sum(1 for page in self.pages if page.source is TextSource.OCR)
        if self.ocr is None or not images or ocr_done >= MAX_OCR_PAGES:
            self.skipped += bool(images) and self.ocr is not None
            source = TextSource.TEXT_LAYER if layer_text.strip() else TextSource.NONE
            self._add(source, layer_text, engine="layer" if layer_text.strip() else "")
            return
        started = time.perf_counter()
        parts = [self.ocr.read(image) for image in images]
        self.ocr_seconds += time.perf_counter() - started
        text = "\n".join(part.text for part in parts if part.text)
        confidence = weighted_confidence((len(part.text), part.confidence) for part in parts)
        self._add(TextSource.OCR, text, engine=self.ocr.name, confidence=confidence)

    def _add(self, source: TextSource, text: str, engine: str = "", confidence=None) -> None:
        self.texts.append(text)
        self.pages.append(
            PageText(len(self.pages) + 1, source, engine, confidence, len(text.strip()))
        )

    def result(self) -> Extraction:
        text = "\n".join(t for t in self.texts if t.strip())
        common = {
            "pages": tuple(self.pages),
            "ocr_seconds": round(self.ocr_seconds, 4),
            "skipped_pages": self.skipped,
        }
        if text.strip():
            return Extraction(DocumentOutcome.TEXT, text=text, **common)
        if any(page.source is TextSource.OCR for page in self.pages):
            return Extraction(DocumentOutcome.NO_TEXT, detail="OCR found no text", **common)
        detail = "no text layer" + ("" if self.ocr is None else " and no picture to read")
        outcome = DocumentOutcome.NEEDS_OCR if self.ocr is None else DocumentOutcome.NO_TEXT
        return Extraction(outcome, detail=detail, **common)


def _read_pdf(data: bytes, reader: _Reader) -> None:
    for page in layers.open_pdf(data).pages:
        text = page.extract_text() or ""
        if not reader.text_layer(text):
            reader.pictures(layers.pdf_page_images(page) if reader.ocr else [], text)


def _read_docx(data: bytes, reader: _Reader) -> None:
    text = layers.docx_text(data)
    if not reader.text_layer(text):
        reader.pictures(layers.docx_images(data) if reader.ocr else [], text)


def _read_image(data: bytes, reader: _Reader) -> None:
    for frame in layers.image_frames(data):
        reader.pictures([frame])


def _format(extension: str):
    if extension in PDF_EXTENSIONS:
        return _read_pdf, layers.PDF_ERRORS + layers.IMAGE_ERRORS
    if extension in DOCX_EXTENSIONS:
        return _read_docx, layers.DOCX_ERRORS
    if extension in IMAGE_EXTENSIONS:
        return _read_image, layers.IMAGE_ERRORS
    return None, ()


def extract_cv_text(filename: str, data: bytes, ocr: OcrEngine | None = None) -> Extraction:
    """Read one CV file's bytes; never raises for a bad file (see the module docstring)."""
    extension = PurePath(filename).suffix.lower()
    read, errors = _format(extension)
    if read is None:
        return Extraction(DocumentOutcome.UNSUPPORTED, detail=f"extension {extension!r}")
    reader = _Reader(ocr)
    try:
        read(data, reader)
    except OcrError as error:
        return Extraction(DocumentOutcome.OCR_FAILED, detail=layers.one_line(error))
    except errors as error:
        return Extraction(DocumentOutcome.CORRUPT, detail=layers.one_line(error))
    except Exception as error:  # noqa: BLE001
        # Last line of defence at this boundary: the parsers run on untrusted bytes from the
        # lake, and a parser bug on one CV (an exception type not listed above) must not stop a
        # batch of tens of thousands of files. It is reported like any corrupt file.
        return Extraction(DocumentOutcome.CORRUPT, detail=layers.one_line(error))
    return reader.result()
