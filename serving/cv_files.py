"""CV files sent with a request, read by the pipeline's own code (``cvtext``).

The text of the file is the applicant's CV when the record's ``cv_pt`` is empty, as in the
Preprocess step: same reader, same rule, so the API and the step build the same profile. A file
that gives no text is a 422 naming the field and the reason; an OCR service that fails is a
503 (try again). ``cvtext`` and its parsers are imported at the first file, not at start-up: a
cold start that receives records only pays nothing for them. What a file says is never logged:
only its outcome, its pages and how they were read.
"""

from __future__ import annotations

import time
from typing import Any

from serving.errors import ApiError
from serving.observability import logger

#: outcome -> (status, error code, message)
_REFUSALS = {
    "needs_ocr": (
        422,
        "cv_file_needs_ocr",
        "the file has pages without a text layer (a scan) and this server reads none "
        "(MATCH_OCR_ENGINE=none): send the CV's text in applicant.cv_pt",
    ),
    "no_text": (422, "cv_file_no_text", "no text was found in the file, OCR included"),
    "corrupt": (422, "cv_file_unreadable", "the file cannot be read as its extension says"),
    "unsupported": (422, "cv_file_unsupported", "send a PDF, DOCX, PNG, JPEG or TIFF file"),
    "ocr_failed": (
        503,
        "ocr_unavailable",
        "the OCR service could not read the file's scanned pages; try again shortly",
    ),
}


class CvFileReader:
    """Reads request CV files with the configured OCR engine (``none``: scans refused)."""

    def __init__(self, engine: str) -> None:
        self.engine = engine

    def text(self, cv_file: Any, field: str) -> str:
        """The file's text; ``ApiError`` (4xx, or 503 for OCR) when it gives none."""
        from cvtext.extract import DocumentOutcome, extract_cv_text
        from cvtext.ocr import engine_named

        started = time.perf_counter()
        extraction = extract_cv_text(
            cv_file.filename, cv_file.content_base64, engine_named(self.engine)
        )
        logger.info(
            "cv file read",
            extra={
                "outcome": extraction.outcome.value,
                "method": extraction.method,
                "pages": len(extraction.pages),
                "ocr_pages": extraction.ocr_pages,
                "ocr_engine": self.engine,
                "read_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        if extraction.outcome is DocumentOutcome.TEXT:
            return extraction.text
        status, code, message = _REFUSALS[extraction.outcome.value]
        raise ApiError(status, code, message, field)
