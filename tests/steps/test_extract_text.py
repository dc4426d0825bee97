"""The ExtractText step: OCR of the scans in its share of the data set, into the text cache."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from cvtext.cache import MARKER, TextCache, content_hash
from datagen.documents import scanned_pdf, text_pdf
from steps.extract_text import main

SCAN = "Pessoa Secreta\nExperiência com Docker e Terraform"


def raw_folder(root: Path) -> Path:
    raw = root / "raw"
    (raw / "cvs").mkdir(parents=True)
    (raw / "vagas.json").write_text("{}")  # not a CV file: not this step's business
    (raw / "cvs" / "1.pdf").write_bytes(scanned_pdf(SCAN, np.random.default_rng(1)))
    (raw / "cvs" / "2.pdf").write_bytes(text_pdf("Experiência com Java, Spring e SQL Server"))
    (raw / "cvs" / "3.docx").write_bytes(b"PK broken")
    return raw


def run(root: Path, raw: Path, host: str = "algo-1", hosts=("algo-1",), cache_in=None) -> dict:
    root.mkdir(parents=True, exist_ok=True)
    config = root / f"resourceconfig-{host}.json"
    config.write_text(json.dumps({"current_host": host, "hosts": list(hosts)}))
    out = root / f"out-{host}"
    args = [
        f"--raw-dir={raw}",
        f"--text-cache-dir={cache_in or root / 'no-cache'}",
        f"--text-cache-out-dir={out / 'text-cache'}",
        f"--report-dir={out / 'report'}",
        f"--resource-config={config}",
        "--workers=1",
    ]
    assert main(args) == 0
    return json.loads((out / "report" / f"extract-{host}.json").read_text())


def test_the_scans_go_into_the_cache_and_the_rest_is_left_to_preprocess(tmp_path):
    raw = raw_folder(tmp_path)
    report = run(tmp_path, raw)
    assert report["files"] == 3
    assert (report["files_needing_ocr"], report["read_now"], report["pages_read_now"]) == (1, 1, 1)
    assert report["failed_by_reason"] == {}
    cache = TextCache(tmp_path / "out-algo-1" / "text-cache")
    kept = cache.get(content_hash((raw / "cvs" / "1.pdf").read_bytes()))
    assert kept is not None and "Terraform" in kept.text
    text_pdf = cache.get(content_hash((raw / "cvs" / "2.pdf").read_bytes()))
    assert text_pdf is not None and text_pdf.method == "text_layer"
    assert cache.entries() == 2  # the scan and the text PDF; the broken DOCX is not kept


def test_a_second_run_reads_nothing_again(tmp_path):
    raw = raw_folder(tmp_path)
    run(tmp_path, raw)
    again = run(tmp_path / "again", raw, cache_in=tmp_path / "out-algo-1" / "text-cache")
    assert (again["from_cache"], again["read_now"], again["pages_read_now"]) == (1, 0, 0)
    assert again["files_from_cache"] == 2  # the scan and the text PDF; the broken DOCX again


def test_only_the_first_of_several_instances_carries_the_cache_over(tmp_path):
    raw = raw_folder(tmp_path)
    first = tmp_path / "first"
    run(first, raw)
    cache_in = first / "out-algo-1" / "text-cache"
    other = tmp_path / "other"
    (other / "raw" / "cvs").mkdir(parents=True)  # this instance's share: no CV file
    (other / "raw" / "prospects.json").write_text("{}")
    report = run(other, other / "raw", "algo-2", ("algo-1", "algo-2"), cache_in)
    assert report["files"] == 0 and report["hosts"] == 2
    out = other / "out-algo-2" / "text-cache"
    assert [p.name for p in out.rglob("*") if p.is_file()] == [MARKER]  # never an empty prefix
    one = run(tmp_path / "one", raw, "algo-1", ("algo-1", "algo-2"), cache_in)
    assert one["from_cache"] == 1
    assert TextCache(tmp_path / "one" / "out-algo-1" / "text-cache").entries() == 2


def test_without_sagemakers_resource_file_it_is_the_only_instance(tmp_path):
    raw = raw_folder(tmp_path)
    out = tmp_path / "out"
    args = [
        f"--raw-dir={raw}",
        f"--text-cache-out-dir={out / 'cache'}",
        f"--report-dir={out / 'report'}",
        f"--resource-config={tmp_path / 'absent.json'}",
        "--ocr-engine=none",
    ]
    assert main(args) == 0
    report = json.loads((out / "report" / "extract-algo-1.json").read_text())
    assert report["hosts"] == 1 and report["read_now"] == 0
