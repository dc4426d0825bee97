import json

from cvtext import cache as cache_module
from cvtext.cache import MARKER, MARKER_CONTENT, TextCache, carry_over, content_hash
from cvtext.extract import DocumentOutcome, Extraction, PageText, TextSource

OCR_READ = Extraction(
    DocumentOutcome.TEXT,
    text="lido",
    pages=(PageText(1, TextSource.OCR, "rapidocr", 0.97, 4),),
    ocr_seconds=1.2,
)
LAYER_READ = Extraction(
    DocumentOutcome.TEXT,
    text="camada",
    pages=(PageText(1, TextSource.TEXT_LAYER, "layer", None, 6),),
)


def test_an_ocr_result_is_kept_by_content_hash(tmp_path):
    cache = TextCache(tmp_path)
    digest = content_hash(b"scan bytes")
    assert cache.get(digest) is None
    cache.put(digest, OCR_READ)
    assert cache.get(digest) == OCR_READ
    assert (tmp_path / digest[:2] / f"{digest}.json").is_file()
    assert cache.entries() == 1


def test_a_text_layer_read_is_kept_too(tmp_path):
    cache = TextCache(tmp_path)
    cache.put("a" * 64, LAYER_READ)
    empty = Extraction(DocumentOutcome.NO_TEXT, pages=(PageText(1, TextSource.OCR, "x", None, 0),))
    cache.put("e" * 64, empty)
    assert cache.get("a" * 64) == LAYER_READ and cache.get("e" * 64) == empty
    assert cache.entries() == 2


def test_failures_and_reads_waiting_for_ocr_are_not_kept(tmp_path):
    cache = TextCache(tmp_path)
    cache.put("b" * 64, Extraction(DocumentOutcome.OCR_FAILED, detail="OcrError: throttled"))
    cache.put("c" * 64, Extraction(DocumentOutcome.CORRUPT, detail="not a PDF"))
    cache.put("d" * 64, Extraction(DocumentOutcome.NEEDS_OCR))
    half_read = Extraction(
        DocumentOutcome.TEXT,
        text="camada",
        pages=(LAYER_READ.pages[0], PageText(2, TextSource.NONE, None, None, 0)),
    )
    cache.put("f" * 64, half_read)
    assert cache.entries() == 0


def test_an_entry_of_another_version_or_damaged_is_a_miss(tmp_path, monkeypatch):
    cache = TextCache(tmp_path)
    digest = content_hash(b"x")
    cache.put(digest, OCR_READ)
    monkeypatch.setattr(cache_module, "EXTRACTION_VERSION", 999)
    assert cache.get(digest) is None
    monkeypatch.undo()
    path = tmp_path / digest[:2] / f"{digest}.json"
    path.write_text(json.dumps({"version": 1, "extraction": {"outcome": "text"}}))
    assert cache.get(digest) is None
    path.write_text("{not json")
    assert cache.get(digest) is None


def test_no_folder_is_a_cache_that_holds_nothing():
    cache = TextCache(None)
    cache.put("c" * 64, OCR_READ)
    assert cache.get("c" * 64) is None and cache.entries() == 0


def test_carry_over_copies_the_incoming_entries_to_the_output(tmp_path):
    incoming, outgoing = tmp_path / "in", tmp_path / "out"
    TextCache(incoming).put("d" * 64, OCR_READ)
    assert carry_over(incoming, outgoing) == 1
    assert TextCache(outgoing).get("d" * 64) == OCR_READ
    assert carry_over(None, tmp_path / "empty") == 0


def test_the_marker_keeps_the_folder_from_being_empty_and_is_not_an_entry(tmp_path):
    cache = TextCache(tmp_path / "cache")
    cache.mark()
    assert json.loads((tmp_path / "cache" / MARKER).read_text()) == MARKER_CONTENT
    assert cache.entries() == 0
