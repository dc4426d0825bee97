"""What each file format holds: text layers and page images, read with the format's parser.

Pure functions over a file's bytes that raise the parser's errors; ``cvtext.extract`` turns
those into outcomes. PDF goes through pypdf, DOCX through python-docx (body paragraphs, then
table cells, nested tables included), images through Pillow. pypdf's log messages about broken
files are silenced: the outcome carries them.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zipfile
import zlib

import docx
import pypdf
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from lxml import etree
from PIL import Image, ImageSequence, UnidentifiedImageError
from pypdf.errors import PyPdfError

# pypdf logs a warning or an error for every oddity of a broken file ("Advanced encoding ... not
# implemented", "Ignoring wrong pointing object", ...); for a batch of thousands of CVs that is
# noise, and the outcome already says the file is corrupt.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)

_DETAIL_MAX_CHARS = 200
_BYTES_LITERAL_RE = re.compile(r"""(?<!\w)b'(?:[^'\\]|\\.)*'?|(?<!\w)b"(?:[^"\\]|\\.)*"?""")
#: Pillow refuses larger images (a decompression bomb); an A4 page at 600 dpi is 35 Mpx.
MAX_IMAGE_PIXELS = 60_000_000
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS

# What the parsers raise on malformed input. pypdf has its own hierarchy (PyPdfError) but, on
# garbage, also lets Python errors escape from its object parser (seen fuzzing pypdf 7:
# NotImplementedError for an unknown filter, AssertionError, TypeError, AttributeError; and
# ValueError, KeyError, IndexError, zlib.error, struct.error, RecursionError are all reachable).
PDF_ERRORS: tuple[type[BaseException], ...] = (
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
DOCX_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    PackageNotFoundError,
    etree.LxmlError,
    KeyError,
    ValueError,
    AttributeError,
    EOFError,
    zlib.error,
)
# Pillow: not an image, a truncated one, one over MAX_IMAGE_PIXELS.
IMAGE_ERRORS: tuple[type[BaseException], ...] = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    struct.error,
    zlib.error,
)


def one_line(error: BaseException) -> str:
    """``"<ErrorType>: <first line>"``, without the file bytes some parser messages quote.

    pypdf quotes the bytes around a parse error (``b'...'``); in a CV they may be the applicant's
    name or contacts, which must not reach the quarantine log.
    """
    lines = str(error).strip().splitlines()
    first = _BYTES_LITERAL_RE.sub("b'...'", lines[0]) if lines else ""
    message = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return message[:_DETAIL_MAX_CHARS]


def open_pdf(data: bytes) -> pypdf.PdfReader:
    """A reader over the PDF's bytes; raises the parser's errors."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")  # many CVs are "encrypted" with an empty user password
    return reader


def pdf_page_images(page: pypdf.PageObject) -> list[Image.Image]:
    """The pictures a PDF page draws (a scan is one per page), decoded; raises on a bad one."""
    return [embedded.image.convert("RGB") for embedded in page.images]


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


def docx_images(data: bytes) -> list[Image.Image]:
    """Pictures stored in a DOCX (``word/media``, by name): a scan pasted into Word."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith("word/media/"))
        blobs = [archive.read(name) for name in names]
    images: list[Image.Image] = []
    for blob in blobs:
        try:
            images.extend(image_frames(blob))
        except IMAGE_ERRORS:
            continue  # a vector figure (EMF/WMF) or a broken picture: nothing to read
    return images


def image_frames(data: bytes) -> list[Image.Image]:
    """Each frame of an image file (a multi-page TIFF has several), as RGB; raises on bad data."""
    with Image.open(io.BytesIO(data)) as image:
        return [frame.convert("RGB") for frame in ImageSequence.Iterator(image)]
