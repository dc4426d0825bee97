"""The end-of-run summary: what was set aside, the quality gate in words, readable numbers."""

from __future__ import annotations

import json

import pytest

from pipelines.lake import Lake
from pipelines.local.executor import ExecutionResult, StepRecord
from pipelines.summary import render

REPORT = "s3://cur/pipe/preprocess/report"
EVALUATION = "s3://art/pipe/evaluation"
DATA_REPORT = {
    "status": "ok",
    "counts": {
        "job": {"read": 279, "quarantined_by_reason": {"missing_section:perfil_vaga": 2}},
        "applicant": {
            "read": 4300,
            "quarantined_by_reason": {"duplicate_id": 100},
            "unreadable_dates": {"data_criacao": 4192},
        },
        "application": {
            "read": 1060,
            "quarantined_by_reason": {"unknown_applicant": 9, "bad_date:data_candidatura": 5},
        },
        "document": {"files": 84, "quarantined_by_reason": {"needs_ocr": 4, "corrupt": 4}},
    },
    "labels": {"all": {"rows": 854, "hired": 115}},
}


def output(uri: str) -> dict:
    return {"S3Output": {"S3Uri": uri}}


def result(steps: list[StepRecord], reason: str | None = None, **parameters) -> ExecutionResult:
    return ExecutionResult(
        "local-1",
        "pipe",
        "Failed" if reason else "Succeeded",
        {"MinAuc": 0.7, **parameters},
        steps,
        failure_reason=reason,
        properties={
            "Preprocess": {"ProcessingOutputConfig": {"Outputs": {"report": output(REPORT)}}},
            "Evaluate": {"ProcessingOutputConfig": {"Outputs": {"evaluation": output(EVALUATION)}}},
        },
    )


def evaluation(auc: float, champion: dict | None) -> dict:
    floor = champion["auc"] - 0.01 if champion else 0.0
    return {
        "metrics": {"auc": auc, "pr_auc": 0.3, "log_loss": 0.4},
        "best_achievable": {"auc": 0.7883838383838384},
        "champion": champion,
        "gate": {"champion_floor": floor, "max_auc_regression": 0.01},
    }


@pytest.fixture
def lake(tmp_path) -> Lake:
    lake = Lake(tmp_path / "lake")
    lake.write_bytes(f"{REPORT}/data_report.json", json.dumps(DATA_REPORT).encode())
    return lake


def steps(*failed_at: str) -> list[StepRecord]:
    kinds = {"Preprocess": "Processing", "Evaluate": "Processing", "FailModelQuality": "Fail"}
    return [
        StepRecord(name, kind, "Failed" if name in failed_at else "Succeeded")
        for name, kind in kinds.items()
    ]


def test_every_summary_shows_what_was_read_and_set_aside(lake):
    text = render(result(steps()), lake, 1.0, {})
    assert "  read 279 jobs, 4,300 applicants, 1,060 applications, 84 CV files" in text
    assert (
        "  quarantined 2 jobs, 100 applicants, 14 applications, 8 CV files; top reasons: "
        "duplicate_id 100, unknown_applicant 9, bad_date:data_candidatura 5" in text
    )
    assert "data_criacao 4,192" in text
    assert "  854 labelled applications, 115 hired" in text


def test_the_summary_says_how_cv_text_was_obtained_and_what_ocr_cost(lake, tmp_path):
    report = json.loads(json.dumps(DATA_REPORT))
    report["counts"]["document"].update(
        text_from={"text_layer": 70, "ocr": 5, "mixed": 1},
        ocr={
            "engine": "rapidocr",
            "files": 6,
            "from_cache": 4,
            "pages_read_now": 3,
            "seconds": 4.6,
            "seconds_per_page": 1.53,
            "character_error_rate": {"files": 6, "mean": 0.0042, "median": 0.003, "max": 0.01},
        },
    )
    lake.write_bytes(f"{REPORT}/data_report.json", json.dumps(report).encode())
    text = render(result(steps()), lake, 1.0, {})
    assert (
        "  CV text: 70 from a text layer, 5 by OCR, 1 both (OCR by rapidocr: 6 files, 4 from "
        "the text cache, 3 pages read in 5s, 1.5s a page; character error rate 0.42% over "
        "6 scans)"
    ) in text


def test_cv_text_without_ocr_is_one_short_line(lake):
    report = json.loads(json.dumps(DATA_REPORT))
    report["counts"]["document"].update(
        text_from={"text_layer": 80, "ocr": 0, "mixed": 0}, ocr={"engine": "none", "files": 0}
    )
    lake.write_bytes(f"{REPORT}/data_report.json", json.dumps(report).encode())
    text = render(result(steps()), lake, 1.0, {})
    assert "  CV text: 80 from a text layer, 0 by OCR, 0 both\n" in text


def test_a_failed_preprocess_shows_its_own_report_and_reason(lake):
    reason = "step Preprocess failed: exit code 3: preprocess: not enough labelled data: 12"
    text = render(result(steps("Preprocess"), reason), lake, 1.0, {})
    assert "Data (" in text and "quarantined 2 jobs" in text
    assert f"\nStopped: {reason}\n" in text


def test_no_champion_is_said_not_compared_with_zero(lake):
    lake.write_bytes(f"{EVALUATION}/evaluation.json", json.dumps(evaluation(0.75, None)).encode())
    text = render(result(steps()), lake, 1.0, {})
    assert "  AUC 0.7500 >= MinAuc 0.7: passed" in text
    assert "  no champion yet, so no comparison with one" in text
    assert "0.0000" not in text


def test_the_gate_failure_is_explained_with_rounded_thresholds(lake):
    champion = {"version": "3", "auc": 0.7612345678}
    lake.write_bytes(
        f"{EVALUATION}/evaluation.json", json.dumps(evaluation(0.7401234567, champion)).encode()
    )
    reason = (
        "Model not registered: test AUC 0.7401234567 must be >= MinAuc 0.7 and >= the "
        "champion's AUC less MaxAucRegression, 0.7512345678"
    )
    text = render(result(steps("FailModelQuality"), reason), lake, 1.0, {})
    assert (
        "  AUC 0.7401 >= champion version 3's 0.7612 less MaxAucRegression 0.01 = 0.7512: FAILED"
        in text
    )
    assert (
        "Stopped: the model was not registered: AUC 0.7401 is not >= champion version 3's "
        "0.7612 less MaxAucRegression 0.01 = 0.7512"
    ) in text.splitlines()


def test_a_gate_failure_with_no_champion_says_so(lake):
    lake.write_bytes(f"{EVALUATION}/evaluation.json", json.dumps(evaluation(0.61, None)).encode())
    text = render(
        result(steps("FailModelQuality"), "Model not registered", MinAuc=0.7), lake, 1, {}
    )
    assert (
        "Stopped: the model was not registered: AUC 0.6100 is not >= MinAuc 0.7 (no champion yet)"
    ) in text.splitlines()


def test_other_reasons_are_shown_with_readable_numbers(lake):
    reason = "step Train failed: exit code 1: ValueError: bad rate 0.123456789"
    text = render(result(steps(), reason), lake, 1.0, {})
    assert (
        "Stopped: step Train failed: exit code 1: ValueError: bad rate 0.1235"
    ) in text.splitlines()


def test_a_data_set_that_could_not_be_read_says_why(lake):
    message = "applicants.json is not valid JSON: Expecting ',' delimiter (line 1, column 9)"
    report = {"status": "input_error", "message": message}
    lake.write_bytes(f"{REPORT}/data_report.json", json.dumps(report).encode())
    text = render(result(steps("Preprocess"), f"step Preprocess failed: {message}"), lake, 1, {})
    assert f"  not read: {message}" in text.splitlines()


def test_the_summary_adds_up_what_extracttext_read_on_each_instance(lake):
    report = json.loads(json.dumps(DATA_REPORT))
    report["counts"]["document"].update(
        text_from={"text_layer": 70, "ocr": 6, "mixed": 0},
        ocr={"engine": "textract", "files": 6, "from_cache": 6, "pages_read_now": 0},
    )
    lake.write_bytes(f"{REPORT}/data_report.json", json.dumps(report).encode())
    extract_uri = "s3://cur/pipe/extract-text/report"
    for host, (cached, read, pages, seconds, failed) in {
        "algo-1": (1, 2, 4, 10.0, {}),
        "algo-2": (0, 2, 6, 12.0, {"ocr_failed": 1}),
    }.items():
        body = {
            "from_cache": cached,
            "read_now": read,
            "pages_read_now": pages,
            "seconds": seconds,
            "failed_by_reason": failed,
        }
        lake.write_bytes(f"{extract_uri}/extract-{host}.json", json.dumps(body).encode())
    run = result(steps(), ExtractInstanceCount=2)
    run.properties["ExtractText"] = {
        "ProcessingOutputConfig": {"Outputs": {"report": output(extract_uri)}}
    }
    text = render(run, lake, 1.0, {})
    assert (
        "(OCR by textract: 6 files, 1 from the text cache, 4 read now (10 pages in 12s on "
        "2 instances, 1.2s a page), OCR failed on ocr_failed 1)"
    ) in text
