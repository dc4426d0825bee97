import io
import zipfile

import docx
import numpy as np
import pytest
from PIL import Image

from cvtext import extract
from cvtext.cer import character_error_rate
from cvtext.extract import DocumentOutcome, Extraction, TextSource, extract_cv_text
from cvtext.ocr import OcrText, RapidOcrEngine, engine_named, weighted_confidence
from datagen import documents
from tests.cvtext.conftest import pdf_of, picture, png_bytes

LAYER_TEXT = "Experiência com Python, SQL Server e AWS em projetos de migração."


def test_a_page_with_a_text_layer_is_never_sent_to_ocr(fake_ocr):
    result = extract_cv_text("cv.pdf", pdf_of([LAYER_TEXT]), fake_ocr)
    assert result.outcome is DocumentOutcome.TEXT
    assert fake_ocr.calls == 0
    assert result.method == "text_layer"
    assert [(p.source, p.engine) for p in result.pages] == [(TextSource.TEXT_LAYER, "layer")]


def test_only_the_pages_without_a_text_layer_go_to_ocr(fake_ocr):
    data = pdf_of([LAYER_TEXT, picture(), LAYER_TEXT])
    result = extract_cv_text("cv.pdf", data, fake_ocr)
    assert fake_ocr.calls == 1
    assert result.method == "mixed"
    assert [p.source for p in result.pages] == [
        TextSource.TEXT_LAYER,
        TextSource.OCR,
        TextSource.TEXT_LAYER,
    ]
    assert result.pages[1].engine == "fake" and result.pages[1].confidence == pytest.approx(0.9)
    assert result.text.splitlines()[1] == "texto lido por OCR"  # pages in order
    assert result.ocr_pages == 1 and result.ocr_seconds >= 0.0


def test_a_scan_stamped_with_a_page_number_is_still_read_by_ocr(fake_ocr):
    data = pdf_of([picture()])
    stamped = pdf_of(["1"])  # a short text layer alone, no picture: kept as it is
    assert extract_cv_text("scan.pdf", data, fake_ocr).method == "ocr"
    kept = extract_cv_text("short.pdf", stamped, fake_ocr)
    assert (kept.outcome, kept.text.strip(), fake_ocr.calls) == (DocumentOutcome.TEXT, "1", 1)


def test_without_an_engine_a_scan_needs_ocr_and_a_short_layer_is_kept():
    assert extract_cv_text("scan.pdf", pdf_of([picture()])).outcome is DocumentOutcome.NEEDS_OCR
    assert extract_cv_text("cv.pdf", pdf_of(["Java"])).text.strip() == "Java"


def test_ocr_that_finds_nothing_is_no_text(fake_ocr):
    fake_ocr.text = ""
    result = extract_cv_text("blank.pdf", pdf_of([picture("")]), fake_ocr)
    assert (result.outcome, result.ocr_pages) == (DocumentOutcome.NO_TEXT, 1)


def test_an_engine_failure_is_ocr_failed_with_its_reason(fake_ocr):
    fake_ocr.fail_with = "textract detect_document_text: ThrottlingException"
    result = extract_cv_text("scan.pdf", pdf_of([picture()]), fake_ocr)
    assert result.outcome is DocumentOutcome.OCR_FAILED
    assert result.detail == "OcrError: textract detect_document_text: ThrottlingException"
    assert result.text == ""


def test_ocr_stops_at_the_page_limit_and_counts_the_rest(fake_ocr, monkeypatch):
    monkeypatch.setattr(extract, "MAX_OCR_PAGES", 2)
    result = extract_cv_text("long.pdf", pdf_of([picture()] * 4), fake_ocr)
    assert fake_ocr.calls == 2
    assert result.skipped_pages == 2
    assert [p.source for p in result.pages][2:] == [TextSource.NONE, TextSource.NONE]


@pytest.mark.parametrize("extension", [".png", ".JPG", ".jpeg", ".tif"])
def test_image_files_are_read_by_ocr(fake_ocr, extension):
    buffer = io.BytesIO()
    fmt = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".tif": "TIFF"}[extension.lower()]
    picture().save(buffer, fmt)
    result = extract_cv_text(f"cv{extension}", buffer.getvalue(), fake_ocr)
    assert (result.outcome, result.method) == (DocumentOutcome.TEXT, "ocr")


def test_every_frame_of_a_multi_page_tiff_is_a_page(fake_ocr):
    buffer = io.BytesIO()
    first, *rest = [picture(str(n)) for n in range(3)]
    first.save(buffer, "TIFF", save_all=True, append_images=rest)
    result = extract_cv_text("cv.tiff", buffer.getvalue(), fake_ocr)
    assert [p.number for p in result.pages] == [1, 2, 3]
    assert fake_ocr.calls == 3


def test_a_docx_holding_only_a_pasted_scan_is_read_by_ocr(fake_ocr, tmp_path):
    image_path = tmp_path / "scan.png"
    image_path.write_bytes(png_bytes(picture()))
    document = docx.Document()
    document.add_picture(str(image_path))
    buffer = io.BytesIO()
    document.save(buffer)
    assert zipfile.ZipFile(buffer).namelist()  # a real DOCX
    result = extract_cv_text("cv.docx", buffer.getvalue(), fake_ocr)
    assert (result.outcome, result.method, fake_ocr.calls) == (DocumentOutcome.TEXT, "ocr", 1)


def test_a_broken_image_is_corrupt(fake_ocr):
    result = extract_cv_text("cv.png", b"\x89PNG\r\n\x1a\n broken", fake_ocr)
    assert result.outcome is DocumentOutcome.CORRUPT
    assert result.detail.startswith("UnidentifiedImageError")


def test_a_decompression_bomb_is_refused_not_decoded(fake_ocr):
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")  # 400 Mpx, a few kB on disk
    result = extract_cv_text("bomb.png", buffer.getvalue(), fake_ocr)
    assert result.outcome is DocumentOutcome.CORRUPT
    assert "DecompressionBomb" in result.detail
    assert fake_ocr.calls == 0


def test_an_extraction_survives_its_json(fake_ocr):
    result = extract_cv_text("cv.pdf", pdf_of([LAYER_TEXT, picture()]), fake_ocr)
    assert Extraction.from_json(result.to_json()) == result


def test_rapidocr_reads_the_generators_scan_of_a_portuguese_cv():
    """The real engine, models from its wheel (nothing downloaded), on a noisy rotated scan."""
    text = (
        "Ana Conceição\nAnalista de Sistemas Sênior\n"
        "Experiência: 8 anos com Java, Spring, SQL Server e integração de sistemas.\n"
        "Formação: Ciência da Computação, Universidade de São Paulo"
    )
    scan = documents.scanned_pdf(text, np.random.default_rng(7))
    result = extract_cv_text("scan.pdf", scan, RapidOcrEngine())
    assert result.method == "ocr"
    assert result.pages[0].engine == "rapidocr"
    assert 0.8 < result.confidence <= 1.0
    assert character_error_rate(text, result.text) < 0.02


def test_engines_are_made_once_per_process_and_unknown_names_refused():
    assert engine_named("rapidocr") is engine_named("rapidocr")
    assert engine_named("none") is None
    with pytest.raises(ValueError, match="unknown OCR engine 'tesseract'"):
        engine_named("tesseract")


def test_weighted_confidence_weighs_by_characters_and_skips_the_unread() -> None:
    assert weighted_confidence([(30, 0.9), (10, 0.5)]) == pytest.approx(0.8)
    assert weighted_confidence([(30, 0.9), (5, None)]) == pytest.approx(0.9)
    assert weighted_confidence([(0, 0.4), (5, None)]) is None
    assert weighted_confidence([]) is None


def test_ocr_text_from_lines_joins_them_in_order() -> None:
    got = OcrText.from_lines([("Python SQL", 1.0), ("AWS", 0.5)])
    assert got.text == "Python SQL\nAWS" and got.lines == 2
    assert got.confidence == pytest.approx((10 * 1.0 + 3 * 0.5) / 13)
    assert OcrText.from_lines([]) == OcrText("", None, 0)
