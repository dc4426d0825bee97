"""CV files to text: pure functions over a file's name and bytes.

Contract: ``extract_cv_text(filename, data)`` never raises for a bad file; it returns a
``DocumentResult`` whose ``outcome`` is

- ``text``: text extracted (``result.text``),
- ``needs_ocr``: a PDF (or DOCX) with no text layer, e.g. a scan; a later step may OCR it,
- ``unsupported``: an extension other than ``.pdf`` / ``.docx`` (case-insensitive),
- ``corrupt``: the parser could not read the file; ``detail`` is the error's one-line message.

PDF goes through pypdf, DOCX through python-docx (body paragraphs, then table cells, nested
tables included). pypdf's log messages about broken files are silenced: the outcome carries them.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

import docx
import pypdf
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from lxml import etree
from pypdf.errors import PyPdfError

# pypdf logs a warning or an error for every oddity of a broken file ("Advanced encoding ... not
# implemented", "Ignoring wrong pointing object", ...); for a batch of thousands of CVs that is
# noise, and the outcome already says the file is corrupt.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)

_DETAIL_MAX_CHARS = 200
_BYTES_LITERAL_RE = re.compile(r"""(?<!\w)b'(?:[^'\\]|\\.)*'?|(?<!\w)b"(?:[^"\\]|\\.)*"?""")

# What the parsers raise on malformed input. pypdf has its own hierarchy (PyPdfError) but, on
# garbage, also lets Python errors escape from its object parser (seen fuzzing pypdf 7:
# NotImplementedError for an unknown filter, AssertionError, TypeError, AttributeError; and
# ValueError, KeyError, IndexError, zlib.error, struct.error, RecursionError are all reachable).
_PDF_ERRORS: tuple[type[BaseException], ...] = (
    PyPdfError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    NotImplementedError,
    AssertionError,
    RecursionError,
    OverflowError,
    EOFError,
    zlib.error,
    struct.error,
)
# python-docx: not a zip, a zip without the document part, broken XML inside.
_DOCX_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    PackageNotFoundError,
    etree.LxmlError,
    KeyError,
    ValueError,
    AttributeError,
    EOFError,
    zlib.error,
)


class DocumentOutcome(StrEnum):
    """What reading one CV file gave."""

    TEXT = "text"
    NEEDS_OCR = "needs_ocr"
    UNSUPPORTED = "unsupported"
    CORRUPT = "corrupt"


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Outcome of reading one file; ``text`` is set only for ``TEXT``."""

    outcome: DocumentOutcome
    text: str = ""
    detail: str = ""


def _one_line(error: BaseException) -> str:
    """``"<ErrorType>: <first line>"``, without the file bytes some parser messages quote.

    pypdf quotes the bytes around a parse error (``b'...'``); in a CV they may be the applicant's
    name or contacts, which must not reach the quarantine log.
    """
    lines = str(error).strip().splitlines()
    first = _BYTES_LITERAL_RE.sub("b'...'", lines[0]) if lines else ""
    message = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return message[:_DETAIL_MAX_CHARS]


def _result_for_text(text: str, empty_detail: str) -> DocumentResult:
    if text.strip():
        return DocumentResult(DocumentOutcome.TEXT, text=text)
    return DocumentResult(DocumentOutcome.NEEDS_OCR, detail=empty_detail)


def pdf_text(data: bytes) -> str:
    """Text of every page of a PDF, pages separated by a newline; raises the parser's errors."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")  # many CVs are "encrypted" with an empty user password
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _table_lines(table: Table) -> list[str]:
    lines: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = cell.text.strip()
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
            for nested in cell.tables:
                lines.extend(_table_lines(nested))
        if cells:
            lines.append(" | ".join(cells))
    return lines


def docx_text(data: bytes) -> str:
    """Text of a DOCX: body paragraphs, then tables row by row; raises the parser's errors."""
    document = docx.Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs if paragraph.text.strip()]
    for table in document.tables:
        lines.extend(_table_lines(table))
    return "\n".join(lines)


def extract_cv_text(filename: str, data: bytes) -> DocumentResult:
    """Read one CV file's bytes; never raises for a bad file (see the module docstring)."""
    extension = PurePath(filename).suffix.lower()
    if extension == ".pdf":
        reader, errors, empty = pdf_text, _PDF_ERRORS, "pdf has no text layer"
    elif extension == ".docx":
        reader, errors, empty = docx_text, _DOCX_ERRORS, "docx has no text"
    else:
        return DocumentResult(DocumentOutcome.UNSUPPORTED, detail=f"extension {extension!r}")
    try:
        return _result_for_text(reader(data), empty)
    except errors as error:
        return DocumentResult(DocumentOutcome.CORRUPT, detail=_one_line(error))
    except Exception as error:  # noqa: BLE001
        # Last line of defence at this boundary: the parsers run on untrusted bytes from the
        # lake, and a parser bug on one CV (an exception type not listed above) must not stop a
        # batch of tens of thousands of files. It is reported like any corrupt file.
        return DocumentResult(DocumentOutcome.CORRUPT, detail=_one_line(error))
