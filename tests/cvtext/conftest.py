from __future__ import annotations

import io

import pytest
from fpdf import FPDF
from PIL import Image, ImageDraw

from cvtext.ocr import OcrError, OcrText


class FakeOcr:
    """An engine that answers from a script and counts the pictures it was shown."""

    name = "fake"

    def __init__(self, text: str = "texto lido por OCR", confidence: float = 0.9) -> None:
        self.text = text
        self.confidence = confidence
        self.calls = 0
        self.fail_with: str | None = None

    def read(self, image: Image.Image) -> OcrText:
        self.calls += 1
        if self.fail_with:
            raise OcrError(self.fail_with)
        return OcrText(self.text, self.confidence if self.text else None, 1 if self.text else 0)


@pytest.fixture
def fake_ocr() -> FakeOcr:
    return FakeOcr()


def picture(label: str = "scan", size: tuple[int, int] = (400, 160)) -> Image.Image:
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((10, 10), label, fill="black")
    return image


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def pdf_of(pages: list[str | Image.Image]) -> bytes:
    """A PDF with one page per item: a text layer for a string, a picture for an image."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for page in pages:
        pdf.add_page()
        if isinstance(page, str):
            pdf.multi_cell(0, 5, text=page)
        else:
            pdf.image(io.BytesIO(png_bytes(page)), x=10, y=10, w=150)
    return bytes(pdf.output())
