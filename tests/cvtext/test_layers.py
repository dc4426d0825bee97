import io
import logging

import docx
import pytest
from fpdf import FPDF
from PIL import Image
from pypdf.errors import PdfReadError

from cvtext import layers
from cvtext.extract import DocumentOutcome, extract_cv_text


def text_pdf(text: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 5, text=text)
    return bytes(pdf.output())


def image_only_pdf() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (300, 120), "white").save(image, "PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(io.BytesIO(image.getvalue()), x=10, y=10, w=120)
    return bytes(pdf.output())


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_pdf_with_text_layer_gives_its_text():
    result = extract_cv_text("31000.pdf", text_pdf("Experiência com Python, C# e .NET.\nPower BI"))
    assert result.outcome is DocumentOutcome.TEXT
    assert "Experiência com Python, C# e .NET." in result.text
    assert "Power BI" in result.text


def test_extension_is_case_insensitive():
    assert extract_cv_text("CV.PDF", text_pdf("java")).outcome is DocumentOutcome.TEXT


def test_docx_gives_paragraphs_and_table_cells():
    data = docx_bytes(
        ["Resumo", "Conhecimentos: SQL Server"], [["Skill", "Java"], ["Nível", "Sênior"]]
    )
    result = extract_cv_text("31000.docx", data)
    assert result.outcome is DocumentOutcome.TEXT
    assert result.text.splitlines() == [
        "Resumo",
        "Conhecimentos: SQL Server",
        "Skill | Java",
        "Nível | Sênior",
    ]


def test_image_only_pdf_needs_ocr():
    result = extract_cv_text("scan.pdf", image_only_pdf())
    assert (result.outcome, result.detail) == (DocumentOutcome.NEEDS_OCR, "no text layer")
    assert [page.source.value for page in result.pages] == ["none"]


def test_docx_without_text_needs_ocr():
    assert extract_cv_text("empty.docx", docx_bytes([])).outcome is DocumentOutcome.NEEDS_OCR


@pytest.mark.parametrize(
    ("filename", "data", "error"),
    [
        ("bad.pdf", b"this is not a pdf at all", "PdfStreamError"),
        ("bad.pdf", b"", "EmptyFileError"),
        ("cut.pdf", None, "PdfStreamError"),
        ("bad.docx", b"PK\x03\x04 not really a zip", "BadZipFile"),
        ("pdf_named.docx", None, "BadZipFile"),
    ],
)
def test_corrupt_files_are_reported_with_a_one_line_detail(filename, data, error):
    if data is None:
        data = text_pdf("python " * 200)[:700]
    result = extract_cv_text(filename, data)
    assert result.outcome is DocumentOutcome.CORRUPT
    assert result.detail.startswith(error)
    assert "\n" not in result.detail
    assert result.text == ""


def test_corrupt_detail_does_not_quote_file_bytes(monkeypatch):
    # pypdf quotes the bytes around a parse error; in a CV they can be a name.
    def failing(data):
        raise PdfReadError("Invalid Elementary Object starting with b'Carlos' @256: b'Pereira'")

    monkeypatch.setattr(layers, "open_pdf", failing)
    result = extract_cv_text("x.pdf", b"%PDF")
    assert result.outcome is DocumentOutcome.CORRUPT
    assert (
        result.detail == "PdfReadError: Invalid Elementary Object starting with b'...' @256: b'...'"
    )


def test_an_unexpected_parser_exception_is_reported_as_corrupt(monkeypatch):
    class ParserBug(Exception):
        pass

    def failing(data):
        raise ParserBug("boom")

    monkeypatch.setattr(layers, "docx_text", failing)
    result = extract_cv_text("x.docx", b"PK")
    assert (result.outcome, result.detail) == (DocumentOutcome.CORRUPT, "ParserBug: boom")


def test_other_extensions_are_unsupported():
    result = extract_cv_text("cv.txt", b"python java")
    assert result.outcome is DocumentOutcome.UNSUPPORTED
    assert result.detail == "extension '.txt'"
    assert extract_cv_text("cv.doc", b"x").outcome is DocumentOutcome.UNSUPPORTED
    assert extract_cv_text("noextension", b"x").outcome is DocumentOutcome.UNSUPPORTED


def test_broken_pdf_does_not_log_parser_noise(caplog):
    with caplog.at_level(logging.WARNING):
        for cut in (300, 500, 800, 1000):
            extract_cv_text("cut.pdf", text_pdf("java " * 300)[:cut])
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


def test_garbage_never_raises():
    for size in range(0, 2000, 97):
        for name in ("x.pdf", "x.docx"):
            data = bytes((i * 31 + size) % 256 for i in range(size))
            result = extract_cv_text(name, b"%PDF-1.4\n" + data if name == "x.pdf" else data)
            assert result.outcome in (DocumentOutcome.CORRUPT, DocumentOutcome.NEEDS_OCR)
