"""CV files as bytes: a PDF with a text layer, a DOCX, a scanned PDF (image only), a corrupt file.

Pure functions of their inputs: the same text and seed give byte-identical files (fixed PDF
creation date, fixed DOCX core properties, fixed ZIP member timestamps). Text PDFs embed the
DejaVu Sans TrueType font that ships with matplotlib (a project dependency), cut down to Latin
and punctuation (every character the generator writes) so that fpdf2 parses it fast. The scan is
rendered with Pillow in the same font and embedded as a JPEG, with no text layer at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import io
import os
import tempfile
import textwrap
import zipfile
from functools import cache
from pathlib import Path

import numpy as np

#: CV file kinds, in the order the generator allocates them.
PDF, DOCX, SCANNED_PDF, CORRUPT = "pdf", "docx", "scanned_pdf", "corrupt"
KINDS = (PDF, DOCX, SCANNED_PDF, CORRUPT)
#: Kinds whose text the pipeline can read (and whose skills count in the signal): a scan is
#: read by OCR.
READABLE_KINDS = frozenset({PDF, DOCX, SCANNED_PDF})

FIXED_TIME = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_WRAP = 95


@cache
def font_path() -> Path:
    """DejaVu Sans from matplotlib's data folder (found without importing matplotlib)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib is required for its DejaVu Sans font (CV PDFs)")
    for root in spec.submodule_search_locations:
        candidate = Path(root) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
        if candidate.is_file():
            return candidate
    raise RuntimeError("DejaVuSans.ttf not found in matplotlib's mpl-data")


#: Code points kept in the embedded font: ASCII, Latin-1, Latin Extended-A, punctuation, €.
FONT_CODEPOINTS = (
    *range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2028), 0x20AC, 0x2122,
)  # fmt: skip


@cache
def pdf_font_path() -> Path:
    """DejaVu Sans cut down to ``FONT_CODEPOINTS``, cached in the temp folder.

    fpdf2 parses the whole font for every document; the 6,000-glyph original costs ~35 ms a
    PDF, the 400-glyph cut ~5 ms. The cut is deterministic (no timestamp is recalculated), so
    the PDFs do not depend on whether it was made now or by an earlier run.
    """
    from fontTools import subset, ttLib

    source = font_path()
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    target = Path(tempfile.gettempdir()) / "datagen-fonts" / f"DejaVuSans-latin-{digest}.ttf"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    font = ttLib.TTFont(str(source), recalcTimestamp=False)
    options = subset.Options()
    options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=FONT_CODEPOINTS)
    subsetter.subset(font)
    partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    font.save(str(partial))
    os.replace(partial, target)
    return target


def wrap_lines(text: str, width: int = _WRAP) -> list[str]:
    """The text's lines, long ones wrapped at spaces; blank lines kept."""
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(textwrap.wrap(line, width) or [""])
    return out


def text_pdf(text: str) -> bytes:
    """An A4 PDF whose text layer holds ``text`` (first line as a larger title)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_auto_page_break(False)
    pdf.add_font("dejavu", fname=str(pdf_font_path()))
    pdf.add_page()
    lines = wrap_lines(text)
    y = 20.0
    for i, line in enumerate(lines):
        if y > 282:
            pdf.add_page()
            y = 20.0
        pdf.set_font("dejavu", size=14 if i == 0 else 10)
        if line:
            pdf.text(15, y, line)
        y += 8.0 if i == 0 else 5.0
    return bytes(pdf.output())


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a ZIP with fixed member timestamps, so that equal content gives equal bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def docx_file(text: str) -> bytes:
    """A DOCX with the first line as a heading and one paragraph per following line."""
    import docx

    document = docx.Document()
    props = document.core_properties
    props.author = ""
    props.last_modified_by = ""
    props.comments = ""
    props.created = FIXED_TIME.replace(tzinfo=None)
    props.modified = FIXED_TIME.replace(tzinfo=None)
    props.revision = 1
    lines = text.split("\n")
    document.add_heading(lines[0], level=1)
    for line in lines[1:]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return _normalise_zip(buffer.getvalue())


#: Lines of a scanned page: A4 at 100 dpi, 13 px text on an 18 px pitch, 60 px margins.
SCAN_SIZE = (827, 1169)
SCAN_LINE_PITCH = 18
SCAN_MARGIN = 60
SCAN_LINES_PER_PAGE = (SCAN_SIZE[1] - 2 * SCAN_MARGIN) // SCAN_LINE_PITCH + 1


def _scanned_page(lines: list[str], rng: np.random.Generator) -> io.BytesIO:
    """One page picture: the lines in DejaVu Sans, slightly rotated, noisy, as a JPEG."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = SCAN_SIZE
    image = Image.new("L", (width, height), color=246)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(font_path()), 13)
    for number, line in enumerate(lines):
        draw.text((55, SCAN_MARGIN + number * SCAN_LINE_PITCH), line, fill=25, font=font)
    angle = float(rng.uniform(-1.2, 1.2))
    image = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=246)
    noise = rng.normal(0.0, 10.0, size=(height, width))
    pixels = np.clip(np.asarray(image, dtype=np.float64) + noise, 0, 255).astype(np.uint8)
    jpeg = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(jpeg, format="JPEG", quality=60)
    jpeg.seek(0)
    return jpeg


def scanned_pdf(text: str, rng: np.random.Generator) -> bytes:
    """A PDF of noisy, slightly rotated pictures of the text, a page each (no text layer).

    Every line of ``text`` is on a page: its text is the truth OCR is measured against.
    """
    from fpdf import FPDF

    lines = wrap_lines(text)
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_TIME)
    for start in range(0, max(1, len(lines)), SCAN_LINES_PER_PAGE):
        pdf.add_page()
        page = _scanned_page(lines[start : start + SCAN_LINES_PER_PAGE], rng)
        pdf.image(page, x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


def corrupt_file(text: str, extension: str, rng: np.random.Generator) -> bytes:
    """Bytes that no reader can open, under ``extension`` (".pdf" or ".docx").

    Mostly a real file cut off part-way (an interrupted upload); sometimes random bytes.
    """
    if extension not in (".pdf", ".docx"):
        raise ValueError(f"extension must be .pdf or .docx, got {extension!r}")
    if rng.random() < 0.3:
        header = b"%PDF-1.4\n" if extension == ".pdf" else b"PK\x03\x04"
        return header + rng.bytes(int(rng.integers(2_000, 20_000)))
    whole = text_pdf(text) if extension == ".pdf" else docx_file(text)
    return whole[: int(len(whole) * rng.uniform(0.2, 0.8))]


def cv_extension(kind: str, index: int) -> str:
    """File extension of the ``index``-th CV file of ``kind`` (corrupt ones alternate)."""
    if kind == DOCX or (kind == CORRUPT and index % 2 == 1):
        return ".docx"
    return ".pdf"


def render_cv(kind: str, text: str, extension: str, seed: tuple[int, ...]) -> bytes:
    """The bytes of one CV file; ``seed`` drives the scan noise and the corruption."""
    rng = np.random.default_rng(list(seed))
    if kind == PDF:
        return text_pdf(text)
    if kind == DOCX:
        return docx_file(text)
    if kind == SCANNED_PDF:
        return scanned_pdf(text, rng)
    if kind == CORRUPT:
        return corrupt_file(text, extension, rng)
    raise ValueError(f"unknown CV kind {kind!r}")
