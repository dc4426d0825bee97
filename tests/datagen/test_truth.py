"""The ground truth: oracle rows, the report, the hire rate and the achievable AUC."""

from __future__ import annotations

import csv
import io
import json

import docx
import numpy as np
import pytest
from pypdf import PdfReader

from datagen import signal as sig
from datagen.generator import build_dataset, roc_auc
from datagen.vocab import HIRE_STATUSES, REJECT_STATUSES
from tests.datagen.conftest import Run

HIRED = {s for s, _ in HIRE_STATUSES}
LABELLED = HIRED | {s for s, _ in REJECT_STATUSES}


def _oracle(run: Run) -> list[dict]:
    text = (run.out / "_truth" / "oracle_scores.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _buildable_labelled(run: Run) -> dict[tuple[str, str], str]:
    """(job, applicant) -> status, for labelled applications whose records are all well-formed."""
    out = {}
    for job_code, entry in run.prospects.items():
        if "perfil_vaga" not in run.jobs[job_code]:
            continue
        for p in entry["prospects"]:
            applicant = run.applicants.get(p.get("codigo"))
            if not isinstance(applicant, dict) or "infos_basicas" not in applicant:
                continue
            day, month = p["data_candidatura"][:2], p["data_candidatura"][3:5]
            if not (day.isdigit() and month.isdigit() and 1 <= int(month) <= 12):
                continue
            if p["situacao_candidado"] in LABELLED:
                out[(job_code, p["codigo"])] = p["situacao_candidado"]
    return out


def _cv_file_text(path, scan_texts: dict[str, str]) -> str:
    """What a pipeline reads from a CV file: the text layer, a scan's text (read by OCR, whose
    errors are measured apart), or "" when it cannot read any."""
    if path.name in scan_texts:
        return scan_texts[path.name]
    try:
        if path.suffix == ".pdf":
            return "\n".join(page.extract_text() for page in PdfReader(path).pages)
        return "\n".join(par.text for par in docx.Document(str(path)).paragraphs)
    except Exception:
        return ""


def test_oracle_has_exactly_the_labelled_buildable_applications(small_run: Run) -> None:
    rows = _oracle(small_run)
    expected = _buildable_labelled(small_run)
    assert {(r["job_code"], r["applicant_code"]) for r in rows} == set(expected)
    assert len(rows) == len(expected) == small_run.report["counts"]["labelled"]
    for r in rows:
        assert int(r["label"]) == (expected[(r["job_code"], r["applicant_code"])] in HIRED)
        assert 0.0 < float(r["p"]) < 1.0


def test_oracle_is_sorted_by_job_then_applicant(small_run: Run) -> None:
    keys = [(int(r["job_code"]), int(r["applicant_code"])) for r in _oracle(small_run)]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_oracle_p_is_the_documented_signal_of_what_the_pipeline_can_read(small_run: Run) -> None:
    intercept = small_run.report["intercept"]
    cvs = small_run.out / "cvs"
    files = {f.stem: f for f in cvs.iterdir()}
    scan_texts = json.loads((small_run.out / "_truth" / "scanned_cv_text.json").read_text())
    assert scan_texts, "the small run has scans"
    text_of: dict[str, str] = {}
    for r in _oracle(small_run):
        job, code = small_run.jobs[r["job_code"]], r["applicant_code"]
        applicant = small_run.applicants[code]
        if code not in text_of:
            text_of[code] = (
                _cv_file_text(files[code], scan_texts) if code in files else applicant["cv_pt"]
            )
        shown = sig.applicant_shown_skills(applicant, text_of[code])
        z = intercept + sig.linear_score(sig.signal_terms(job, applicant, shown))
        assert float(r["p"]) == pytest.approx(float(sig.sigmoid(z)), abs=1e-5)


def test_report_counts_match_the_files(small_run: Run) -> None:
    report = json.loads((small_run.out / "_truth" / "generator_report.json").read_text())
    assert report == small_run.report
    counts = report["counts"]
    assert counts["jobs"] == len(small_run.jobs)
    assert counts["applicants"] == len(small_run.applicants)
    assert counts["applications"] == sum(len(e["prospects"]) for e in small_run.prospects.values())
    assert counts["jobs_without_applications"] == sum(
        1 for e in small_run.prospects.values() if not e["prospects"]
    )
    rows = _oracle(small_run)
    assert counts["hires"] == sum(int(r["label"]) for r in rows)
    files = list((small_run.out / "cvs").iterdir())
    assert counts["cv_files"]["total"] == len(files)
    assert counts["cv_files"]["by_extension"][".docx"] == sum(f.suffix == ".docx" for f in files)
    assert report["seed"] == 7 and report["signal"] is True


def test_malformed_records_are_injected_and_left_out_of_the_oracle(small_run: Run) -> None:
    bad_jobs = [k for k, v in small_run.jobs.items() if "perfil_vaga" not in v]
    bad_applicants = [
        k for k, v in small_run.applicants.items()
        if not isinstance(v, dict) or "infos_basicas" not in v
    ]  # fmt: skip
    bad_prospects = [
        p for e in small_run.prospects.values() for p in e["prospects"]
        if "codigo" not in p or p["data_candidatura"] == "" or "-13-" in p["data_candidatura"]
    ]  # fmt: skip
    malformed = small_run.report["counts"]["malformed"]
    assert malformed == {"jobs": len(bad_jobs), "applicants": len(bad_applicants),
                         "applications": len(bad_prospects)}  # fmt: skip
    assert min(malformed.values()) >= 1
    rows = _oracle(small_run)
    assert not {r["job_code"] for r in rows} & set(bad_jobs)
    assert not {r["applicant_code"] for r in rows} & set(bad_applicants)


def test_hire_rate_is_about_twelve_percent(small_run: Run) -> None:
    assert 0.08 < small_run.report["hire_rate"] < 0.16


def test_best_auc_is_high_with_the_signal() -> None:
    report = build_dataset(3, 0.05, True, 0.1, profile="rich").report
    assert 0.76 <= report["best_auc"] <= 0.9
    assert 0.09 < report["hire_rate"] < 0.15


def test_best_auc_is_one_half_without_the_signal() -> None:
    data = build_dataset(3, 0.02, False, 0.1, profile="rich")
    assert abs(data.report["best_auc"] - 0.5) <= 0.1
    assert {row[2] for row in data.oracle} == {0.12}
    assert 0.07 < data.report["hire_rate"] < 0.17


def test_turning_the_signal_off_changes_only_outcomes() -> None:
    on, off = (
        build_dataset(5, 0.01, True, 0.1, profile="rich"),
        build_dataset(5, 0.01, False, 0.1, profile="rich"),
    )
    assert on.jobs == off.jobs and on.applicants == off.applicants
    assert [(r[0], r[1]) for r in on.oracle] == [(r[0], r[1]) for r in off.oracle]
    assert np.std([r[2] for r in on.oracle]) > 0.05


def test_roc_auc_equals_sklearn_roc_auc_score() -> None:
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    labels = rng.random(500) < 0.2
    scores = np.round(rng.random(500) + labels * 0.3, 2)  # many ties
    assert roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert roc_auc(np.zeros(5), np.arange(5.0)) is None
    assert roc_auc(np.array([0, 1, 0, 1]), np.full(4, 0.12)) == 0.5
