"""CV files: PDFs and DOCX hold the CV's skills in a text layer, scans as pictures (with the
text they show beside them, for OCR's error rate); corrupt files do not read."""

from __future__ import annotations

import io
import json
import zipfile

import docx
import numpy as np
import pytest
from pypdf import PdfReader

from datagen import documents
from datagen.generator import allocate_kinds
from datagen.signal import find_skills
from tests.datagen.conftest import Run

SAMPLE = (
    "Ana Lima\nCampinas - SP | ana.lima1@example.com | (11) 90000-0001\n\n"
    "Experiência Profissional\n- Desenvolvimento de rotinas com Python, Power BI e C#.\n"
    "- Participação na migração para .NET — ação, atenção, ênfase.\n" + "- Documentação.\n" * 80
)


def _files(run: Run, kind: str) -> list:
    return [f for f in run.data.cv_files if f.kind == kind]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_every_kind_of_cv_file_is_written(small_run: Run) -> None:
    assert {f.kind for f in small_run.data.cv_files} == set(documents.KINDS)
    names = {p.name for p in (small_run.out / "cvs").iterdir()}
    assert names == {f"{f.code}{f.extension}" for f in small_run.data.cv_files}


def test_cv_file_owners_have_empty_cv_pt_and_cv_en(small_run: Run) -> None:
    for f in small_run.data.cv_files:
        applicant = small_run.applicants[f.code]
        assert applicant["cv_pt"] == "" and applicant["cv_en"] == ""
        assert f.text


def test_pdf_text_layer_holds_the_cv_and_its_skills(small_run: Run) -> None:
    for f in _files(small_run, documents.PDF):
        text = _pdf_text((small_run.out / "cvs" / f"{f.code}.pdf").read_bytes())
        assert text.splitlines()[0] == f.text.splitlines()[0]
        assert find_skills(text) == find_skills(f.text)


def test_docx_is_readable_with_python_docx_and_holds_the_skills(small_run: Run) -> None:
    for f in _files(small_run, documents.DOCX):
        document = docx.Document(str(small_run.out / "cvs" / f"{f.code}.docx"))
        text = "\n".join(p.text for p in document.paragraphs)
        assert text == f.text
        assert find_skills(text) == find_skills(f.text)


def test_scanned_pdf_has_an_image_a_page_and_no_text(small_run: Run) -> None:
    truth = json.loads((small_run.out / "_truth" / "scanned_cv_text.json").read_text())
    scans = _files(small_run, documents.SCANNED_PDF)
    assert sorted(truth) == sorted(f"{f.code}.pdf" for f in scans)
    for f in scans:
        reader = PdfReader(small_run.out / "cvs" / f"{f.code}.pdf")
        assert all(len(page.images) == 1 for page in reader.pages)
        assert "".join(page.extract_text() for page in reader.pages).strip() == ""
        assert truth[f"{f.code}.pdf"] == f.text


def test_a_long_cv_is_scanned_onto_as_many_pages_as_its_lines_need() -> None:
    lines = len(documents.wrap_lines(SAMPLE))
    pages = PdfReader(io.BytesIO(documents.scanned_pdf(SAMPLE, np.random.default_rng(1)))).pages
    assert lines > documents.SCAN_LINES_PER_PAGE
    assert len(pages) == -(-lines // documents.SCAN_LINES_PER_PAGE)


def test_corrupt_files_fail_to_parse(small_run: Run) -> None:
    for f in _files(small_run, documents.CORRUPT):
        path = small_run.out / "cvs" / f"{f.code}{f.extension}"
        with pytest.raises(Exception):  # noqa: B017 - any parse error will do
            if f.extension == ".pdf":
                _pdf_text(path.read_bytes())
            else:
                docx.Document(str(path))


def test_text_pdf_keeps_unicode_text_and_wrapped_multiword_skills() -> None:
    long_line = "Tecnologias: " + ", ".join(["Documentação"] * 12) + ", Power BI e Machine Learning"
    text = _pdf_text(documents.text_pdf(SAMPLE + long_line))
    assert "ação, atenção, ênfase" in text and "—" in text
    assert find_skills(text) == {"python", "power bi", "c#", ".net", "machine learning"}
    assert len(PdfReader(io.BytesIO(documents.text_pdf(SAMPLE))).pages) == 2


def test_documents_are_deterministic() -> None:
    for kind in documents.KINDS:
        for ext in (".pdf", ".docx"):
            first = documents.render_cv(kind, SAMPLE, ext, (1, 2, 3))
            assert documents.render_cv(kind, SAMPLE, ext, (1, 2, 3)) == first
    assert documents.render_cv("scanned_pdf", SAMPLE, ".pdf", (1, 2, 4)) != documents.render_cv(
        "scanned_pdf", SAMPLE, ".pdf", (1, 2, 3)
    )


def test_docx_zip_members_have_fixed_timestamps() -> None:
    with zipfile.ZipFile(io.BytesIO(documents.docx_file(SAMPLE))) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_corrupt_file_rejects_unknown_extension() -> None:
    with pytest.raises(ValueError):
        documents.corrupt_file(SAMPLE, ".txt", np.random.default_rng(0))


def test_allocate_kinds_follows_the_shares_and_has_every_kind_from_four_files() -> None:
    kinds = allocate_kinds(1000)
    assert [kinds.count(k) for k in documents.KINDS] == [550, 350, 50, 50]
    assert set(allocate_kinds(4)) == set(documents.KINDS)
    assert allocate_kinds(0) == []
    assert len(allocate_kinds(7)) == 7
